"""The condition language: a small whitelisted parser that compiles to closures.

Owns: tokenising, parsing and type-checking conditions such as
``has('phone') and alive('nam-ra') and status('gyeong-su') != 'bitten'``, and compiling
them once, at load time, into plain Python closures over a state. Nothing is ever passed
to eval or exec. Errors carry the offset of the offending character so the loader can
point at the exact line and column in the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from engine.diagnostics import did_you_mean
from engine.runtime.model import ALIVE, PLACES, STATUSES

__all__ = ["LanguageError", "Symbols", "compile_condition", "parse_condition"]

Getter = Callable[[Any], Any]


class LanguageError(Exception):
    """A problem in a condition: `offset` is the 0-based column inside the condition."""

    def __init__(self, code: str, message: str, offset: int, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.suggestion = suggestion


@dataclass(frozen=True)
class Symbols:
    """The ids a condition may name, and where each lives in the state."""

    cast_index: dict[str, int]
    item_index: dict[str, int]
    flags: Collection[str]
    counter_index: dict[str, int]
    nodes: Collection[str]


class _Token(NamedTuple):
    kind: str  # name, number, string, op, lparen, rparen, comma, end
    text: str
    offset: int


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<|>)
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<comma>,)
    )""",
    re.VERBOSE,
)


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if not match or match.end() == pos:
            bad = pos + len(source[pos:]) - len(source[pos:].lstrip())
            char = source[bad]
            if char in "'\"":
                raise LanguageError("E040", "this string is never closed", bad)
            hint = ""
            if char == "=":
                hint = " (use == to compare)"
            elif char in "&|!":
                hint = " (use and, or, not)"
            raise LanguageError("E040", f"unexpected character {char!r}{hint}", bad)
        kind = match.lastgroup or "end"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


# --- syntax tree -----------------------------------------------------------------------


class _Expr(NamedTuple):
    kind: str  # or, and, not, cmp, call, name, number, string, bool
    value: Any
    args: tuple[Any, ...]
    offset: int


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            found = f"{self.tok.text!r}" if self.tok.text else "the end"
            raise LanguageError("E040", f"expected {what}, found {found}", self.tok.offset)
        return self.take()

    def parse(self) -> _Expr:
        if self.tok.kind == "end":
            raise LanguageError("E040", "the condition is empty", 0)
        expr = self.parse_or()
        if self.tok.kind != "end":
            raise LanguageError(
                "E040",
                f"unexpected {self.tok.text!r} (missing and/or?)",
                self.tok.offset,
            )
        return expr

    def parse_or(self) -> _Expr:
        left = self.parse_and()
        while self.tok.kind == "name" and self.tok.text == "or":
            op = self.take()
            left = _Expr("or", None, (left, self.parse_and()), op.offset)
        return left

    def parse_and(self) -> _Expr:
        left = self.parse_not()
        while self.tok.kind == "name" and self.tok.text == "and":
            op = self.take()
            left = _Expr("and", None, (left, self.parse_not()), op.offset)
        return left

    def parse_not(self) -> _Expr:
        if self.tok.kind == "name" and self.tok.text == "not":
            op = self.take()
            return _Expr("not", None, (self.parse_not(),), op.offset)
        return self.parse_cmp()

    def parse_cmp(self) -> _Expr:
        left = self.parse_atom()
        if self.tok.kind == "op":
            op = self.take()
            right = self.parse_atom()
            return _Expr("cmp", op.text, (left, right), op.offset)
        return left

    def parse_atom(self) -> _Expr:
        tok = self.tok
        if tok.kind == "lparen":
            self.take()
            inner = self.parse_or()
            self.expect("rparen", "')'")
            return inner
        if tok.kind == "number":
            self.take()
            return _Expr("number", int(tok.text), (), tok.offset)
        if tok.kind == "string":
            self.take()
            return _Expr("string", tok.text[1:-1], (), tok.offset)
        if tok.kind == "name":
            if tok.text in ("and", "or", "not"):
                raise LanguageError("E040", f"'{tok.text}' needs something before it", tok.offset)
            self.take()
            if tok.text in ("true", "false"):
                return _Expr("bool", tok.text == "true", (), tok.offset)
            if self.tok.kind == "lparen":
                return self.parse_call(tok)
            return _Expr("name", tok.text, (), tok.offset)
        found = f"{tok.text!r}" if tok.text else "the end"
        raise LanguageError("E040", f"expected a value, found {found}", tok.offset)

    def parse_call(self, name: _Token) -> _Expr:
        self.take()
        args: list[_Expr] = []
        if self.tok.kind != "rparen":
            args.append(self.parse_or())
            while self.tok.kind == "comma":
                self.take()
                args.append(self.parse_or())
        self.expect("rparen", "')' to close the call")
        return _Expr("call", name.text, tuple(args), name.offset)


