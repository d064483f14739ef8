"""Compiling `do:` lists into typed effects (`engine.runtime.effects`).

Owns: the registry of effect kinds as the YAML spells them (give, take, bite, reveal,
turn, kill, cure, separate, rejoin, leave, move, set, clear, add, set_counter, chance,
when), the short and long
forms of each (their keys and types come from `engine.compiler.spec.EFFECTS`), and the
checking of ids and values. Problems are reported through the context (the loader);
nothing is raised for an author's mistake. Adding an effect kind means one entry in the
spec, one class in the runtime, and one `@_effect` handler here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from engine.compiler.context import is_type
from engine.compiler.spec import EFFECTS, EffectSpec, type_names
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Pos, Reporter, did_you_mean
from engine.runtime.conditions import Condition
from engine.runtime.effects import (
    AddCounters,
    Bite,
    Chance,
    Cure,
    Effect,
    GiveItem,
    Kill,
    Move,
    Reveal,
    SetCounters,
    SetFlag,
    TakeItem,
    Turn,
    When,
)
from engine.runtime.model import Counter
from engine.runtime.world import PLACES, TURNED, TURNED_TARGET, Place

__all__ = ["EffectContext", "compile_effects"]


class EffectContext(Reporter, Protocol):
    """What compiling effects needs from the loader (and `error`, from `Reporter`)."""

    @property
    def cast_index(self) -> Mapping[str, int]: ...
    @property
    def item_index(self) -> Mapping[str, int]: ...
    @property
    def flags(self) -> Mapping[str, Any]: ...
    @property
    def counter_index(self) -> Mapping[str, int]: ...
    @property
    def counters(self) -> Mapping[str, Counter]: ...
    @property
    def places(self) -> Mapping[str, Pos]: ...

    def compile_condition(self, value: Any, owner: YMap, key: str) -> Condition | None: ...


_Handler = Callable[[EffectContext, dict[str, Any], YMap, str, Pos], Effect | None]
_HANDLERS: dict[str, _Handler] = {}


def _effect(*names: str) -> Callable[[_Handler], _Handler]:
    def register(fn: _Handler) -> _Handler:
        for name in names:
            _HANDLERS[name] = fn
        return fn

    return register


def compile_effects(ctx: EffectContext, value: Any, owner: YMap, key: str) -> tuple[Effect, ...]:
    """Compile the effect list `owner[key]`; problems are reported through `ctx`."""
    if not isinstance(value, YList):
        ctx.error(
            owner.at(key), "E012", f"{key}: must be a list of effects, like [{{give: phone}}]"
        )
        return ()
    out: list[Effect] = []
    for item, item_pos in zip(value, value.item_pos, strict=True):
        if not isinstance(item, YMap) or len(item) != 1:
            ctx.error(item_pos, "E012", "each effect is a mapping with one key, like {kill: i-sak}")
            continue
        kind = next(iter(item))
        spec = EFFECTS.get(kind)
        if spec is None:
            message = f'unknown effect "{kind}"'
            if kind == "heal":
                message += (
                    " (the engine tracks no wounds, only statuses: to stop a bite from"
                    " turning, write cure: WHO)"
                )
            ctx.error(item.key_pos[kind], "E010", message, did_you_mean(kind, EFFECTS))
            continue
        fields = _fields(ctx, item[kind], item.at(kind), kind, spec)
        if fields is None:
            continue
        effect = _HANDLERS[kind](ctx, fields, item, kind, item.key_pos[kind])
        if effect is not None:
            out.append(effect)
    return tuple(out)


def _source(kind: str, arg: Any) -> str:
    if isinstance(arg, dict):
        inner = ", ".join(f"{k}: {v}" for k, v in arg.items() if k not in ("then", "else"))
        return f"{kind} {{{inner}}}"
    return f"{kind} {arg}"


def _fields(
    ctx: EffectContext, arg: Any, pos: Pos, kind: str, spec: EffectSpec
) -> dict[str, Any] | None:
    """The arguments as a mapping: the short form becomes {short: arg}; the long form's
    keys and types are checked against the spec. `_pos` maps each key to its position."""
    if spec.short is not None and not isinstance(arg, YMap):
        return {spec.short: arg, "_pos": {spec.short: pos}, "_arg": arg}
    if spec.short is not None and not spec.fields:  # a short form only, like `kill: on-jo`
        noun = {"who": "character", "flag": "flag"}.get(spec.short, spec.short)
        ctx.error(pos, "E012", f"{kind}: must be a {noun} id, like {kind}: {_EXAMPLE[noun]}")
        return None
    if not isinstance(arg, YMap):
        if spec.fields:
            ctx.error(pos, "E012", f"{kind}: takes a mapping with {', '.join(spec.fields)}")
        else:
            ctx.error(pos, "E012", f"{kind}: takes a mapping of counters, like {_COUNTERS[kind]}")
        return None
    if not spec.fields:  # `add`, `set_counter`: any keys, checked by their handler
        return {"_map": arg, "_pos": {}, "_arg": arg}
    out: dict[str, Any] = {"_pos": {}, "_arg": arg}
    for key, value in arg.items():
        want = spec.fields.get(key)
        if want is None:
            ctx.error(
                arg.key_pos[key], "E010", f'unknown key "{key}"', did_you_mean(key, spec.fields)
            )
            return None
        if not any(is_type(value, t) for t in want.types):
            ctx.error(arg.at(key), "E012", f"{key}: must be {type_names(want.types)}")
            return None
        out[key] = value
        out["_pos"][key] = arg.at(key)
    missing = [k for k, f in spec.fields.items() if f.required and k not in arg]
    if missing:
        ctx.error(pos, "E011", f'{kind}: missing "{missing[0]}"')
        return None
    return out


_EXAMPLE = {"character": "on-jo", "flag": "door_barred"}
_COUNTERS = {"add": "{trust: 1} (amounts to add)", "set_counter": "{trust: 3} (new values)"}


def _where(fields: dict[str, Any], key: str, default: Pos) -> Pos:
    found: Pos = fields["_pos"].get(key, default)
    return found


def _character(ctx: EffectContext, fields: dict[str, Any], key: str, pos: Pos) -> int | None:
    value = fields[key]
    if value == TURNED:
        return TURNED_TARGET
    if not isinstance(value, str) or value not in ctx.cast_index:
        ctx.error(
            _where(fields, key, pos),
            "E031",
            f'unknown character "{value}"',
            did_you_mean(str(value), ctx.cast_index),
        )
        return None
    return ctx.cast_index[value]


def _item(ctx: EffectContext, fields: dict[str, Any], pos: Pos) -> int | None:
    value = fields["item"]
    if not isinstance(value, str) or value not in ctx.item_index:
        where = _where(fields, "item", pos)
        ctx.error(
            where, "E032", f'unknown item "{value}"', did_you_mean(str(value), ctx.item_index)
        )
        return None
    return ctx.item_index[value]


def _positive(ctx: EffectContext, fields: dict[str, Any], key: str, pos: Pos) -> bool:
    if key in fields and fields[key] < 1:
        ctx.error(_where(fields, key, pos), "E013", f"{key} must be 1 or more")
        return False
    return True


@_effect("give", "take")
def _give_take(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    index = _item(ctx, fields, pos)
    if index is None or not _positive(ctx, fields, "count", pos):
        return None
    make = GiveItem if kind == "give" else TakeItem
    return make(_source(kind, fields["_arg"]), pos, index, int(fields.get("count", 1)))


@_effect("bite")
def _bite(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    who = _character(ctx, fields, "who", pos)
    if not _positive(ctx, fields, "turns", pos) or who is None:
        return None
    turns = fields.get("turns")
    return Bite(_source(kind, fields["_arg"]), pos, who, turns, bool(fields.get("hidden", False)))


_PLACES = {"separate": Place.SEPARATED, "rejoin": Place.GROUP, "leave": Place.ELSEWHERE}


@_effect("reveal", "turn", "kill", "cure", "separate", "rejoin", "leave")
def _character_effect(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    who = _character(ctx, fields, "who", pos)
    if who is None:
        return None
    source = _source(kind, fields["_arg"])
    if kind in _PLACES:
        return Move(source, pos, who, _PLACES[kind])
    make = {"reveal": Reveal, "turn": Turn, "kill": Kill, "cure": Cure}[kind]
    return make(source, pos, who)


@_effect("move")
def _move(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    who = _character(ctx, fields, "who", pos)
    to = fields["to"]
    places = (*PLACES, *ctx.places)
    if to not in places:
        ctx.error(
            _where(fields, "to", pos),
            "E013",
            f'"{to}" is not a place: use group, separated, elsewhere or one declared under'
            " places: in the manifest",
            did_you_mean(str(to), places),
        )
        return None
    if who is None:
        return None
    return Move(_source(kind, fields["_arg"]), pos, who, Place(to) if to in PLACES else to)


@_effect("set", "clear")
def _set_clear(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    name = fields["flag"]
    if isinstance(name, str) and name in ctx.counter_index:
        ctx.error(
            _where(fields, "flag", pos),
            "E035",
            f'"{name}" is a counter, not a flag: {kind}: works on flags only',
            fix=f"write set_counter: {{{name}: 3}} to give it a value, or add: {{{name}: 1}}",
        )
        return None
    if not isinstance(name, str) or name not in ctx.flags:
        where = _where(fields, "flag", pos)
        ctx.error(where, "E033", f'unknown flag "{name}"', did_you_mean(str(name), ctx.flags))
        return None
    value = bool(fields.get("value", True)) if kind == "set" else False
    return SetFlag(_source(kind, fields["_arg"]), pos, name, value)


@_effect("add", "set_counter")
def _add(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    arg: YMap = fields["_map"]
    if not arg:
        ctx.error(pos, "E012", f"{kind}: takes a mapping of counters, like {_COUNTERS[kind]}")
        return None
    changes: list[tuple[int, int]] = []
    what = "the amount" if kind == "add" else "the value"
    for name, number in arg.items():
        if name not in ctx.counter_index:
            suggestion = did_you_mean(name, ctx.counter_index)
            ctx.error(arg.key_pos[name], "E034", f'unknown counter "{name}"', suggestion)
            return None
        if isinstance(number, bool) or not isinstance(number, int):
            ctx.error(arg.at(name), "E012", f"{name}: {what} must be a whole number")
            return None
        counter = ctx.counters[name]
        low, high = counter.min, counter.max
        if kind == "set_counter" and (
            (low is not None and number < low) or (high is not None and number > high)
        ):
            bounds = f"{'' if low is None else low}..{'' if high is None else high}"
            ctx.error(arg.at(name), "E013", f"{name}: {number} is outside its min/max ({bounds})")
            return None
        changes.append((ctx.counter_index[name], number))
    if kind == "set_counter":
        return SetCounters(_source(kind, arg), pos, tuple(changes))
    return AddCounters(_source(kind, arg), pos, tuple(changes))


def _branches(ctx: EffectContext, arg: YMap) -> tuple[tuple[Effect, ...], tuple[Effect, ...]]:
    then = compile_effects(ctx, arg["then"], arg, "then") if "then" in arg else ()
    other = compile_effects(ctx, arg["else"], arg, "else") if "else" in arg else ()
    return then, other


@_effect("chance")
def _chance(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    arg: YMap = fields["_arg"]
    p = fields["p"]
    if not 0 <= p <= 1:
        ctx.error(arg.at("p"), "E013", "p must be a probability between 0 and 1")
        return None
    then, other = _branches(ctx, arg)
    return Chance(_source(kind, arg), pos, float(p), then, other)


@_effect("when")
def _when(
    ctx: EffectContext, fields: dict[str, Any], owner: YMap, kind: str, pos: Pos
) -> Effect | None:
    arg: YMap = fields["_arg"]
    condition = ctx.compile_condition(arg["if"], arg, "if")
    then, other = _branches(ctx, arg)
    if condition is None:
        return None
    return When(_source(kind, arg), pos, condition, then, other)
