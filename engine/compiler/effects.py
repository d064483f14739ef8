"""The effect language: `do:` lists compiled into small named handlers.

Owns: the registry of effect kinds (give, take, bite, reveal, turn, kill, separate,
rejoin, leave, set, clear, add, chance, when), the checking of their arguments at load
time, and the closures that apply them to a step under construction (the builder in
`rules.py`). Adding an effect kind means adding one `@_effect` function here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from engine.compiler.yamlread import YList, YMap
from engine.diagnostics import Pos, did_you_mean
from engine.runtime.model import Effect

__all__ = ["EFFECT_KINDS", "TURNED", "EffectContext", "compile_effects"]

TURNED = "$turned"
Apply = Callable[[Any], None]


class EffectContext(Protocol):
    """What compiling effects needs from the loader."""

    cast_index: dict[str, int]
    item_index: dict[str, int]
    flags: dict[str, Any]
    counter_index: dict[str, int]

    def error(self, pos: Pos, code: str, message: str, suggestion: str | None = None) -> None: ...

    def condition(self, value: Any, owner: YMap, key: str) -> Callable[[Any], bool] | None: ...


_Handler = Callable[[EffectContext, Any, YMap, Pos], Apply | None]
_HANDLERS: dict[str, _Handler] = {}


def _effect(name: str) -> Callable[[_Handler], _Handler]:
    def register(fn: _Handler) -> _Handler:
        _HANDLERS[name] = fn
        return fn

    return register


EFFECT_KINDS = _HANDLERS


def compile_effects(ctx: EffectContext, value: Any, owner: YMap, key: str) -> tuple[Effect, ...]:
    """Compile the effect list `owner[key]`; problems are reported through `ctx`."""
    pos = owner.at(key)
    if not isinstance(value, YList):
        ctx.error(pos, "E012", f"{key}: must be a list of effects, like [{{give: phone}}]")
        return ()
    out: list[Effect] = []
    for item, item_pos in zip(value, value.item_pos, strict=True):
        if not isinstance(item, YMap) or len(item) != 1:
            ctx.error(item_pos, "E012", "each effect is a mapping with one key, like {kill: i-sak}")
            continue
        kind = next(iter(item))
        handler = _HANDLERS.get(kind)
        if handler is None:
            ctx.error(
                item.key_pos[kind],
                "E010",
                f'unknown effect "{kind}"',
                did_you_mean(kind, _HANDLERS),
            )
            continue
        apply = handler(ctx, item[kind], item, item.at(kind))
        if apply is not None:
            out.append(Effect(kind, _source(kind, item[kind]), apply, item.key_pos[kind]))
    return tuple(out)


def _source(kind: str, arg: Any) -> str:
    if isinstance(arg, dict):
        inner = ", ".join(f"{k}: {v}" for k, v in arg.items() if k not in ("then", "else"))
        return f"{kind} {{{inner}}}"
    return f"{kind} {arg}"


def _fields(
    ctx: EffectContext, arg: Any, pos: Pos, short: str, allowed: dict[str, type]
) -> dict[str, Any] | None:
    """Normalise the short form (a scalar) and check the long form's keys and types."""
    if not isinstance(arg, YMap):
        return {short: arg}
    fields: dict[str, Any] = {}
    for key, value in arg.items():
        if key not in allowed:
            ctx.error(arg.key_pos[key], "E010", f'unknown key "{key}"', did_you_mean(key, allowed))
            return None
        want = allowed[key]
        if want is int and (isinstance(value, bool) or not isinstance(value, int)):
            ctx.error(arg.at(key), "E012", f"{key}: must be a whole number")
            return None
        if want is float and (isinstance(value, bool) or not isinstance(value, int | float)):
            ctx.error(arg.at(key), "E012", f"{key}: must be a number")
            return None
        if want is bool and not isinstance(value, bool):
            ctx.error(arg.at(key), "E012", f"{key}: must be true or false")
            return None
        fields[key] = value
    if short not in fields:
        ctx.error(pos, "E011", f'missing "{short}"')
        return None
    return fields


def _character(ctx: EffectContext, value: Any, pos: Pos, allow_turned: bool = True) -> int | None:
    if value == TURNED and allow_turned:
        return -1
    if not isinstance(value, str) or value not in ctx.cast_index:
        ctx.error(
            pos,
            "E031",
            f'unknown character "{value}"',
            did_you_mean(str(value), ctx.cast_index),
        )
        return None
    return ctx.cast_index[value]


def _item(ctx: EffectContext, value: Any, pos: Pos) -> int | None:
    if not isinstance(value, str) or value not in ctx.item_index:
        ctx.error(pos, "E032", f'unknown item "{value}"', did_you_mean(str(value), ctx.item_index))
        return None
    return ctx.item_index[value]


def _count(ctx: EffectContext, fields: dict[str, Any], pos: Pos) -> int | None:
    count = fields.get("count", 1)
    if count < 1:
        ctx.error(pos, "E013", "count must be 1 or more")
        return None
    return int(count)


