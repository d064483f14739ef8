"""The immutable story model: Story, Node, Choice, TurningPoint, Ending, Character, Item.

Owns: the shape of a checked story as the runtime sees it. Conditions and effects are
already compiled (see `language.py`); every object keeps its source position. Built only
by `loader.py`; never mutated afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.diagnostics import Pos

if TYPE_CHECKING:
    from engine.runtime.state import GameState

__all__ = [
    "ALIVE",
    "PLACES",
    "STATUSES",
    "Character",
    "Choice",
    "Condition",
    "Counter",
    "Effect",
    "Ending",
    "Episode",
    "Flag",
    "Item",
    "Node",
    "Story",
    "TextPiece",
    "TurningPoint",
]

STATUSES = ("healthy", "bitten", "hombie", "zombie", "dead")
ALIVE = frozenset({"healthy", "bitten", "hombie"})
PLACES = ("group", "separated", "elsewhere")
RESUME = "$resume"


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: `test(state)` answers it; `source` is what the author wrote."""

    source: str
    test: Callable[[GameState], bool]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Effect:
    """A compiled effect: `apply(builder)` changes the step under construction."""

    kind: str
    source: str
    apply: Callable[[Any], None]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Character:
    id: str
    name: str
    role: str
    status: str
    place: str
    carrier: bool
    incubation: int | None
    on_turn: str | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name: str
    description: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    description: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Counter:
    id: str
    start: int
    min: int | None
    max: int | None
    description: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class TextPiece:
    text: str
    condition: Condition | None


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    condition: Condition | None
    effects: tuple[Effect, ...]
    goto: str
    node: str
    pos: Pos
    goto_pos: Pos


@dataclass(frozen=True, slots=True)
class TurningPoint:
    id: str
    title: str
    canon: str
    in_the_show: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Ending:
    id: str
    title: str
    summary: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    episode: int | None
    text: str | tuple[TextPiece, ...]
    choices: tuple[Choice, ...]
    effects: tuple[Effect, ...]
    turning_point: TurningPoint | None
    ending: Ending | None
    pos: Pos
    choice_map: dict[str, Choice] = field(default_factory=dict, compare=False)
    unconditional: bool = False  # no choice has a condition: all are always offered


@dataclass(frozen=True, slots=True)
class Episode:
    number: int
    title: str
    path: str
    pos: Pos


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per load
class Story:
    """A loaded, checked story. Indexes map ids to positions in the state's tuples."""

    id: str
    title: str
    start: str
    incubation: int
    on_turn: str | None
    cast: dict[str, Character]
    items: dict[str, Item]
    flags: dict[str, Flag]
    counters: dict[str, Counter]
    nodes: dict[str, Node]
    episodes: dict[int, Episode]
    canon_roster: dict[str, tuple[tuple[int, str], ...]]
    canon_ending: str | None
    root: str
    fingerprint: str
    tracked_visits: frozenset[str]
    pos: Pos
    cast_ids: tuple[str, ...] = ()
    cast_index: dict[str, int] = field(default_factory=dict)
    item_ids: tuple[str, ...] = ()
    item_index: dict[str, int] = field(default_factory=dict)
    counter_ids: tuple[str, ...] = ()
    counter_index: dict[str, int] = field(default_factory=dict)

    def endings(self) -> list[Node]:
        """Every ending node, in file order."""
        return [n for n in self.nodes.values() if n.ending is not None]

    def turning_points(self) -> list[Node]:
        """Every node holding a turning point, in file order."""
        return [n for n in self.nodes.values() if n.turning_point is not None]

    def canon_status(self, character: str, episode: int) -> str:
        """The character's status in the show at the end of `episode`."""
        status = "healthy"
        for ep, value in self.canon_roster.get(character, ()):
            if ep <= episode:
                status = value
        return status

    def episode_title(self, number: int) -> str:
        episode = self.episodes.get(number)
        return episode.title if episode else f"Episode {number}"
