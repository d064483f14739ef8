"""Effects as typed operations on a step under construction.

Owns: one small frozen class per effect kind (give, take, set/clear, add, set_counter,
bite, reveal, turn, kill, cure, move/separate/rejoin/leave, chance, when), each with an
`apply(builder)` that calls the `StepBuilder` operation it stands for, and
`conditions()` / `nested()` so tools can see inside `when` and `chance` without the
story's text. The rules every operation obeys (the dead stay dead, counts never go
negative, everything is logged with its cause) live in the builder
(`engine.runtime.builder`); the YAML forms are compiled by `engine.compiler.effects`.
Adding an effect kind: one class here, one builder method, one compile handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Protocol

from engine.diagnostics import Pos
from engine.runtime.conditions import Condition, StateView

__all__ = [
    "AddCounters",
    "Bite",
    "Chance",
    "Cure",
    "Effect",
    "GiveItem",
    "Kill",
    "Move",
    "Reveal",
    "SetCounters",
    "SetFlag",
    "StepBuilder",
    "TakeItem",
    "Turn",
    "When",
    "walk_effects",
]


class StepBuilder(StateView, Protocol):
    """What effects may do to a step under construction (`engine.runtime.builder`).

    Characters, items and counters are addressed by their index in the story's tuples;
    a character index of `TURNED_TARGET` means whoever just turned.
    """

    def give(self, item: int, count: int) -> None: ...
    def take(self, item: int, count: int) -> None: ...
    def set_flag(self, name: str, value: bool) -> None: ...
    def add(self, counter: int, delta: int) -> None: ...
    def set_counter(self, counter: int, value: int) -> None: ...
    def draw(self) -> float: ...
    def bite(self, who: int, turns: int | None, hidden: bool) -> None: ...
    def reveal(self, who: int) -> None: ...
    def turn_now(self, who: int) -> None: ...
    def kill(self, who: int) -> None: ...
    def cure(self, who: int) -> None: ...
    def move(self, who: int, place: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Effect:
    """One compiled effect. `source` is a short text of what the author wrote."""

    kind: ClassVar[str] = ""
    source: str
    pos: Pos

    def apply(self, b: StepBuilder) -> None:
        raise NotImplementedError

    def conditions(self) -> tuple[Condition, ...]:
        """The conditions this effect itself tests (not those of nested effects)."""
        return ()

    def nested(self) -> tuple[Effect, ...]:
        """The effects this one may apply in turn (`then`/`else` of when and chance)."""
        return ()


@dataclass(frozen=True, slots=True)
class GiveItem(Effect):
    kind: ClassVar[str] = "give"
    item: int
    count: int

    def apply(self, b: StepBuilder) -> None:
        b.give(self.item, self.count)


@dataclass(frozen=True, slots=True)
class TakeItem(Effect):
    kind: ClassVar[str] = "take"
    item: int
    count: int

    def apply(self, b: StepBuilder) -> None:
        b.take(self.item, self.count)


@dataclass(frozen=True, slots=True)
class SetFlag(Effect):
    kind: ClassVar[str] = "set"  # `clear: x` compiles to SetFlag(value=False)
    flag: str
    value: bool

    def apply(self, b: StepBuilder) -> None:
        b.set_flag(self.flag, self.value)


@dataclass(frozen=True, slots=True)
class AddCounters(Effect):
    kind: ClassVar[str] = "add"
    changes: tuple[tuple[int, int], ...]  # (counter index, amount)

    def apply(self, b: StepBuilder) -> None:
        for counter, delta in self.changes:
            b.add(counter, delta)


@dataclass(frozen=True, slots=True)
class SetCounters(Effect):
    kind: ClassVar[str] = "set_counter"
    values: tuple[tuple[int, int], ...]  # (counter index, value)

    def apply(self, b: StepBuilder) -> None:
        for counter, value in self.values:
            b.set_counter(counter, value)


@dataclass(frozen=True, slots=True)
class Bite(Effect):
    kind: ClassVar[str] = "bite"
    who: int
    turns: int | None  # None: the character's or the story's incubation
    hidden: bool

    def apply(self, b: StepBuilder) -> None:
        b.bite(self.who, self.turns, self.hidden)


@dataclass(frozen=True, slots=True)
class Reveal(Effect):
    kind: ClassVar[str] = "reveal"
    who: int

    def apply(self, b: StepBuilder) -> None:
        b.reveal(self.who)


@dataclass(frozen=True, slots=True)
class Turn(Effect):
    kind: ClassVar[str] = "turn"
    who: int

    def apply(self, b: StepBuilder) -> None:
        b.turn_now(self.who)


@dataclass(frozen=True, slots=True)
class Kill(Effect):
    kind: ClassVar[str] = "kill"
    who: int

    def apply(self, b: StepBuilder) -> None:
        b.kill(self.who)


@dataclass(frozen=True, slots=True)
class Cure(Effect):
    kind: ClassVar[str] = "cure"
    who: int

    def apply(self, b: StepBuilder) -> None:
        b.cure(self.who)


@dataclass(frozen=True, slots=True)
class Move(Effect):
    kind: ClassVar[str] = "move"  # move, separate, rejoin and leave
    who: int
    place: str  # a `Place`, or a place the story declares

    def apply(self, b: StepBuilder) -> None:
        b.move(self.who, self.place)


@dataclass(frozen=True, slots=True)
class Chance(Effect):
    """`then` with probability `p`, else `otherwise`; one draw of the seeded generator."""

    kind: ClassVar[str] = "chance"
    p: float
    then: tuple[Effect, ...]
    otherwise: tuple[Effect, ...]

    def apply(self, b: StepBuilder) -> None:
        for effect in self.then if b.draw() < self.p else self.otherwise:
            effect.apply(b)

    def nested(self) -> tuple[Effect, ...]:
        return self.then + self.otherwise


@dataclass(frozen=True, slots=True)
class When(Effect):
    """`then` when the condition holds on the step so far, else `otherwise`."""

    kind: ClassVar[str] = "when"
    condition: Condition
    then: tuple[Effect, ...]
    otherwise: tuple[Effect, ...]

    def apply(self, b: StepBuilder) -> None:
        for effect in self.then if self.condition.test(b) else self.otherwise:
            effect.apply(b)

    def conditions(self) -> tuple[Condition, ...]:
        return (self.condition,)

    def nested(self) -> tuple[Effect, ...]:
        return self.then + self.otherwise


def walk_effects(effects: tuple[Effect, ...]) -> Iterator[Effect]:
    """Every effect of a list, nested ones included, depth first."""
    stack = list(reversed(effects))
    while stack:
        effect = stack.pop()
        yield effect
        stack.extend(reversed(effect.nested()))
