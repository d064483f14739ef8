"""The limits a long search stops at besides its bound: the clock and the memory.

Owns: `Limits`, the `until()` the exploring commands hand to a search: true once
`--max-seconds` have passed or the process has grown past `--max-memory`, with the
reason (`reason`: "time" or "memory") for the report. Reading the clock and the
process's size is I/O, so it lives here and not in the searches.
"""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["DEFAULT_MAX_MEMORY_MB", "Limits", "add_max_memory", "peak_bytes"]

DEFAULT_MAX_MEMORY_MB = 2048
_EVERY = 0.05  # seconds between two readings of the memory (the state search asks per state)


def peak_bytes() -> int | None:
    """The most memory this process has held (its peak resident size), where the
    system tells it; None elsewhere."""
    try:
        import resource
    except ImportError:  # not on every system
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # bytes there, KiB here


def megabytes(text: str) -> int:
    """An argparse type: a number of MiB, 0 for no bound."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number of MB") from None
    if not 0 <= value < 2**40:
        raise argparse.ArgumentTypeError("must be 0 (no bound) or more")
    return value


def add_max_memory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-memory",
        type=megabytes,
        default=DEFAULT_MAX_MEMORY_MB,
        metavar="MB",
        help="stop when the process has grown past MB megabytes (MiB; its peak size, where "
        "the system reports it) and report what was found so far "
        f"(default {DEFAULT_MAX_MEMORY_MB:,}; 0: no bound)",
    )


class Limits:
    """`until()` for a search: the time and memory limits, and which one was hit."""

    def __init__(self, started: float, max_seconds: float | None, max_memory_mb: int) -> None:
        self.deadline = started + max_seconds if max_seconds is not None else None
        self.max_bytes = max_memory_mb * 2**20 if max_memory_mb else None
        self.reason: str | None = None
        self._read = 0.0  # when the memory was last read

    @property
    def active(self) -> bool:
        return self.deadline is not None or self.max_bytes is not None

    def __call__(self) -> bool:
        if self.reason is not None:
            return True
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            self.reason = "time"
        elif self.max_bytes is not None and now - self._read > _EVERY:
            self._read = now
            peak = peak_bytes()
            if peak is not None and peak > self.max_bytes:
                self.reason = "memory"
        return self.reason is not None
