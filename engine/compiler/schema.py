"""The JSON Schema (draft 2020-12) of story manifests, episode files and branch files.

Owns: `story_schema(kind)`, generated from `engine.compiler.spec` (the same description
the checker uses, so the two cannot drift), for editors' completion and validation
through a YAML language server, and the path of the copy shipped in the package
(`engine/data/story.schema.json`, regenerated with `hyosan schema > ...`; a test keeps
the two equal). It describes the structure only: keys, types, id forms and effect
shapes. Whether a goto names a real node or a condition parses is `hyosan check`'s job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.compiler import spec
from engine.compiler.spec import Field, Section

__all__ = ["KINDS", "SCHEMA_PATH", "schema_text", "story_schema"]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "story.schema.json"
KINDS = ("all", "manifest", "episode", "branch")
DRAFT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]

_JSON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    dict: "object",
    list: "array",
}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _field(f: Field) -> Schema:
    types = [_JSON_TYPES[t] for t in f.types] + (["null"] if f.nullable else [])
    out: Schema = {"type": types[0] if len(types) == 1 else types}
    if f.doc:
        out["description"] = f.doc
    out.update(f.schema)
    return out


def _object(section: Section, description: str = "") -> Schema:
    out: Schema = {
        "type": "object",
        "properties": {key: _field(f) for key, f in section.items()},
        "additionalProperties": False,
    }
    required = spec.required(section)
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def _id_map(pattern: str, value: Schema, description: str, reserved: bool = False) -> Schema:
    names: Schema = {"pattern": pattern}
    if reserved:
        names["not"] = {"enum": list(spec.RESERVED)}
    return {
        "type": "object",
        "description": description,
        "propertyNames": names,
        "additionalProperties": value,
    }


def _declarations() -> Schema:
    counter_long = _object(spec.COUNTER, "a counter with bounds")
    return {
        "character": _object(spec.CHARACTER, "a character the engine tracks"),
        "item": _object(spec.ITEM, "an item the player can hold"),
        "flag": {
            "type": ["string", "null"],
            "description": "a flag (false at the start); the value describes it",
        },
        "counter": {"anyOf": [{"type": "integer", "description": "the start value"}, counter_long]},
        "cast": _id_map(spec.KEBAB_ID, _ref("character"), "the characters, by id"),
        "items": _id_map(spec.KEBAB_ID, _ref("item"), "items, by lower-case-with-dashes id"),
        "flags": _id_map(spec.SNAKE_ID, _ref("flag"), "flags, by snake_case id", reserved=True),
        "counters": _id_map(spec.SNAKE_ID, _ref("counter"), "counters, by snake_case id", True),
    }


_SHORT = {
    "who": "a character id, or $turned",
    "item": "an item id",
    "flag": "a flag id",
}


def _effect(name: str, effect: spec.EffectSpec) -> Schema:
    if effect.short is None and not effect.fields:  # add: {counter: amount, ...}
        value: Schema = {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "integer"},
        }
    else:
        forms = []
        if effect.short is not None:
            forms.append({"type": "string", "description": _SHORT[effect.short]})
        if effect.fields:
            forms.append(_object(effect.fields))
        value = forms[0] if len(forms) == 1 else {"anyOf": forms}
    return {
        "type": "object",
        "description": effect.doc,
        "properties": {name: value},
        "required": [name],
        "additionalProperties": False,
    }


def _effects() -> Schema:
    return {
        "effect": {
            "description": "one effect: a mapping with one key",
            "oneOf": [_effect(name, effect) for name, effect in spec.EFFECTS.items()],
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
    piece = _object(spec.TEXT_PIECE)
    return {
        "text": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"anyOf": [{"type": "string"}, piece]}},
            ]
        },
        "choice": _object(spec.CHOICE, "a choice"),
        "choices": {"type": "array", "items": _ref("choice")},
        "turning_point": _object(spec.TURNING_POINT, "one of the canon's turning points"),
        "ending": _object(spec.ENDING, "the run ends here; an ending has no choices"),
        "node": _object(spec.NODE, "a node: a scene with choices, or an ending") | _SCENE_OR_ENDING,
        "nodes": _id_map(spec.NODE_ID, _ref("node"), "nodes, by id (letters, digits, _ - .)"),
        "add_choices": _id_map(
            spec.NODE_ID, _ref("choices"), "choices added to existing nodes, by node id"
        ),
    }


def _files() -> Schema:
    canon_roster = _id_map(
        spec.KEBAB_ID,
        {
            "type": "object",
            "propertyNames": {"pattern": "^[0-9]+$"},
            "additionalProperties": {"enum": list(spec.CHARACTER["status"].schema["enum"])},
        },
        "status at the end of each episode, by character",
    )
    return {
        "infection": _object(spec.INFECTION),
        "canon": _object(spec.CANON),
        "canon_roster": canon_roster,
        "manifest": _object(spec.MANIFEST, "a story manifest (story.yaml)"),
        "episode": _object(spec.EPISODE, "an episode file"),
        "branch": _object(
            spec.BRANCH, "a branch file: new nodes and choices on top of the episodes"
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
