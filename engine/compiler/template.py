"""Text interpolation: `{trust}`, `{name('nam-ra')}`, `{if COND}...{else}...{end}`.

Owns: compiling a node's or a choice's text that holds braces into a runtime
`Template` (`engine.runtime.text`): `{EXPR}` writes the value of any expression of the
condition language (a counter, `count('arrows')`, `name('nam-ra')`, `trust + 1`);
`{if COND}`, `{else}` and `{end}` choose a part of the text; `{{` and `}}` are literal
braces. A mistake (an unknown name, a brace left open, an `{end}` too many) is reported
at its line and column, with the condition language's did-you-mean.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from engine.compiler.functions import Getter
from engine.compiler.language import Symbols, compile_expression
from engine.compiler.limits import MAX_CONDITION_DEPTH
from engine.compiler.locate import locate
from engine.compiler.syntax import LanguageError
from engine.diagnostics import Pos, Reporter
from engine.runtime.conditions import Var
from engine.runtime.text import Branch, Part, Template, Value

__all__ = ["TemplateContext", "compile_template"]

_PIECE = re.compile(r"\{\{|\}\}|\{|\}")
_KEYWORD = re.compile(r"\s*(if|else|end)\b\s*")


class TemplateContext(Reporter, Protocol):
    """What compiling a text needs from the compiler's context (and `error`)."""

    visits: set[str]
    counted_visits: set[str]

    def symbols(self) -> Symbols: ...
    def lines(self, path: str) -> list[str]: ...


@dataclass
class _Open:
    """A part under construction: the text's top, or an `{if}` waiting for its `{end}`."""

    source: str
    offset: int
    test: Getter | None = None
    then: list[Part] = field(default_factory=list)
    otherwise: list[Part] | None = None

    @property
    def parts(self) -> list[Part]:
        return self.then if self.otherwise is None else self.otherwise


def compile_template(
    ctx: TemplateContext, text: str, pos: Pos, style: str | None
) -> Template | None:
    """`text` as a `Template`, or None when it holds no brace (or a mistake, reported)."""
    if "{" not in text and "}" not in text:
        return None
    try:
        parts, reads = _parse(ctx, text)
    except LanguageError as exc:
        where = locate(ctx.lines(pos.path), pos, style, text, exc.offset)
        ctx.error(where, exc.code, exc.message, exc.suggestion)
        return None
    return Template(text, tuple(parts), frozenset(reads))


def _parse(ctx: TemplateContext, text: str) -> tuple[Sequence[Part], set[Var]]:
    stack = [_Open("", 0)]
    reads: set[Var] = set()
    literal: list[str] = []
    pos = 0
    while (match := _PIECE.search(text, pos)) is not None:
        brace = match.group()
        literal.append(text[pos : match.start()])
        pos = match.end()
        if brace in ("{{", "}}"):
            literal.append(brace[0])
            continue
        if brace == "}":
            raise LanguageError(
                "E040", "a } with no { before it (write }} for a literal brace)", match.start()
            )
        close = text.find("}", match.end())
        if close < 0:
            raise LanguageError(
                "E040", "this { is never closed (write {{ for a literal brace)", match.start()
            )
        if literal:
            stack[-1].parts.append("".join(literal))
            literal = []
        _inside(ctx, text, match.end(), close, stack, reads)
        pos = close + 1
    literal.append(text[pos:])
    if len(stack) > 1:
        raise LanguageError("E040", "this {if} has no {end}", stack[-1].offset)
    if "".join(literal):
        stack[0].parts.append("".join(literal))
    return stack[0].then, reads


def _inside(
    ctx: TemplateContext, text: str, start: int, close: int, stack: list[_Open], reads: set[Var]
) -> None:
    """One `{...}`: a keyword (`if COND`, `else`, `end`) or an expression."""
    body = text[start:close]
    keyword = _KEYWORD.match(body)
    word = keyword.group(1) if keyword else None
    if word == "if":
        assert keyword is not None
        if len(stack) > MAX_CONDITION_DEPTH:
            raise LanguageError("E040", f"more than {MAX_CONDITION_DEPTH} nested {{if}}", start)
        at = start + keyword.end()
        kind, get = _expression(ctx, text[at:close], at, reads)
        if kind != "bool":
            raise LanguageError("E041", "{if ...} needs a true/false condition", at)
        stack.append(_Open(text[at:close], start - 1, get))
    elif word in ("else", "end") and body.strip() == word:
        if len(stack) == 1:
            raise LanguageError("E040", f"{{{word}}} with no {{if}} before it", start - 1)
        top = stack[-1]
        if word == "else":
            if top.otherwise is not None:
                raise LanguageError("E040", "a second {else} for the same {if}", start - 1)
            top.otherwise = []
        else:
            stack.pop()
            assert top.test is not None  # every {if} on the stack has its test
            branch = Branch(top.source, top.test, tuple(top.then), tuple(top.otherwise or ()))
            stack[-1].parts.append(branch)
    else:
        kind, get = _expression(ctx, body, start, reads)
        stack[-1].parts.append(Value(body.strip(), get))


def _expression(
    ctx: TemplateContext, source: str, offset: int, reads: set[Var]
) -> tuple[str, Getter]:
    try:
        compiled = compile_expression(source, ctx.symbols())
    except LanguageError as exc:
        raise LanguageError(exc.code, exc.message, offset + exc.offset, exc.suggestion) from None
    ctx.visits |= compiled.visits
    ctx.counted_visits |= compiled.counts
    reads |= compiled.reads
    return compiled.kind, compiled.get
