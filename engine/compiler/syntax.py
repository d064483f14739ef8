"""The condition language's syntax: tokens and the syntax tree, parsed without eval.

Owns: `parse_condition` (a whitelisted recursive-descent parser for
``has('phone') and not (trust < 2 or visited('ep03.booth'))``), the tree it returns
(`Expr`) and `LanguageError`, which carries the offset of the offending character so
the compiler can point at the exact line and column. Tokenising is one left-to-right
pass, linear in the text. Nothing is ever passed to eval or exec.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

__all__ = ["Expr", "LanguageError", "parse_condition"]


class LanguageError(Exception):
    """A problem in a condition: `offset` is the 0-based column inside the condition."""

    def __init__(self, code: str, message: str, offset: int, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.suggestion = suggestion


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


_SPACE = re.compile(r"\s*")


def _tokenize(source: str) -> list[_Token]:
    """The tokens of `source`, in one left-to-right pass (linear in its length)."""
    tokens: list[_Token] = []
    pos = 0
    end = len(source)
    while pos < end:
        skipped = _SPACE.match(source, pos)
        if skipped is not None and skipped.end() == end:
            break
        match = _TOKEN.match(source, pos)
        if not match or match.end() == pos:
            bad = skipped.end() if skipped is not None else pos
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


class Expr(NamedTuple):
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

    def parse(self) -> Expr:
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

    def parse_or(self) -> Expr:
        left = self.parse_and()
        while self.tok.kind == "name" and self.tok.text == "or":
            op = self.take()
            left = Expr("or", None, (left, self.parse_and()), op.offset)
        return left

    def parse_and(self) -> Expr:
        left = self.parse_not()
        while self.tok.kind == "name" and self.tok.text == "and":
            op = self.take()
            left = Expr("and", None, (left, self.parse_not()), op.offset)
        return left

    def parse_not(self) -> Expr:
        if self.tok.kind == "name" and self.tok.text == "not":
            op = self.take()
            return Expr("not", None, (self.parse_not(),), op.offset)
        return self.parse_cmp()

    def parse_cmp(self) -> Expr:
        left = self.parse_atom()
        if self.tok.kind == "op":
            op = self.take()
            right = self.parse_atom()
            return Expr("cmp", op.text, (left, right), op.offset)
        return left

    def parse_atom(self) -> Expr:
        tok = self.tok
        if tok.kind == "lparen":
            self.take()
            inner = self.parse_or()
            self.expect("rparen", "')'")
            return inner
        if tok.kind == "number":
            self.take()
            return Expr("number", int(tok.text), (), tok.offset)
        if tok.kind == "string":
            self.take()
            return Expr("string", tok.text[1:-1], (), tok.offset)
        if tok.kind == "name":
            if tok.text in ("and", "or", "not"):
                raise LanguageError("E040", f"'{tok.text}' needs something before it", tok.offset)
            self.take()
            if tok.text in ("true", "false"):
                return Expr("bool", tok.text == "true", (), tok.offset)
            if self.tok.kind == "lparen":
                return self.parse_call(tok)
            return Expr("name", tok.text, (), tok.offset)
        found = f"{tok.text!r}" if tok.text else "the end"
        raise LanguageError("E040", f"expected a value, found {found}", tok.offset)

    def parse_call(self, name: _Token) -> Expr:
        self.take()
        args: list[Expr] = []
        if self.tok.kind != "rparen":
            args.append(self.parse_or())
            while self.tok.kind == "comma":
                self.take()
                args.append(self.parse_or())
        self.expect("rparen", "')' to close the call")
        return Expr("call", name.text, tuple(args), name.offset)


def parse_condition(source: str) -> Expr:
    """Parse `source` into a syntax tree; raises LanguageError (E040) on bad syntax."""
    return _Parser(source).parse()