def parse_condition(source: str) -> _Expr:
    """Parse `source` into a syntax tree; raises LanguageError (E040) on bad syntax."""
    return _Parser(source).parse()


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
    "survivors": ((), "int"),
}
_BUILTINS = {"episode", "turn"}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Compiler:
    def __init__(self, symbols: Symbols) -> None:
        self.sym = symbols
        self.visits: set[str] = set()

    def compile(self, expr: _Expr) -> _Compiled:
        method: Callable[[_Expr], _Compiled] = getattr(self, "c_" + expr.kind)
        return method(expr)

    def as_bool(self, expr: _Expr) -> Getter:
        kind, get = self.compile(expr)
        if kind != "bool":
            raise LanguageError(
                "E041", f"this is a {_describe(kind)}, not true/false (compare it?)", expr.offset
            )
        return get

    def c_or(self, e: _Expr) -> _Compiled:
        a, b = self.as_bool(e.args[0]), self.as_bool(e.args[1])
        return "bool", lambda s: a(s) or b(s)

    def c_and(self, e: _Expr) -> _Compiled:
        a, b = self.as_bool(e.args[0]), self.as_bool(e.args[1])
        return "bool", lambda s: a(s) and b(s)

    def c_not(self, e: _Expr) -> _Compiled:
        a = self.as_bool(e.args[0])
        return "bool", lambda s: not a(s)

    def c_number(self, e: _Expr) -> _Compiled:
        value = e.value
        return "int", lambda s: value

    def c_bool(self, e: _Expr) -> _Compiled:
        value = e.value
        return "bool", lambda s: value

    def c_string(self, e: _Expr) -> _Compiled:
        value = e.value
        return "str", lambda s: value

    def c_name(self, e: _Expr) -> _Compiled:
        name = e.value
        if name in self.sym.flags:
            return "bool", lambda s: name in s.flags
        if name in self.sym.counter_index:
            i = self.sym.counter_index[name]
            return "int", lambda s: s.counters[i]
        if name == "episode":
            return "int", lambda s: s.episode
        if name == "turn":
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

    def c_cmp(self, e: _Expr) -> _Compiled:
        (lk, lg), (rk, rg) = self.compile(e.args[0]), self.compile(e.args[1])
        for kind, other, arg in ((lk, rk, e.args[1]), (rk, lk, e.args[0])):
            if kind in ("status", "place") and other == "str":
                allowed = STATUSES if kind == "status" else PLACES
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

    def c_call(self, e: _Expr) -> _Compiled:
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
        maker: Callable[..., Getter] = getattr(self, "f_" + name)
        return result, maker(*ids)

    def argument(self, kind: str, arg: _Expr) -> Any:
        if kind == "int":
            if arg.kind != "number":
                raise LanguageError("E041", "expected a whole number here", arg.offset)
            return arg.value
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
        if kind == "item":
            return self.sym.item_index[value]
        if kind == "character":
            return self.sym.cast_index[value]
        self.visits.add(value)
        return value

    # Function makers: each returns a closure over the index computed at load time.
    def f_has(self, i: int, n: int = 1) -> Getter:
        return lambda s: s.inventory[i] >= n

    def f_count(self, i: int) -> Getter:
        return lambda s: s.inventory[i]

    def f_alive(self, i: int) -> Getter:
        return lambda s: s.roster[i].status in ALIVE

    def f_status(self, i: int) -> Getter:
        return lambda s: s.roster[i].status

    def f_place(self, i: int) -> Getter:
        return lambda s: s.roster[i].place

    def f_with_group(self, i: int) -> Getter:
        return lambda s: s.roster[i].place == "group" and s.roster[i].status in ALIVE

    def f_bitten(self, i: int) -> Getter:
        return lambda s: s.roster[i].status == "bitten"

    def f_just_turned(self, i: int) -> Getter:
        return lambda s: i in s.just_turned

    def f_visited(self, node: str) -> Getter:
        return lambda s: node in s.visited

    def f_survivors(self) -> Getter:
        return lambda s: sum(1 for c in s.roster if c.place == "group" and c.status in ALIVE)


def _describe(kind: str) -> str:
    return {
        "bool": "true/false value",
        "int": "number",
        "status": "status",
        "place": "place",
        "str": "string",
    }[kind]


def compile_condition(source: str, symbols: Symbols) -> tuple[Getter, set[str]]:
    """Compile a condition to a closure `state -> bool`.

    Returns the closure and the node ids it reads with visited(), which the state must
    track. Raises LanguageError with the code and offset of the first problem.
    """
    compiler = _Compiler(symbols)
    test = compiler.as_bool(parse_condition(source))
    return test, compiler.visits
