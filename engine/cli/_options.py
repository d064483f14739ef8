"""Options several sub-commands share: which story, and which branch files on top."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine import BUNDLED_STORY

__all__ = ["add_story_arguments", "positive_count"]


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
