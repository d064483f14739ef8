"""The JSON Schema (draft 2020-12) of story manifests, episode files and branch files.

Owns: `story_schema(kind)`, the schema editors use for completion and validation through a
YAML language server, and the path of the copy shipped in the package
(`engine/data/story.schema.json`, regenerated with `hyosan schema > ...`; a test keeps
the two equal). It describes the structure only: keys, types, id forms and effect
shapes. Whether a goto names a real node or a condition parses is `hyosan check`'s job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.runtime.model import PLACES, STATUSES

__all__ = ["KINDS", "SCHEMA_PATH", "schema_text", "story_schema"]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "story.schema.json"
KINDS = ("all", "manifest", "episode", "branch")
DRAFT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]

NODE_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
KEBAB_ID = r"^[a-z0-9][a-z0-9\-]*$"
SNAKE_ID = r"^[a-z_][a-z0-9_]*$"
RESERVED = ["and", "or", "not", "true", "false", "episode", "turn"]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _obj(properties: Schema, required: tuple[str, ...] = (), description: str = "") -> Schema:
    out: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def _text(description: str) -> Schema:
    return {"type": "string", "description": description}


def _id_map(pattern: str, value: Schema, description: str, reserved: bool = False) -> Schema:
    names: Schema = {"pattern": pattern}
    if reserved:
        names["not"] = {"enum": RESERVED}
    return {
        "type": "object",
        "description": description,
        "propertyNames": names,
        "additionalProperties": value,
    }


def _one_key(name: str, value: Schema, description: str) -> Schema:
    return {
        "type": "object",
        "description": description,
        "properties": {name: value},
        "required": [name],
        "additionalProperties": False,
    }


def _short_or_long(short: Schema, long: Schema) -> Schema:
    return {"anyOf": [short, long]}


def _declarations() -> Schema:
    return {
        "character": _obj(
            {
                "name": _text("the name shown to the player"),
                "role": _text("free text: student, teacher, ..."),
                "status": {"enum": list(STATUSES), "description": "status at the start"},
                "place": {"enum": list(PLACES), "description": "place at the start"},
                "carrier": {"type": "boolean", "description": "turns into a hombie, not a zombie"},
                "incubation": {"type": "integer", "minimum": 1, "description": "turns to turn"},
                "on_turn": _text("node to visit when this character turns with the group"),
            },
            ("name",),
            "a character the engine tracks",
        ),
        "item": _obj(
            {"name": _text("the item's name"), "description": _text("what it is")},
            ("name",),
            "an item the player can hold",
        ),
        "flag": {
            "type": ["string", "null"],
            "description": "a flag (false at the start); the value describes it",
        },
        "counter": {
            "anyOf": [
                {"type": "integer", "description": "the start value"},
                _obj(
                    {
                        "start": {"type": "integer"},
                        "min": {"type": "integer"},
                        "max": {"type": "integer"},
                        "description": {"type": "string"},
                    },
                    description="a counter with bounds",
                ),
            ]
        },
        "items": _id_map(KEBAB_ID, _ref("item"), "items, by lower-case-with-dashes id"),
        "flags": _id_map(SNAKE_ID, _ref("flag"), "flags, by snake_case id", reserved=True),
        "counters": _id_map(SNAKE_ID, _ref("counter"), "counters, by snake_case id", True),
    }


def _effects() -> Schema:
    character = {"type": "string", "description": "a character id, or $turned"}
    item_long = _obj(
        {"item": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}, ("item",)
    )
    item = _short_or_long({"type": "string", "description": "an item id"}, item_long)
    bite_long = _obj(
        {
            "who": character,
            "turns": {"type": "integer", "minimum": 1},
            "hidden": {"type": "boolean"},
        },
        ("who",),
    )
    set_long = _obj({"flag": {"type": "string"}, "value": {"type": "boolean"}}, ("flag",))
    branches = {"then": _ref("effects"), "else": _ref("effects")}
    kinds: Schema = {
        "give": (item, "give an item"),
        "take": (item, "take an item (never below zero)"),
        "bite": (_short_or_long(character, bite_long), "bite: the incubation starts"),
        "reveal": (character, "reveal a hidden bite"),
        "turn": (character, "turn now (zombie, or hombie for a carrier)"),
        "kill": (character, "kill"),
        "separate": (character, "separate from the group"),
        "rejoin": (character, "rejoin the group"),
        "leave": (character, "send away (place elsewhere)"),
        "set": (_short_or_long({"type": "string"}, set_long), "set a flag"),
        "clear": ({"type": "string"}, "clear a flag"),
        "add": (
            {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "integer"},
            },
            "add to counters, like {trust: 1}",
        ),
        "chance": (
            _obj(
                {"p": {"type": "number", "minimum": 0, "maximum": 1}, **branches},
                ("p",),
            ),
            "a seeded chance: then with probability p, else otherwise",
        ),
        "when": (
            _obj({"if": {"type": ["string", "boolean"]}, **branches}, ("if",)),
            "effects that depend on a condition",
        ),
    }
    return {
        "effect": {
            "description": "one effect: a mapping with one key",
            "oneOf": [_one_key(name, value, text) for name, (value, text) in kinds.items()],
        },
        "effects": {"type": "array", "items": _ref("effect"), "description": "effects, in order"},
    }


# An ending has no choices; any other node needs some.
_SCENE_OR_ENDING: Schema = {
    "if": {"type": "object", "required": ["ending"]},
    "then": {"not": {"required": ["choices"]}, "description": "an ending has no choices"},
    "else": {"required": ["choices"], "description": "a scene needs choices"},
}


def _nodes() -> Schema:
    condition = _text("a condition, like has('phone') and trust >= 2")
    piece = _obj({"if": condition, "text": {"type": "string"}}, ("text",))
    return {
        "condition": condition,
        "choice": _obj(
            {
                "id": {"type": "string", "pattern": NODE_ID, "description": "stable choice id"},
                "text": _text("what the player picks"),
                "if": _ref("condition"),
                "do": _ref("effects"),
                "goto": _text("the next node, or $resume in an interrupt node"),
            },
            ("id", "text", "goto"),
            "a choice",
        ),
        "choices": {"type": "array", "items": _ref("choice")},
        "node": _obj(
            {
                "text": {
                    "description": "the prose: a string, or pieces with optional if:",
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"anyOf": [{"type": "string"}, piece]}},
                    ],
                },
                "choices": _ref("choices"),
                "do": _ref("effects"),
                "turning_point": _obj(
                    {
                        "id": {"type": "string", "pattern": NODE_ID},
                        "title": {"type": "string"},
                        "canon": _text("the id of the choice the show took"),
                        "in_the_show": _text("what happened in the show"),
                    },
                    ("id", "title", "canon", "in_the_show"),
                    "one of the show's turning points",
                ),
                "ending": _obj(
                    {
                        "id": {"type": "string", "pattern": NODE_ID},
                        "title": {"type": "string"},
                        "summary": {"type": "string"},
                    },
                    ("id", "title"),
                    "the run ends here; an ending has no choices",
                ),
            },
            ("text",),
            "a node: a scene with choices, or an ending",
        )
        | _SCENE_OR_ENDING,
        "nodes": _id_map(NODE_ID, _ref("node"), "nodes, by id (letters, digits, _ - .)"),
    }


def _files() -> Schema:
    shared = {
        "flags": _ref("flags"),
        "counters": _ref("counters"),
        "items": _ref("items"),
        "nodes": _ref("nodes"),
    }
    episode_number = {"type": "integer", "minimum": 1}
    canon_roster = _id_map(
        KEBAB_ID,
        {
            "type": "object",
            "propertyNames": {"pattern": "^[0-9]+$"},
            "additionalProperties": {"enum": list(STATUSES)},
        },
        "status at the end of each episode, by character",
    )
    return {
        "manifest": _obj(
            {
                "id": _text("the story id; saves record it"),
                "title": {"type": "string"},
                "description": {"type": "string"},
                "start": _text("the first node"),
                "infection": _obj(
                    {
                        "incubation": {"type": "integer", "minimum": 1},
                        "on_turn": _text("node to visit when a companion turns"),
                    }
                ),
                "cast": _id_map(KEBAB_ID, _ref("character"), "the characters, by id"),
                "items": _ref("items"),
                "flags": _ref("flags"),
                "counters": _ref("counters"),
                "episodes": {"type": "array", "items": {"type": "string"}},
                "branches": {"type": "array", "items": {"type": "string"}},
                "canon": _obj(
                    {"roster": canon_roster, "ending": _text("the show's own ending id")},
                ),
            },
            ("id", "start", "cast", "episodes"),
            "a story manifest (story.yaml)",
        ),
        "episode": _obj(
            {"episode": episode_number, "title": {"type": "string"}, **shared},
            ("nodes",),
            "an episode file",
        ),
        "branch": _obj(
            {
                "branch": _text("the branch's name"),
                "title": {"type": "string"},
                "description": {"type": "string"},
                "episode": episode_number,
                **shared,
                "add_choices": _id_map(
                    NODE_ID, _ref("choices"), "choices added to existing nodes, by node id"
                ),
            },
            ("branch",),
            "a branch file: new nodes and choices on top of the episodes",
        ),
    }


def story_schema(kind: str = "all") -> Schema:
    """The schema for one kind of file, or ("all") for any of them, told apart by keys.

    A file with `branch:` is a branch file; one with `nodes:` or `episode:` an episode
    file; anything else a manifest.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    defs = {**_declarations(), **_effects(), **_nodes(), **_files()}
    schema: Schema = {"$schema": DRAFT, "title": "Hyosan story files"}
    if kind == "all":
        schema["description"] = "A Hyosan story manifest, episode file or branch file."
        schema["if"] = {"type": "object", "required": ["branch"]}
        schema["then"] = _ref("branch")
        schema["else"] = {
            "if": {
                "type": "object",
                "anyOf": [{"required": ["nodes"]}, {"required": ["episode"]}],
            },
            "then": _ref("episode"),
            "else": _ref("manifest"),
        }
    else:
        schema["title"] = f"Hyosan {kind} file"
        schema["$ref"] = f"#/$defs/{kind}"
    schema["$defs"] = defs
    return schema


def schema_text(kind: str = "all") -> str:
    """The schema as the JSON text `hyosan schema` prints and the package ships."""
    return json.dumps(story_schema(kind), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # python -m engine.compiler.schema > engine/data/story.schema.json
    print(schema_text(), end="")
