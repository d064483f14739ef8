"""Options several sub-commands share: which story, which branch files on top, and
loading that story for a long run."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterable
from pathlib import Path

from engine import BUNDLED_STORY
from engine.compiler.loader import load_story
from engine.runtime.model import Story

__all__ = ["add_story_arguments", "load_for_long_run", "positive_count"]


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


def positive_count(text: str) -> int:
    """An argparse type: a whole number of 1 or more; `10,000` and `10_000` are accepted."""
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


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
