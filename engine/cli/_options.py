"""Options several sub-commands share: which story, which branch files on top, and
loading that story for a long run."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine import BUNDLED_STORY
from engine.compiler.context import MANIFEST
from engine.compiler.loader import load_story
from engine.runtime.model import Story

__all__ = [
    "MAX_COUNT",
    "MAX_RUNS",
    "MAX_STEPS",
    "add_max_states",
    "add_story_arguments",
    "count_in",
    "default_story",
    "load_for_long_run",
    "positive_count",
]

# The largest counts the commands accept (docs/format.md#limits): far beyond any useful
# run, small enough that a typo such as -n 10**30 is a usage error, not a hung command.
MAX_COUNT = 1_000_000_000  # explore --max-states
MAX_RUNS = 1_000_000  # randomtest -n
MAX_STEPS = 1_000_000  # randomtest --max-steps
_MAX_DIGITS = 20  # a count's text is refused before it is converted


def default_story() -> Path:
    """The story a command uses when none is given: the current folder when it holds a
    story.yaml, else the bundled story."""
    return Path(".") if (Path.cwd() / MANIFEST).is_file() else BUNDLED_STORY


class _StoryAction(argparse.Action):
    """Stores the story, given as DIR or `--story DIR`; both at once must agree."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values is None:
            return  # the positional DIR left out
        given = getattr(namespace, _GIVEN, None)
        if given is not None and Path(given).resolve() != Path(str(values)).resolve():
            parser.error(
                f"the story is given twice ({given} and {values}): give it once, as DIR or "
                "--story DIR"
            )
        setattr(namespace, _GIVEN, values)
        namespace.story = values


_GIVEN = "_story_given"


def add_story_arguments(
    parser: argparse.ArgumentParser, *, positional: bool = True, branches: bool = True
) -> None:
    """The story and repeatable `--branch PATH`.

    One convention for every sub-command: `--story DIR` always works; a sub-command
    whose only positional argument would be the story also takes it as a positional DIR
    (`hyosan check DIR` is `hyosan check --story DIR`). Without either, the story is the
    current folder when it holds a story.yaml, else the bundled story (`default_story`).
    """
    story_help = (
        "story folder or manifest (default: this folder if it holds story.yaml, else the "
        "bundled story)"
    )
    parser.set_defaults(story=default_story())
    if positional:
        parser.add_argument(
            "story_dir",
            nargs="?",
            type=Path,
            default=None,
            action=_StoryAction,
            metavar="DIR",
            help=story_help + "; the same as --story DIR",
        )
    parser.add_argument(
        "--story", type=Path, metavar="DIR", action=_StoryAction, dest="story", help=story_help
    )
    if branches:
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


@contextmanager
def long_lived() -> Iterator[None]:
    """Around a load whose result lives as long as the process (a command's story).

    What is made inside is moved out of the cyclic collector's sight (`gc.freeze`) at the
    end, and the collector is off until then: otherwise its first pass after the load
    scans every object the load made, and each later full pass scans them all again
    (`hyosan check` of the 10,000-node story spent 140 ms of 0.5 s in the collector with
    the compiled cache, 400 ms of 2 s without; walks ran a third slower). Only the
    command line does this; library code leaves the collector alone.
    """
    was_enabled = gc.isenabled()
    gc.disable()  # the load leaves the collector as it finds it: off until the freeze
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def load_for_long_run(story: Path, branches: Iterable[Path] = ()) -> Story:
    """Load a story that the command then plays, walks or explores for a long time
    (`long_lived`)."""
    with long_lived():
        return load_story(story, branches)


def add_max_states(parser: argparse.ArgumentParser, default: int, help: str | None = None) -> None:
    """`--max-states N`: the bound of the commands that explore a story's states."""
    parser.add_argument(
        "--max-states",
        type=positive_count,
        default=default,
        metavar="N",
        help=help or f"stop after N distinct states (default {default:,})",
    )
