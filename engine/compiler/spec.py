"""THE description of the file formats: every key of every section, its type and meaning.

Owns: the sections of story manifests, episode files, branch files, nodes, choices,
characters, items, counters, turning points, endings, text pieces, effects, and of save
files. The compiler checks keys, required fields and types against it
(`engine.compiler.loader`), `engine.compiler.schema` generates the JSON Schema from it,
and `engine.saves.parse` checks save fields with it: a key is added in one place.
Pure data; no YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.runtime.world import STATUSES

__all__ = [
    "BRANCH",
    "CANON",
    "CHARACTER",
    "CHOICE",
    "COUNTER",
    "EFFECTS",
    "ENDING",
    "EPISODE",
    "INFECTION",
    "ITEM",
    "KEBAB_ID",
    "MANIFEST",
    "NODE",
    "NODE_ID",
    "PLACE_ID",
    "RESERVED",
    "SAVE",
    "SAVE_STEP",
    "SNAKE_ID",
    "TEXT_PIECE",
    "TURNING_POINT",
    "EffectSpec",
    "Field",
    "Section",
    "required",
    "type_names",
]

NODE_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
KEBAB_ID = r"^[a-z0-9][a-z0-9\-]*$"
SNAKE_ID = r"^[a-z_][a-z0-9_]*$"
PLACE_ID = r"^[a-z][a-z0-9_\-]*$"  # group, separated, elsewhere, or one under places:
RESERVED = ("and", "or", "not", "true", "false", "episode", "turn")


@dataclass(frozen=True)
class Field:
    """One key: the YAML types it accepts, whether it must be there, what it means, and
    what the JSON Schema adds (an enum, a pattern, a minimum or a `$ref`)."""

    types: tuple[type, ...]
    doc: str = ""
    required: bool = False
    nullable: bool = False
    schema: Mapping[str, Any] = field(default_factory=dict)


Section = Mapping[str, Field]

_TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    dict: "a mapping",
    list: "a list",
    float: "a number",
}


def type_names(types: tuple[type, ...]) -> str:
    """ "a string or a list" for (str, list)."""
    return " or ".join(_TYPE_NAMES[t] for t in types)


def required(section: Section) -> tuple[str, ...]:
    """The keys a section must have, in spec order."""
    return tuple(key for key, f in section.items() if f.required)


def _s(doc: str = "", **kw: Any) -> Field:
    return Field((str,), doc, **kw)


def _i(doc: str = "", **kw: Any) -> Field:
    return Field((int,), doc, **kw)


_EPISODE_NUMBER = {"minimum": 1}

MANIFEST: Section = {
    "id": _s("the story id; saves record it", required=True),
    "title": _s("the story's title"),
    "description": _s("one paragraph about the story"),
    "start": _s("the first node", required=True),
    "infection": Field((dict,), "how bites turn", schema={"$ref": "#/$defs/infection"}),
    "cast": Field((dict,), "the characters, by id", required=True, schema={"$ref": "#/$defs/cast"}),
    "items": Field((dict,), "items, by id", schema={"$ref": "#/$defs/items"}),
    "flags": Field((dict,), "flags, by id", schema={"$ref": "#/$defs/flags"}),
    "counters": Field((dict,), "counters, by id", schema={"$ref": "#/$defs/counters"}),
    "places": Field(
        (list,),
        "places of the story's own, beyond group, separated and elsewhere",
        schema={"items": {"type": "string", "pattern": PLACE_ID}},
    ),
    "episodes": Field(
        (list,), "episode files, in order", required=True, schema={"items": {"type": "string"}}
    ),
    "branches": Field((list,), "branch files", schema={"items": {"type": "string"}}),
    "canon": Field((dict,), "what happened in the canon", schema={"$ref": "#/$defs/canon"}),
}

_SHARED_PARTS: Section = {
    "flags": MANIFEST["flags"],
    "counters": MANIFEST["counters"],
    "items": MANIFEST["items"],
}

EPISODE: Section = {
    "episode": _i("the episode's number", schema=_EPISODE_NUMBER),
    "title": _s("the episode's title"),
    **_SHARED_PARTS,
    "nodes": Field((dict,), "nodes, by id", required=True, schema={"$ref": "#/$defs/nodes"}),
}

BRANCH: Section = {
    "branch": _s("the branch's name", required=True),
    "title": _s("the branch's title"),
    "description": _s("what the branch changes"),
    "episode": _i("the episode its new nodes belong to", schema=_EPISODE_NUMBER),
    **_SHARED_PARTS,
    "nodes": Field((dict,), "new nodes, by id", schema={"$ref": "#/$defs/nodes"}),
    "add_choices": Field(
        (dict,),
        "choices added to existing nodes, by node id",
        schema={"$ref": "#/$defs/add_choices"},
    ),
}

NODE: Section = {
    "text": Field(
        (str, list),
        "the prose: a string, or pieces with optional if:",
        required=True,
        schema={"$ref": "#/$defs/text"},
    ),
    "choices": Field((list,), "the choices", schema={"$ref": "#/$defs/choices"}),
    "do": Field((list,), "effects on entering the node", schema={"$ref": "#/$defs/effects"}),
    "turning_point": Field(
        (dict,), "one of the canon's turning points", schema={"$ref": "#/$defs/turning_point"}
    ),
    "ending": Field(
        (dict,), "the run ends here; an ending has no choices", schema={"$ref": "#/$defs/ending"}
    ),
}

CHOICE: Section = {
    "id": _s("stable choice id", required=True, schema={"pattern": NODE_ID}),
    "text": _s("what the player picks", required=True),
    "if": _s("a condition, like has('phone') and trust >= 2"),
    "do": Field((list,), "effects of taking the choice", schema={"$ref": "#/$defs/effects"}),
    "goto": _s("the next node, or $resume in an interrupt node", required=True),
    "canon": Field(
        (bool,), "true: the canon takes this choice here (outside a turning point's canon)"
    ),
    "once": Field((bool,), "true: offered until taken once"),
    "unless": Field(
        (str, bool), "a condition; while it holds the choice is shown greyed out, not playable"
    ),
    "disabled_text": _s("why the choice cannot be taken while its unless: holds"),
}

TEXT_PIECE: Section = {
    "if": CHOICE["if"],
    "text": _s("a paragraph shown when the condition holds", required=True),
}

CHARACTER: Section = {
    "name": _s("the name shown to the player", required=True),
    "role": _s("free text: student, teacher, ..."),
    "status": _s("status at the start", schema={"enum": list(STATUSES)}),
    "place": _s(
        "place at the start: group, separated, elsewhere or one under places:",
        schema={"pattern": PLACE_ID},
    ),
    "carrier": Field((bool,), "turns into a hombie, not a zombie"),
    "incubation": _i("turns from a bite to turning", schema={"minimum": 1}),
    "on_turn": _s("node to visit when this character turns with the group"),
}

ITEM: Section = {
    "name": _s("the item's name", required=True),
    "description": _s("what it is"),
}

COUNTER: Section = {
    "start": _i("the value at the start"),
    "min": _i("the lowest value"),
    "max": _i("the highest value"),
    "description": _s("what it counts"),
}

INFECTION: Section = {
    "incubation": _i("turns from a bite to turning (default 3)", schema={"minimum": 1}),
    "on_turn": _s("node to visit when a companion turns"),
}

CANON: Section = {
    "label": _s('how messages name the canon: "the show", "the record" (default "the canon")'),
    "roster": Field(
        (dict,),
        "status at the end of each episode, by character",
        schema={"$ref": "#/$defs/canon_roster"},
    ),
    "ending": _s("the canon's own ending id"),
}

TURNING_POINT: Section = {
    "id": _s("the turning point's id", required=True, schema={"pattern": NODE_ID}),
    "title": _s("its title", required=True),
    "canon": _s("the id of the choice the canon took", required=True),
    "in_the_show": _s("what happened in the canon", required=True),
}

ENDING: Section = {
    "id": _s("the ending's id", required=True, schema={"pattern": NODE_ID}),
    "title": _s("its title", required=True),
    "summary": _s("what became of everyone"),
}


@dataclass(frozen=True)
class EffectSpec:
    """One effect kind: its short form (`{kill: i-sak}` names `short`), the keys of its
    long form, and what it does. `short` None: only the long form (a mapping)."""

    doc: str
    short: str | None
    fields: Section = field(default_factory=dict)


_WHO = _s("a character id, or $turned", required=True)
_ITEM_FIELDS: Section = {
    "item": _s("an item id", required=True),
    "count": _i("how many (default 1)", schema={"minimum": 1}),
}
_BRANCHES: Section = {
    "then": Field((list,), "effects when it holds", schema={"$ref": "#/$defs/effects"}),
    "else": Field((list,), "effects otherwise", schema={"$ref": "#/$defs/effects"}),
}

EFFECTS: Mapping[str, EffectSpec] = {
    "give": EffectSpec("give an item", "item", _ITEM_FIELDS),
    "take": EffectSpec("take an item (never below zero)", "item", _ITEM_FIELDS),
    "bite": EffectSpec(
        "bite: the incubation starts",
        "who",
        {
            "who": _WHO,
            "turns": _i("turns until turning", schema={"minimum": 1}),
            "hidden": Field((bool,), "the player does not know yet"),
        },
    ),
    "reveal": EffectSpec("reveal a hidden bite", "who"),
    "turn": EffectSpec("turn now (zombie, or hombie for a carrier)", "who"),
    "kill": EffectSpec("kill", "who"),
    "separate": EffectSpec("separate from the group", "who"),
    "rejoin": EffectSpec("rejoin the group", "who"),
    "leave": EffectSpec("send away (place elsewhere)", "who"),
    "cure": EffectSpec("cure a bite: bitten -> healthy, the incubation stops", "who"),
    "move": EffectSpec(
        "move a character to a place",
        None,
        {
            "who": _WHO,
            "to": _s(
                "a place: group, separated, elsewhere or one under places:",
                required=True,
                schema={"pattern": PLACE_ID},
            ),
        },
    ),
    "set": EffectSpec(
        "set a flag",
        "flag",
        {"flag": _s("a flag id", required=True), "value": Field((bool,), "true or false")},
    ),
    "clear": EffectSpec("clear a flag", "flag"),
    "add": EffectSpec("add to counters, like {trust: 1}", None),
    "set_counter": EffectSpec("set counters to values, like {trust: 3}", None),
    "chance": EffectSpec(
        "a seeded chance: then with probability p, else otherwise",
        None,
        {
            "p": Field((float,), "probability", required=True, schema={"minimum": 0, "maximum": 1}),
            **_BRANCHES,
        },
    ),
    "when": EffectSpec(
        "effects that depend on a condition",
        None,
        {"if": Field((str, bool), "a condition", required=True), **_BRANCHES},
    ),
}

SAVE: Section = {
    "format": _i("the save format version", required=True),
    "story": _s("the story id", required=True),
    "fingerprint": _s("the story's fingerprint when saved", required=True),
    "seed": _i("the seed of the run", required=True),
    "slot": _s("the slot name", required=True, nullable=True),
    "created": _s("when the run was first saved (ISO 8601, UTC)", required=True),
    "updated": _s("when it was last saved", required=True),
    "episode": _i("the episode the run is in", required=True),
    "survivors": _i("alive with the group", required=True),
    "ending": _s("the ending reached, if any", required=True, nullable=True),
    "branches": Field((list,), "the branch files the run was played with", required=True),
    "digest_scheme": _i("how the step digests are computed: 1 or 2", required=True),
    "steps": Field((list,), "every step: node, choice, digest", required=True),
    "end": _i("the number of steps (written last: a cut file lacks it)", required=True),
}

SAVE_STEP: Section = {
    "node": _s("the node id", required=True),
    "choice": _s("the choice id", required=True),
    "digest": _s("the state digest after the step", required=True),
}
