"""The condition language's syntax: tokens and the syntax tree, parsed without eval.

Owns: `parse_condition` (a whitelisted recursive-descent parser for
``has('phone') and not (trust < 2 or visited('ep03.booth'))``), the tree it returns
(`Expr`) and `LanguageError`, which carries the offset of the offending character so
the compiler can point at the exact line and column. Tokenising is one left-to-right
pass, linear in the text. A chain of `and`s or `or`s is one node with every operand
(never a tree as deep as the chain), and the limits of `engine.compiler.limits` (the
condition's length, its nesting, the digits of a number) are checked before anything
deeper is built, so no condition can exhaust the stack, the time or the memory.
Nothing is ever passed to eval or exec.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from engine.compiler.limits import MAX_CONDITION_DEPTH, MAX_CONDITION_LENGTH, MAX_NUMBER_DIGITS

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
    kind: str  # name, number, string, op, arith, lparen, rparen, comma, end
    text: str
    offset: int


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>[0-9]+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<|>)
    | (?P<arith>[-+*])
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
        text = match.group(kind)
        if kind == "number" and len(text) > MAX_NUMBER_DIGITS:
            raise LanguageError(
                "E040",
                f"this number has {len(text):,} digits; a number in a condition has at most "
                f"{MAX_NUMBER_DIGITS}",
                match.start(kind),
            )
        tokens.append(_Token(kind, text, match.start(kind)))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


# --- syntax tree -----------------------------------------------------------------------


class Expr(NamedTuple):
    # or, and (every operand in args), not, cmp, call, name, number, string, bool,
    # sum (`value` holds the operators: "+" or "-" before each operand after the first),
    # product (every operand multiplied), neg
    kind: str
    value: Any
    args: tuple[Any, ...]
    offset: int


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.i = 0
        self.depth = 0  # parentheses, `not`s and calls open around the current token

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

    def enter(self, tok: _Token) -> None:
        """One level deeper (a parenthesis, a `not`, a call); refused past the limit."""
        self.depth += 1
        if self.depth > MAX_CONDITION_DEPTH:
            raise LanguageError(
                "E040",
                f"the condition is nested more than {MAX_CONDITION_DEPTH} levels deep "
                "(parentheses, not and calls); split it, or simplify it",
                tok.offset,
            )

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
        return self.chain("or", self.parse_and)

    def parse_and(self) -> Expr:
        return self.chain("and", self.parse_not)

    def chain(self, word: str, operand: Callable[[], Expr]) -> Expr:
        """`a WORD b WORD c ...` as one node holding every operand, in order."""
        first = operand()
        if not (self.tok.kind == "name" and self.tok.text == word):
            return first
        offset = self.tok.offset
        operands = [first]
        while self.tok.kind == "name" and self.tok.text == word:
            self.take()
            operands.append(operand())
        return Expr(word, None, tuple(operands), offset)

    def parse_not(self) -> Expr:
        nots: list[_Token] = []
        while self.tok.kind == "name" and self.tok.text == "not":
            nots.append(self.take())
            self.enter(nots[-1])
        expr = self.parse_cmp()
        for op in reversed(nots):
            expr = Expr("not", None, (expr,), op.offset)
            self.depth -= 1
        return expr

    def parse_cmp(self) -> Expr:
        left = self.parse_sum()
        if self.tok.kind == "op":
            op = self.take()
            right = self.parse_sum()
            return Expr("cmp", op.text, (left, right), op.offset)
        return left

    def parse_sum(self) -> Expr:
        """`a + b - c ...` as one node: the operands, and the operator before each."""
        first = self.parse_product()
        if not (self.tok.kind == "arith" and self.tok.text in "+-"):
            return first
        operands, ops = [first], []
        offset = self.tok.offset
        while self.tok.kind == "arith" and self.tok.text in "+-":
            ops.append(self.take().text)
            operands.append(self.parse_product())
        return Expr("sum", tuple(ops), tuple(operands), offset)

    def parse_product(self) -> Expr:
        first = self.parse_unary()
        if not (self.tok.kind == "arith" and self.tok.text == "*"):
            return first
        operands = [first]
        offset = self.tok.offset
        while self.tok.kind == "arith" and self.tok.text == "*":
            self.take()
            operands.append(self.parse_unary())
        return Expr("product", None, tuple(operands), offset)

    def parse_unary(self) -> Expr:
        tok = self.tok
        if tok.kind == "arith" and tok.text == "-":
            self.take()
            self.enter(tok)
            inner = self.parse_unary()
            self.depth -= 1
            return Expr("neg", None, (inner,), tok.offset)
        return self.parse_atom()

    def parse_atom(self) -> Expr:
        tok = self.tok
        if tok.kind == "lparen":
            self.take()
            self.enter(tok)
            inner = self.parse_or()
            self.expect("rparen", "')'")
            self.depth -= 1
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
        self.enter(self.take())
        args: list[Expr] = []
        if self.tok.kind != "rparen":
            args.append(self.parse_or())
            while self.tok.kind == "comma":
                self.take()
                args.append(self.parse_or())
        self.expect("rparen", "')' to close the call")
        self.depth -= 1
        return Expr("call", name.text, tuple(args), name.offset)


def parse_condition(source: str) -> Expr:
    """Parse `source` into a syntax tree; raises LanguageError (E040) on bad syntax or a
    condition past a limit (length, nesting, digits)."""
    if len(source) > MAX_CONDITION_LENGTH:
        raise LanguageError(
            "E040",
            f"the condition is {len(source):,} characters long; a condition holds at most "
            f"{MAX_CONDITION_LENGTH:,} (split it, or use a flag)",
            MAX_CONDITION_LENGTH,
        )
    return _Parser(source).parse()
