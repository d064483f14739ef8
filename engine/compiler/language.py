"""The condition language's meaning: type-checking and compiling to closures.

Owns: the functions a condition may call (`has`, `count`, `alive`, `status`, `place`,
`with_group`, `bitten`, `just_turned`, `visited`, `visits`, `survivors`, `name`, and the
seeded rolls `random`, `chance`), the names it may read (flags, counters, `episode`,
`turn`), the type rules of comparisons and arithmetic, and compiling a
parsed condition (`engine.compiler.syntax`) once, at load time, into a plain Python
closure over a state, together with every variable it reads
(`engine.runtime.conditions.Var`). Nothing is ever passed to eval or exec.
Adding a condition function: one entry in `_FUNCTIONS` and one `f_` maker in
`engine.compiler.functions`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from engine.compiler.functions import FunctionMakers, Getter
from engine.compiler.syntax import Expr, LanguageError, parse_condition
from engine.diagnostics import did_you_mean
from engine.runtime.conditions import Test, Var
from engine.runtime.world import PLACES, STATUSES

__all__ = [
    "BUILTINS",
    "FUNCTIONS",
    "Compiled",
    "Expression",
    "Symbols",
    "compile_condition",
    "compile_expression",
]


@dataclass(frozen=True)
class Symbols:
    """The ids a condition may name, and where each lives in the state."""

    cast_index: dict[str, int]
    item_index: dict[str, int]
    flags: Collection[str]
    counter_index: dict[str, int]
    nodes: Collection[str]
    names: Mapping[str, str] = field(default_factory=dict)  # character id -> name
    places: Collection[str] = PLACES  # the built-in places and the story's own


# --- type checking and compilation ------------------------------------------------------

# A compiled expression: its type ("bool", "int", "status", "place", "str") and a getter.
_Compiled = tuple[str, Getter]

_FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    # name: (argument kinds, result type)
    "has": (("item", "int?"), "bool"),
    "count": (("item",), "int"),
    "alive": (("character",), "bool"),
    "status": (("character",), "status"),
    "place": (("character",), "place"),
    "with_group": (("character",), "bool"),
    "bitten": (("character",), "bool"),
    "just_turned": (("character",), "bool"),
    "visited": (("node",), "bool"),
    "visits": (("node",), "int"),
    "survivors": ((), "int"),
    "name": (("character",), "str"),
    "random": (("int",), "int"),
    "chance": (("int",), "bool"),
}
_BUILTINS = {"episode", "turn"}
_ROLLS = {"random", "chance"}  # their whole-number argument keeps its offset
FUNCTIONS: Mapping[str, tuple[tuple[str, ...], str]] = MappingProxyType(_FUNCTIONS)
"""Every condition function: its argument kinds and result type (read-only, for editors)."""
BUILTINS: frozenset[str] = frozenset(_BUILTINS)
"""The names a condition may read besides flags and counters."""
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Compiler(FunctionMakers):
    sym: Symbols

    def __init__(self, symbols: Symbols, source: str) -> None:
        self.sym = symbols
        self.source = source
        self.visits: set[str] = set()
        self.counts: set[str] = set()
        self.reads: set[Var] = set()

    def compile(self, expr: Expr) -> _Compiled:
        method: Callable[[Expr], _Compiled] = getattr(self, "c_" + expr.kind)
        return method(expr)

    def as_bool(self, expr: Expr) -> Getter:
        kind, get = self.compile(expr)
        if kind != "bool":
            raise LanguageError(
                "E041", f"this is a {_describe(kind)}, not true/false (compare it?)", expr.offset
            )
        return get

    def c_or(self, e: Expr) -> _Compiled:
        tests = tuple(self.as_bool(arg) for arg in e.args)
        if len(tests) == 2:
            a, b = tests
            return "bool", lambda s: a(s) or b(s)
        return "bool", lambda s: any(test(s) for test in tests)

    def c_and(self, e: Expr) -> _Compiled:
        tests = tuple(self.as_bool(arg) for arg in e.args)
        if len(tests) == 2:
            a, b = tests
            return "bool", lambda s: a(s) and b(s)
        return "bool", lambda s: all(test(s) for test in tests)

    def c_not(self, e: Expr) -> _Compiled:
        a = self.as_bool(e.args[0])
        return "bool", lambda s: not a(s)

    def as_int(self, expr: Expr, op: str) -> Getter:
        kind, get = self.compile(expr)
        if kind != "int":
            raise LanguageError(
                "E041", f"{op} needs numbers, and this is a {_describe(kind)}", expr.offset
            )
        return get

    def c_sum(self, e: Expr) -> _Compiled:
        first, *rest = (self.as_int(arg, e.value[0]) for arg in e.args)
        signed = tuple(zip((op == "-" for op in e.value), rest, strict=True))
        if len(signed) == 1:
            minus, b = signed[0]
            if minus:
                return "int", lambda s: first(s) - b(s)
            return "int", lambda s: first(s) + b(s)

        def total(s: Any) -> int:
            value: int = first(s)
            for minus, get in signed:
                value = value - get(s) if minus else value + get(s)
            return value

        return "int", total

    def c_product(self, e: Expr) -> _Compiled:
        gets = tuple(self.as_int(arg, "*") for arg in e.args)

        def product(s: Any) -> int:
            value = 1
            for get in gets:
                value *= get(s)
            return value

        return "int", product

    def c_neg(self, e: Expr) -> _Compiled:
        get = self.as_int(e.args[0], "-")
        return "int", lambda s: -get(s)

    def c_number(self, e: Expr) -> _Compiled:
        value = e.value
        return "int", lambda s: value

    def c_bool(self, e: Expr) -> _Compiled:
        value = e.value
        return "bool", lambda s: value

    def c_string(self, e: Expr) -> _Compiled:
        value = e.value
        return "str", lambda s: value

    def c_name(self, e: Expr) -> _Compiled:
        name = e.value
        if name in self.sym.flags:
            self.reads.add(("flag", name))
            return "bool", lambda s: name in s.flags
        if name in self.sym.counter_index:
            self.reads.add(("counter", name))
            i = self.sym.counter_index[name]
            return "int", lambda s: s.counters[i]
        if name == "episode":
            self.reads.add(("builtin", name))
            return "int", lambda s: s.episode
        if name == "turn":
            self.reads.add(("builtin", name))
            return "int", lambda s: s.turn
        if name in _FUNCTIONS:
            raise LanguageError("E040", f"{name} is a function: write {name}(...)", e.offset)
        known = [*self.sym.flags, *self.sym.counter_index, *_BUILTINS]
        raise LanguageError(
            "E033",
            f'unknown flag or counter "{name}"',
            e.offset,
            did_you_mean(name, known),
        )

    def c_cmp(self, e: Expr) -> _Compiled:
        (lk, lg), (rk, rg) = self.compile(e.args[0]), self.compile(e.args[1])
        for kind, other, arg in ((lk, rk, e.args[1]), (rk, lk, e.args[0])):
            if kind in ("status", "place") and other == "str":
                allowed = STATUSES if kind == "status" else tuple(self.sym.places)
                if arg.value not in allowed:
                    raise LanguageError(
                        "E041",
                        f"'{arg.value}' is not a {kind} (one of: {', '.join(allowed)})",
                        arg.offset,
                        did_you_mean(arg.value, allowed),
                    )
        same = lk == rk or {lk, rk} in ({"status", "str"}, {"place", "str"})
        if not same:
            raise LanguageError(
                "E041",
                f"cannot compare a {_describe(lk)} with a {_describe(rk)}",
                e.offset,
            )
        if e.value not in ("==", "!=") and lk != "int":
            raise LanguageError("E041", f"{e.value} needs numbers on both sides", e.offset)
        op = _OPS[e.value]
        return "bool", lambda s: op(lg(s), rg(s))

    def c_call(self, e: Expr) -> _Compiled:
        name = e.value
        if name not in _FUNCTIONS:
            raise LanguageError(
                "E040",
                f'unknown function "{name}"',
                e.offset,
                did_you_mean(name, _FUNCTIONS),
            )
        kinds, result = _FUNCTIONS[name]
        required = [k for k in kinds if not k.endswith("?")]
        if not len(required) <= len(e.args) <= len(kinds):
            want = f"{len(required)}" if len(required) == len(kinds) else f"1 or {len(kinds)}"
            raise LanguageError(
                "E041", f"{name}() takes {want} argument(s), not {len(e.args)}", e.offset
            )
        ids = [
            self.argument(kind.rstrip("?"), arg) for kind, arg in zip(kinds, e.args, strict=False)
        ]
        ids = [i[0] if isinstance(i, tuple) else i for i in ids] if name not in _ROLLS else ids
        maker: Callable[..., Getter] = getattr(self, "f_" + name)
        return result, maker(*ids)

    def argument(self, kind: str, arg: Expr) -> Any:
        if kind == "int":
            if arg.kind != "number":
                raise LanguageError("E041", "expected a whole number here", arg.offset)
            return arg.value, arg.offset
        if arg.kind != "string":
            raise LanguageError(
                "E041", f"expected a quoted {kind} id, like '{kind}-id'", arg.offset
            )
        value: str = arg.value
        table: Collection[str] = {
            "item": self.sym.item_index,
            "character": self.sym.cast_index,
            "node": self.sym.nodes,
        }[kind]
        if value not in table:
            code = {"item": "E032", "character": "E031", "node": "E030"}[kind]
            raise LanguageError(
                code, f'unknown {kind} "{value}"', arg.offset + 1, did_you_mean(value, table)
            )
        if kind != "node":
            self.reads.add((kind, value))
        if kind == "item":
            return self.sym.item_index[value]
        if kind == "character":
            return self.sym.cast_index[value]
        return value


def _describe(kind: str) -> str:
    return {
        "bool": "true/false value",
        "int": "number",
        "status": "status",
        "place": "place",
        "str": "string",
    }[kind]


class Compiled(NamedTuple):
    """A compiled condition: the closure, the nodes it asks `visited()` about (the state
    must track them), every variable it reads, and the nodes it asks `visits()` about
    (the state must count them)."""

    test: Test
    visits: frozenset[str]
    reads: frozenset[Var]
    counts: frozenset[str] = frozenset()


class Expression(NamedTuple):
    """A compiled expression of any type (text interpolation): its type, its getter, and
    what a condition records (`Compiled`)."""

    kind: str
    get: Getter
    visits: frozenset[str]
    reads: frozenset[Var]
    counts: frozenset[str]


def compile_condition(source: str, symbols: Symbols) -> Compiled:
    """Compile a condition to a closure `state -> bool`, with what it reads.

    Raises LanguageError with the code and offset of the first problem.
    """
    compiler = _Compiler(symbols, source)
    test = compiler.as_bool(parse_condition(source))
    return Compiled(
        test, frozenset(compiler.visits), frozenset(compiler.reads), frozenset(compiler.counts)
    )


def compile_expression(source: str, symbols: Symbols) -> Expression:
    """Compile an expression of any type (a number, a name, a status, a place, a test).

    Raises LanguageError with the code and offset of the first problem.
    """
    compiler = _Compiler(symbols, source)
    kind, get = compiler.compile(parse_condition(source))
    return Expression(
        kind,
        get,
        frozenset(compiler.visits),
        frozenset(compiler.reads),
        frozenset(compiler.counts),
    )