def _item_effect(method: str) -> _Handler:
    def handler(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
        fields = _fields(ctx, arg, pos, "item", {"item": str, "count": int})
        if fields is None:
            return None
        index = _item(ctx, fields["item"], pos if not isinstance(arg, YMap) else arg.at("item"))
        count = _count(ctx, fields, pos)
        if index is None or count is None:
            return None
        return lambda b: getattr(b, method)(index, count)

    return handler


_effect("give")(_item_effect("give"))
_effect("take")(_item_effect("take"))


@_effect("bite")
def _bite(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
    fields = _fields(ctx, arg, pos, "who", {"who": str, "turns": int, "hidden": bool})
    if fields is None:
        return None
    who = _character(ctx, fields["who"], pos if not isinstance(arg, YMap) else arg.at("who"))
    turns = fields.get("turns")
    if turns is not None and turns < 1:
        ctx.error(arg.at("turns"), "E013", "turns must be 1 or more")
        return None
    hidden = bool(fields.get("hidden", False))
    if who is None:
        return None
    return lambda b: b.bite(who, turns, hidden)


def _character_effect(method: str, *args: Any) -> _Handler:
    def handler(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
        who = _character(ctx, arg, pos)
        if who is None:
            return None
        return lambda b: getattr(b, method)(who, *args)

    return handler


_effect("reveal")(_character_effect("reveal"))
_effect("turn")(_character_effect("turn_effect"))
_effect("kill")(_character_effect("kill"))
_effect("separate")(_character_effect("move", "separated"))
_effect("rejoin")(_character_effect("move", "group"))
_effect("leave")(_character_effect("move", "elsewhere"))


def _flag(ctx: EffectContext, value: Any, pos: Pos) -> str | None:
    if not isinstance(value, str) or value not in ctx.flags:
        ctx.error(pos, "E033", f'unknown flag "{value}"', did_you_mean(str(value), ctx.flags))
        return None
    return value


@_effect("set")
def _set(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
    fields = _fields(ctx, arg, pos, "flag", {"flag": str, "value": bool})
    if fields is None:
        return None
    name = _flag(ctx, fields["flag"], pos if not isinstance(arg, YMap) else arg.at("flag"))
    value = bool(fields.get("value", True))
    if name is None:
        return None
    return lambda b: b.set_flag(name, value)


@_effect("clear")
def _clear(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
    name = _flag(ctx, arg, pos)
    if name is None:
        return None
    return lambda b: b.set_flag(name, False)


@_effect("add")
def _add(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
    if not isinstance(arg, YMap) or not arg:
        ctx.error(pos, "E012", "add: takes a mapping of counters to amounts, like {trust: 1}")
        return None
    changes: list[tuple[int, int]] = []
    for name, delta in arg.items():
        if name not in ctx.counter_index:
            ctx.error(
                arg.key_pos[name],
                "E034",
                f'unknown counter "{name}"',
                did_you_mean(name, ctx.counter_index),
            )
            return None
        if isinstance(delta, bool) or not isinstance(delta, int):
            ctx.error(arg.at(name), "E012", f"{name}: the amount must be a whole number")
            return None
        changes.append((ctx.counter_index[name], delta))

    def apply(b: Any) -> None:
        for index, delta in changes:
            b.add(index, delta)

    return apply


def _branches(ctx: EffectContext, arg: YMap) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    then = compile_effects(ctx, arg["then"], arg, "then") if "then" in arg else ()
    other = compile_effects(ctx, arg["else"], arg, "else") if "else" in arg else ()
    return tuple(e.apply for e in then), tuple(e.apply for e in other)


def _check_keys(ctx: EffectContext, arg: Any, pos: Pos, kind: str, keys: tuple[str, ...]) -> bool:
    if not isinstance(arg, YMap):
        ctx.error(pos, "E012", f"{kind}: takes a mapping with {', '.join(keys)}")
        return False
    for key in arg:
        if key not in keys:
            ctx.error(arg.key_pos[key], "E010", f'unknown key "{key}"', did_you_mean(key, keys))
            return False
    if keys[0] not in arg:
        ctx.error(pos, "E011", f'{kind}: missing "{keys[0]}"')
        return False
    return True


@_effect("chance")
def _chance(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
    if not _check_keys(ctx, arg, pos, "chance", ("p", "then", "else")):
        return None
    p = arg["p"]
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        ctx.error(arg.at("p"), "E013", "p must be a probability between 0 and 1")
        return None
    then, other = _branches(ctx, arg)

    def apply(b: Any) -> None:
        for effect in then if b.draw() < p else other:
            effect(b)

    return apply


@_effect("when")
def _when(ctx: EffectContext, arg: Any, owner: YMap, pos: Pos) -> Apply | None:
    if not _check_keys(ctx, arg, pos, "when", ("if", "then", "else")):
        return None
    test = ctx.condition(arg["if"], arg, "if")
    then, other = _branches(ctx, arg)
    if test is None:
        return None

    def apply(b: Any) -> None:
        for effect in then if test(b) else other:
            effect(b)

    return apply
