"""Options several sub-commands share: which story, which branch files on top, and
loading that story for a long run."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Callable, Iterable
from pathlib import Path

from engine import BUNDLED_STORY
from engine.compiler.loader import load_story
from engine.runtime.model import Story

__all__ = [
    "MAX_COUNT",
    "MAX_RUNS",
    "MAX_STEPS",
    "add_max_states",
    "add_story_arguments",
    "count_in",
    "load_for_long_run",
    "positive_count",
]

# The largest counts the commands accept (docs/format.md#limits): far beyond any useful
# run, small enough that a typo such as -n 10**30 is a usage error, not a hung command.
MAX_COUNT = 1_000_000_000  # explore --max-states
MAX_RUNS = 1_000_000  # randomtest -n
MAX_STEPS = 1_000_000  # randomtest --max-steps
_MAX_DIGITS = 20  # a count's text is refused before it is converted


def add_story_arguments(parser: argparse.ArgumentParser, *, positional: bool = True) -> None:
    """The story (a positional DIR, or `--story DIR`) and repeatable `--branch PATH`."""
    story_help = "story folder or manifest (default: the bundled story)"
    if positional:
        parser.add_argument("story", nargs="?", type=Path, default=BUNDLED_STORY, help=story_help)
    else:
        parser.add_argument(
            "--story", type=Path, default=BUNDLED_STORY, metavar="DIR", help=story_help
        )
    parser.add_argument(
        "--branch",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="also load this branch file or folder (repeatable)",
    )


def count_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`, in ASCII digits;
    `10,000` and `10_000` are accepted."""

    def parse(text: str) -> int:
        digits = text.strip().replace(",", "").replace("_", "")
        plain = digits.removeprefix("-")
        if not (plain.isascii() and plain.isdigit()):
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
        if len(plain) > _MAX_DIGITS:  # refused before int(), which is slow on 5,000 digits
            bound = f"{low:,} or more" if digits.startswith("-") else f"at most {high:,}"
            raise argparse.ArgumentTypeError(f"must be {bound}")
        value = int(digits)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {low:,} or more")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, not {value:,}")
        return value

    return parse


def positive_count(text: str) -> int:
    """An argparse type: a whole number of 1 or more (at most MAX_COUNT)."""
    return count_in(1, MAX_COUNT)(text)


def load_for_long_run(story: Path, branches: Iterable[Path] = ()) -> Story:
    """Load a story that the command then plays, walks or explores for a long time.

    The story lives as long as the process and holds nothing worth collecting, so it is
    moved out of the cyclic collector's sight (`gc.freeze`): otherwise every full
    collection rescans the whole graph, and walks of the 10,000-node story ran a third
    slower. Only the command line does this; library code leaves the collector alone.
    """
    loaded = load_story(story, branches)
    gc.freeze()
    return loaded


def add_max_states(parser: argparse.ArgumentParser, default: int, help: str | None = None) -> None:
    """`--max-states N`: the bound of the commands that explore a story's states."""
    parser.add_argument(
        "--max-states",
        type=positive_count,
        default=default,
        metavar="N",
        help=help or f"stop after N distinct states (default {default:,})",
    )
