"""Text with values in it: `{trust}`, `{name('nam-ra')}`, `{if alive('x')}...{else}...{end}`.

Owns: `Template`, a node's or a choice's text compiled once at load time
(`engine.compiler.template`) into literal pieces, values read from the state and
conditional pieces, and `Template.render(state)`, which writes the text for one state.
Pure: rendering reads the state and never changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.runtime.conditions import StateView, Test, Var

__all__ = ["Branch", "Part", "Template", "Value"]


@dataclass(frozen=True, slots=True)
class Value:
    """`{expression}`: the value of an expression, written as text."""

    source: str
    get: Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Branch:
    """`{if COND}then{else}otherwise{end}`."""

    source: str
    test: Test
    then: tuple[Part, ...]
    otherwise: tuple[Part, ...]


Part = str | Value | Branch


def _write(parts: tuple[Part, ...], state: StateView, out: list[str]) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Value):
            value = part.get(state)
            out.append(("true" if value else "false") if isinstance(value, bool) else str(value))
        else:
            _write(part.then if part.test(state) else part.otherwise, state, out)


@dataclass(frozen=True, slots=True)
class Template:
    """A text with `{...}` in it. `source` is what the author wrote; `reads` every part
    of a state the text can depend on."""

    source: str
    parts: tuple[Part, ...]
    reads: frozenset[Var] = frozenset()

    def render(self, state: StateView) -> str:
        """The text for `state`."""
        out: list[str] = []
        _write(self.parts, state, out)
        return "".join(out)
