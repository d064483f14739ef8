"""What an exploration finds: the result types of `engine.tools.explore`.

Owns: `ExploreResult` and its parts (`EndingReport`, `Softlock`, `NeverAvailable`,
`FinalRoster`) and `Steps`, a path as (node id, choice id) pairs. Plain data, no logic:
`engine.tools.explore` fills them, `engine.report.explore` presents them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["EndingReport", "ExploreResult", "FinalRoster", "NeverAvailable", "Softlock", "Steps"]

Steps = tuple[tuple[str, str], ...]  # (node id, choice id) per step, oldest first


class EndingReport(NamedTuple):
    """One ending: whether play reaches it, in how many states, and a shortest way there."""

    id: str
    node: str
    title: str
    states: int
    witness: Steps | None
    survivors: int | None


class Softlock(NamedTuple):
    """A node where play gets stuck in some reachable state, with the shortest way there.

    kind "no choice": no choice is available and the node is not an ending. kind "no way
    out": choices remain, but none of their paths ever reaches an ending (a loop).
    """

    node: str
    kind: str
    states: int
    witness: Steps


class NeverAvailable(NamedTuple):
    """A choice no reachable state offers; `reason` says whether its node is reached."""

    node: str
    choice: str
    condition: str | None
    node_reached: bool


class FinalRoster(NamedTuple):
    """A distinct roster at an ending: (status, place) per character in cast order.

    `first_state` numbers the first state found with it: `Explorer.witness(first_state)`
    is a shortest path there (not built up front: a big story has tens of thousands).
    """

    roster: tuple[tuple[str, str], ...]
    survivors: int
    states: int
    endings: tuple[str, ...]
    first_state: int


@dataclass
class ExploreResult:
    """Everything an exploration found; `complete` is False when it stopped early."""

    story: str
    seed: int
    states: int
    transitions: int
    complete: bool
    stopped: str | None  # None, "bound", "interrupted", "time" (--max-seconds), "memory"
    reads_turn: bool
    merged: bool  # states differing only in values no later condition reads were merged
    endings: list[EndingReport]
    softlocks: list[Softlock]
    never_available: list[NeverAvailable]
    unreached_nodes: list[str]
    final_rosters: list[FinalRoster] | None  # None: not counted (no census was asked)
    max_depth: int
    symbolic: bool = False  # searched as sets of states (`engine.tools.symbolic`)
    # Every distinct final roster, when more were counted than `final_rosters` lists (the
    # search by sets lists those with the most survivors); None: all are listed.
    distinct_rosters: int | None = None

    @property
    def roster_count(self) -> int | None:
        """How many distinct final rosters there are (None: not counted)."""
        if self.final_rosters is None:
            return None
        return (
            self.distinct_rosters if self.distinct_rosters is not None else len(self.final_rosters)
        )
