"""Declarations: the cast, items, flags and counters a story names before it uses them.

Owns: checking each declaration's id form (kebab-case for characters and items,
snake_case for flags and counters, never a keyword), refusing duplicates across files,
the story's own places (`places:` in the manifest), and building the runtime
`Character`, `Item`, `Flag` and `Counter`. Functions over a
`Context`; problems are reported, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.compiler import spec
from engine.compiler.context import Context, is_type
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Pos, did_you_mean
from engine.runtime.model import Character, Counter, Flag, Item
from engine.runtime.world import PLACES, STATUSES, Place, Status

__all__ = ["declare_cast", "declare_parts"]

_KEBAB = re.compile(spec.KEBAB_ID)
_PLACE = re.compile(spec.PLACE_ID)
_SNAKE = re.compile(spec.SNAKE_ID)

_Make = Callable[[Context, str, Any, Pos, YMap], Any]


def _declare(ctx: Context, table: dict[str, Any], section: Any, kind: str, make: _Make) -> None:
    if not isinstance(section, YMap):
        return
    snake = kind in ("flag", "counter")
    pattern = _SNAKE if snake else _KEBAB
    for name, value in section.items():
        pos = section.key_pos[name]
        if not pattern.match(name) or name in spec.RESERVED:
            form = "snake_case" if snake else "lower-case-with-dashes"
            ctx.error(pos, "E013", f'{kind} id "{name}" must be {form} and not a keyword')
            continue
        if snake and (name in ctx.flags or name in ctx.counters):
            earlier = (ctx.flags.get(name) or ctx.counters[name]).pos
            ctx.error(pos, "E020", f'{kind} "{name}" is already declared at {earlier}')
            continue
        if name in table:
            ctx.error(pos, "E020", f'{kind} "{name}" is already declared at {table[name].pos}')
            continue
        made = make(ctx, name, value, pos, section)
        if made is not None:
            table[name] = made


def _flag(ctx: Context, name: str, value: Any, pos: Pos, section: YMap) -> Flag | None:
    if value is not None and not isinstance(value, str):
        ctx.error(section.at(name), "E012", f"flag {name}: give a description string")
        return None
    return Flag(name, value or "", pos)


def _counter(ctx: Context, name: str, value: Any, pos: Pos, section: YMap) -> Counter | None:
    if is_type(value, int):
        return Counter(name, value, None, None, "", pos)
    if not isinstance(value, YMap):
        ctx.error(section.at(name), "E012", f"counter {name}: give a number or a mapping")
        return None
    if not ctx.keys(value, spec.COUNTER, f"counter {name}"):
        return None
    start, low, high = value.get("start", 0), value.get("min"), value.get("max")
    if (low is not None and start < low) or (high is not None and start > high):
        ctx.error(value.pos, "E013", f"counter {name}: start {start} is outside min/max")
        return None
    return Counter(name, start, low, high, value.get("description", ""), pos)


def _item(ctx: Context, name: str, value: Any, pos: Pos, section: YMap) -> Item | None:
    if not isinstance(value, YMap):
        ctx.error(section.at(name), "E012", f"item {name}: give a mapping with a name")
        return None
    if not ctx.keys(value, spec.ITEM, f"item {name}"):
        return None
    return Item(name, value["name"], value.get("description", ""), pos)


def _character(ctx: Context, name: str, value: Any, pos: Pos, section: YMap) -> Character | None:
    if not isinstance(value, YMap):
        ctx.error(section.at(name), "E012", f"character {name}: give a mapping with a name")
        return None
    if not ctx.keys(value, spec.CHARACTER, f"character {name}"):
        return None
    status, place = value.get("status", "healthy"), value.get("place", "group")
    places = (*PLACES, *ctx.places)
    for key, got, allowed in (("status", status, STATUSES), ("place", place, places)):
        if got not in allowed:
            ctx.error(
                value.at(key),
                "E013",
                f'{key} "{got}" is not one of: {", ".join(allowed)}',
                did_you_mean(got, allowed),
            )
            return None
    incubation = value.get("incubation")
    if incubation is not None and incubation < 1:
        ctx.error(value.at("incubation"), "E013", "incubation must be 1 or more turns")
        return None
    return Character(
        name,
        value["name"],
        value.get("role", ""),
        Status(status),
        Place(place) if place in PLACES else place,
        bool(value.get("carrier", False)),
        incubation,
        value.get("on_turn"),
        pos,
    )


def _places(ctx: Context, manifest: YMap) -> None:
    section = manifest.get("places")
    if not isinstance(section, YList):
        return  # absent, or the wrong type (reported with the manifest's keys)
    for name, pos in zip(section, section.item_pos, strict=True):
        if not isinstance(name, str) or not _PLACE.match(name):
            ctx.error(pos, "E013", "a place is a lower-case id, like rooftop or music_room")
        elif name in PLACES or name in ctx.places:
            earlier = "built in" if name in PLACES else f"already declared at {ctx.places[name]}"
            ctx.error(pos, "E020", f'place "{name}" is {earlier}')
        else:
            ctx.places[name] = pos


def declare_cast(ctx: Context, manifest: YMap) -> None:
    """The manifest's `places:` and `cast:` (a character may start in a declared place)."""
    _places(ctx, manifest)
    _declare(ctx, ctx.cast, manifest.get("cast"), "character", _character)


def declare_parts(ctx: Context, m: YMap) -> None:
    """The `items:`, `flags:` and `counters:` of a manifest, episode or branch file."""
    _declare(ctx, ctx.items, m.get("items"), "item", _item)
    _declare(ctx, ctx.flags, m.get("flags"), "flag", _flag)
    _declare(ctx, ctx.counters, m.get("counters"), "counter", _counter)
