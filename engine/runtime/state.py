"""Immutable game state: the roster, inventory, flags, counters, and the logs of the run.

Owns: `GameState` and its parts, `initial_state`, the seeded generator, and the state
digest used by saves. Everything here is a tuple (NamedTuple) or a frozenset, so a state
can be shared, hashed and kept for undo without copying. No I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import NamedTuple

from engine.runtime.model import ALIVE, Story

__all__ = [
    "CharState",
    "GameState",
    "LogEntry",
    "Trail",
    "initial_state",
    "iter_trail",
    "mulberry32_next",
    "state_digest",
]


class CharState(NamedTuple):
    """One character: status, place, the turn that status began, incubation left."""

    status: str
    place: str
    since: int = 0
    turns_left: int = 0
    hidden: bool = False

    @property
    def is_alive(self) -> bool:
        return self.status in ALIVE


class LogEntry(NamedTuple):
    """An applied effect and its cause: the step (turn), node and choice it came from.

    `choice` is None for effects a node applies on entry; the step's choice is then
    `path[turn - 1]`. `kind` is the effect ("bite", "kill", "turned", ...); `subject` the
    character, item, flag or counter; `detail` a short human-readable result.
    """

    turn: int
    node: str
    choice: str | None
    kind: str
    subject: str
    detail: str


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

    def log_entries(self) -> list[LogEntry]:
        return [e for e in iter_trail(self.log) if isinstance(e, LogEntry)]

    def steps(self) -> list[tuple[str, str]]:
        """The (node id, choice id) of every step taken, oldest first."""
        return [s for s in iter_trail(self.path) if isinstance(s, tuple)]


def mulberry32_next(rng: int) -> tuple[int, float]:
    """One draw of mulberry32: the new generator state and a float in [0, 1)."""
    a = (rng + 0x6D2B79F5) & 0xFFFFFFFF
    t = a
    t = ((t ^ (t >> 15)) * (1 | t)) & 0xFFFFFFFF
    t = ((t + (((t ^ (t >> 7)) * (61 | t)) & 0xFFFFFFFF)) & 0xFFFFFFFF) ^ t
    return a, ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296.0


def initial_state(story: Story, seed: int = 0) -> GameState:
    """The state at the start of `story`, with the generator seeded by `seed`."""
    start = story.nodes[story.start]
    roster = tuple(
        CharState(
            c.status, c.place, 0, c.incubation or story.incubation if c.status == "bitten" else 0
        )
        for c in story.cast.values()
    )
    state = GameState(
        node=story.start,
        turn=0,
        episode=start.episode or 1,
        roster=roster,
        inventory=(0,) * len(story.item_ids),
        flags=frozenset(),
        counters=tuple(c.start for c in story.counters.values()),
        visited=frozenset({story.start}) & story.tracked_visits,
        rng=seed & 0xFFFFFFFF,
        resume=None,
        just_turned=(),
        log=None,
        path=None,
    )
    # The start node's `do:` is applied by the rules, which import this module; the
    # import is here to keep the dependency pointing down at load time.
    from engine.runtime.rules import apply_start_effects

    return apply_start_effects(story, state)


def _incubation(story: Story, character: str) -> int:
    return story.cast[character].incubation or story.incubation


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
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
