"""The immutable story model: Story, Node, Choice, TurningPoint, Ending, Character, Item.

Owns: the shape of a checked story as the runtime sees it (its words, `Status` and
`Place`, come from `engine.runtime.world`). Conditions and effects are already compiled
(`engine.runtime.conditions`, `engine.runtime.effects`); every object keeps its source
position. Built only by `engine.compiler`; every mapping is read-only, so nothing can
change a story after it is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from engine.diagnostics import Pos
from engine.runtime.conditions import Condition
from engine.runtime.effects import Effect
from engine.runtime.text import Template
from engine.runtime.world import PLACES, Status

__all__ = [
    "Canon",
    "CanonEntry",
    "Character",
    "Choice",
    "Counter",
    "Ending",
    "Episode",
    "Flag",
    "Item",
    "Node",
    "Story",
    "TextPiece",
    "TurningPoint",
    "frozen",
]

_K = TypeVar("_K")
_V = TypeVar("_V")


def frozen(mapping: Mapping[_K, _V]) -> Mapping[_K, _V]:
    """A read-only view of a copy of `mapping`."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Character:
    id: str
    name: str
    role: str
    status: Status
    place: str  # a `Place`, or one the story declares under `places:`
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
    template: Template | None = None  # the text holds `{...}`: render it per state


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    condition: Condition | None
    effects: tuple[Effect, ...]
    goto: str
    node: str
    pos: Pos
    canon: bool = False  # `canon: true`: the canon takes this choice (outside turning points)
    added: bool = False  # added to the node by a branch file's add_choices: never canon
    once: bool = False  # `once: true`: offered until taken once
    unless: Condition | None = None  # shown but not playable while this holds
    disabled_text: str = ""  # why, shown with the choice while `unless` holds
    template: Template | None = None  # the text holds `{...}`: render it per state

    @property
    def plain(self) -> bool:
        """Always offered and playable: no `if`, `unless` or `once`."""
        return self.condition is None and self.unless is None and not self.once


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
    """A scene with choices, or an ending. `choice_map` finds a choice by id; `unconditional`
    says that no choice has a condition, so all are always offered."""

    id: str
    episode: int | None
    text: str | tuple[TextPiece, ...]
    choices: tuple[Choice, ...]
    effects: tuple[Effect, ...]
    turning_point: TurningPoint | None
    ending: Ending | None
    pos: Pos
    choice_map: Mapping[str, Choice]
    unconditional: bool
    template: Template | None = None  # a string text holding `{...}`: render it per state


@dataclass(frozen=True, slots=True)
class CanonEntry:
    """A character's status in the canon from the end of `episode` on."""

    episode: int
    status: Status
    pos: Pos


@dataclass(frozen=True, slots=True)
class Canon:
    """What the story's canon is: its name in messages ("the show", "the record"), the
    roster timeline (characters left out keep their starting status) and its ending."""

    label: str
    roster: Mapping[str, tuple[CanonEntry, ...]]
    ending: str | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Episode:
    number: int
    title: str
    path: str
    pos: Pos


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per load
class Story:
    """A loaded, checked story. The `*_ids` tuples give each character, item and counter
    its position in the state's tuples; the `*_index` mappings are their inverses."""

    id: str
    title: str
    start: str
    incubation: int
    on_turn: str | None
    cast: Mapping[str, Character]
    items: Mapping[str, Item]
    flags: Mapping[str, Flag]
    counters: Mapping[str, Counter]
    nodes: Mapping[str, Node]
    episodes: Mapping[int, Episode]
    canon: Canon | None  # None: the story declares no canon, so nothing compares with one
    root: str
    fingerprint: str
    tracked_visits: frozenset[str]
    pos: Pos
    cast_ids: tuple[str, ...]
    cast_index: Mapping[str, int]
    item_ids: tuple[str, ...]
    item_index: Mapping[str, int]
    counter_ids: tuple[str, ...]
    counter_index: Mapping[str, int]
    counted_visits: frozenset[str] = frozenset()  # nodes a `visits()` condition counts
    places: tuple[str, ...] = PLACES  # the built-in places, then those under `places:`
    # The branch files loaded on top, as paths relative to the story folder when inside
    # it (`branches/x.yaml`), else absolute; saves record them.
    branch_files: tuple[str, ...] = ()

    def endings(self) -> list[Node]:
        """Every ending node, in file order."""
        return [n for n in self.nodes.values() if n.ending is not None]

    def turning_points(self) -> list[Node]:
        """Every node holding a turning point, in file order."""
        return [n for n in self.nodes.values() if n.turning_point is not None]

    @property
    def canon_ending(self) -> str | None:
        """The id of the canon's ending, if the story names one."""
        return self.canon.ending if self.canon is not None else None

    def canon_status(self, character: str, episode: int) -> Status:
        """The character's status in the canon at the end of `episode`: the latest roster
        entry at or before it, else the status the character starts with."""
        status = self.cast[character].status
        if self.canon is None:
            return status
        for entry in self.canon.roster.get(character, ()):
            if entry.episode <= episode:
                status = entry.status
        return status

    def episode_title(self, number: int) -> str:
        episode = self.episodes.get(number)
        return episode.title if episode else f"Episode {number}"
