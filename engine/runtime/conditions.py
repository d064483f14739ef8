"""Compiled conditions: what a condition tests, and which parts of a state it reads.

Owns: `Condition` (the author's text, a closure over a state, its position and the
variables it reads), `Var` (a readable part of a state: a flag, a counter, an item, a
visited node, the turn or the episode) and `StateView` (what a closure may read: a
`GameState`, or the step under construction, which has the same attributes). The
language that produces conditions is `engine.compiler.language`; tools use `reads`
instead of parsing the text again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.diagnostics import Pos

__all__ = ["Condition", "StateView", "Test", "Var", "constant"]

Var = tuple[str, str]
"""("flag", name), ("counter", name), ("item", id), ("visited", node), ("visits", node),
("once", "node/choice") or ("builtin", name); ("builtin", "rng") for a seeded roll."""


class CharacterView(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def place(self) -> str: ...


class StateView(Protocol):
    """The parts of a state a condition can read."""

    @property
    def roster(self) -> Sequence[CharacterView]: ...
    @property
    def inventory(self) -> Sequence[int]: ...
    @property
    def flags(self) -> Collection[str]: ...
    @property
    def counters(self) -> Sequence[int]: ...
    @property
    def visited(self) -> Collection[str]: ...
    @property
    def just_turned(self) -> Collection[int]: ...
    @property
    def episode(self) -> int: ...
    @property
    def turn(self) -> int: ...
    @property
    def rng(self) -> int: ...
    @property
    def visits(self) -> Sequence[tuple[str, int]]: ...


Test = Callable[[StateView], bool]


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: `test(state)` answers it; `source` is what the author wrote;
    `reads` names every part of a state the answer can depend on."""

    source: str
    test: Test
    pos: Pos
    reads: frozenset[Var] = frozenset()


def _true(state: StateView) -> bool:
    return True


def _false(state: StateView) -> bool:
    return False


def constant(value: bool, pos: Pos) -> Condition:
    """The condition written as a bare `true` or `false`."""
    return Condition("true" if value else "false", _true if value else _false, pos)
