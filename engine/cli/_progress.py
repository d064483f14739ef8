"""The one-line progress report the exploring commands print on stderr.

Owns: `Progress`, shared by `explore`, `reach` and `consequences`: states, transitions,
states per second and the time left to the nearest limit (the --max-states bound or
--max-seconds; the size of the whole search is not known in advance).
"""

from __future__ import annotations

import sys
import time
from typing import Protocol

__all__ = ["Progress"]


class Search(Protocol):
    """What the progress line reads from a running search."""

    @property
    def states(self) -> int: ...

    @property
    def transitions(self) -> int: ...

    @property
    def frontier(self) -> int: ...


class Progress:
    """A one-line progress report on stderr, redrawn at most a few times a second: states,
    states per second, and an estimate of the time left to the nearest limit (the
    --max-states bound or --max-seconds; the size of the whole search is not known)."""

    def __init__(self, started: float, max_states: int, max_seconds: float | None) -> None:
        self.started = started
        self.max_states = max_states
        self.max_seconds = max_seconds
        self.last = 0.0
        self.shown = False

    def __call__(self, search: Search) -> None:
        now = time.monotonic()
        if now - self.last < 0.25:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        rate = search.states / elapsed
        left = (self.max_states - search.states) / max(rate, 1e-9)
        if self.max_seconds is not None:
            left = min(left, self.max_seconds - elapsed)
        sys.stderr.write(
            f"\rexploring: {search.states:,} states, {search.transitions:,} transitions, "
            f"{search.frontier:,} to expand, {rate:,.0f} states/s, "
            f"{elapsed:,.0f} s, at most {max(left, 0):,.0f} s left  "
        )
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
