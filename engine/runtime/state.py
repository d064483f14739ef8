"""Immutable game state: the roster, inventory, flags, counters, and the logs of the run.

Owns: `GameState` and `CharState`, the persistent trails that hold the log and the path,
the seeded generator (`mulberry32_next`) and the state digest saves use. Everything here
is a tuple (NamedTuple) or a frozenset, so a state can be shared, hashed and kept for
undo without copying. The start of a run is made by `engine.runtime.rules.initial_state`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from operator import itemgetter
from typing import NamedTuple

from engine.runtime.events import LogEntry
from engine.runtime.model import Story
from engine.runtime.world import ALIVE, Status

__all__ = [
    "CharState",
    "GameState",
    "Trail",
    "count_visit",
    "iter_trail",
    "mulberry32_next",
    "state_digest",
    "status_of",
]


class CharState(NamedTuple):
    """One character: status, place, incubation left, and whether a bite is still hidden
    from the player. (When and why a status began is in the state's log.)"""

    status: Status
    place: str  # a `Place`, or a place the story declares under `places:`
    turns_left: int = 0
    hidden: bool = False

    @property
    def is_alive(self) -> bool:
        return self.status in ALIVE


status_of = itemgetter(0)
"""A CharState's status, as a C-level getter: `Status.BITTEN in map(status_of, roster)`
is the test every step makes (is anyone incubating?)."""


# A persistent list: (previous, item) pairs, newest last; O(1) to extend, shared by states.
Trail = tuple["Trail | None", object] | None


def iter_trail(trail: Trail) -> Iterator[object]:
    """Items of a trail, oldest first."""
    items = []
    while trail is not None:
        trail, item = trail
        items.append(item)
    return reversed(items)


class GameState(NamedTuple):
    """Everything a run has become. Build new ones through `rules.step`, never by hand."""

    node: str
    turn: int
    episode: int
    roster: tuple[CharState, ...]
    inventory: tuple[int, ...]
    flags: frozenset[str]
    counters: tuple[int, ...]
    visited: frozenset[str]
    rng: int
    resume: str | None
    just_turned: tuple[int, ...]
    log: Trail
    path: Trail
    # How often the run entered each node a `visits()` condition counts, by node id
    # (sorted); only counted nodes appear, so stories that count none keep ().
    visits: tuple[tuple[str, int], ...] = ()
    # The `once: true` choices already taken, as "node/choice"; they are offered no more.
    taken: frozenset[str] = frozenset()

    def visit_count(self, node: str) -> int:
        """How many times the run entered `node` (0 unless the story counts it)."""
        for name, count in self.visits:
            if name == node:
                return count
        return 0

    def log_entries(self) -> list[LogEntry]:
        return [e for e in iter_trail(self.log) if isinstance(e, LogEntry)]

    def steps(self) -> list[tuple[str, str]]:
        """The (node id, choice id) of every step taken, oldest first."""
        return [s for s in iter_trail(self.path) if isinstance(s, tuple)]


def count_visit(visits: tuple[tuple[str, int], ...], node: str) -> tuple[tuple[str, int], ...]:
    """`visits` with one more entry into `node` (kept sorted by node id)."""
    counts = dict(visits)
    counts[node] = counts.get(node, 0) + 1
    return tuple(sorted(counts.items()))


def mulberry32_next(rng: int) -> tuple[int, float]:
    """One draw of mulberry32: the new generator state and a float in [0, 1)."""
    a = (rng + 0x6D2B79F5) & 0xFFFFFFFF
    t = a
    t = ((t ^ (t >> 15)) * (1 | t)) & 0xFFFFFFFF
    t = ((t + (((t ^ (t >> 7)) * (61 | t)) & 0xFFFFFFFF)) & 0xFFFFFFFF) ^ t
    return a, ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296.0


def state_digest(story: Story, state: GameState) -> str:
    """A short, stable digest of what a state means (ids, not positions in tuples).

    Two runs with the same digest after every step played the same game. It names
    characters, items and counters by id so that adding one to the story changes only
    digests that involve it.
    """
    parts = [
        f"node={state.node}",
        f"turn={state.turn}",
        f"episode={state.episode}",
        f"rng={state.rng}",
        f"resume={state.resume}",
    ]
    for cid, char in zip(story.cast_ids, state.roster, strict=True):
        parts.append(f"c:{cid}={char.status},{char.place},{char.turns_left},{int(char.hidden)}")
    for iid, count in zip(story.item_ids, state.inventory, strict=True):
        if count:
            parts.append(f"i:{iid}={count}")
    parts.extend(f"f:{flag}" for flag in sorted(state.flags))
    for name, value in zip(story.counter_ids, state.counters, strict=True):
        parts.append(f"n:{name}={value}")
    # Parts that only stories using visits() or once: have: older digests stay the same.
    parts.extend(f"v:{node}={count}" for node, count in state.visits)
    parts.extend(f"o:{key}" for key in sorted(state.taken))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
