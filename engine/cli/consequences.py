"""`hyosan consequences [DIR]`: which choices matter, and the figures a story is held to.

Exit 0 when the report is printed (whatever it finds: the figures are for the author to
judge), 130 when interrupted. Owns the arguments, the progress line and the printing;
the analysis is `engine.tools.consequences`, the reports `engine.report.consequences`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time

from engine import BUNDLED_STORY
from engine.cli._options import (
    add_max_states,
    add_story_arguments,
    count_in,
    load_for_long_run,
)
from engine.cli._progress import Progress
from engine.errors import EXIT_OK
from engine.report.consequences import FORMATS, consequences_markdown, consequences_text
from engine.report.consequences_json import consequences_json
from engine.tools.consequences import DEFAULT_MAX_STATES, analyse

__all__ = ["add_arguments", "run"]

MAX_WINDOW = 1_000  # --steps and --samples: far beyond any useful value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="the seed of the run (default 0)")
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="text (default), markdown or json"
    )
    parser.add_argument(
        "--steps",
        type=count_in(1, MAX_WINDOW),
        default=3,
        metavar="N",
        help="options reconverge when they lead to one same state within N steps (default 3)",
    )
    parser.add_argument(
        "--samples",
        type=count_in(1, MAX_WINDOW),
        default=3,
        metavar="N",
        help="test reconvergence in the first N explored states at each node, besides "
        "the canon path's (default 3)",
    )
    add_max_states(
        parser,
        DEFAULT_MAX_STATES,
        f"explore at most N distinct states (default {DEFAULT_MAX_STATES:,}; the "
        "bundled story has about 1.6 million: exact figures need them all)",
    )


def run(args: argparse.Namespace) -> int:
    story = load_for_long_run(args.story, args.branch)
    started = time.monotonic()
    progress = Progress(started, args.max_states, None) if sys.stderr.isatty() else None
    try:
        found = analyse(
            story,
            seed=args.seed,
            steps=args.steps,
            max_states=args.max_states,
            samples=args.samples,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.clear()
    seconds = time.monotonic() - started
    if args.format == "json":
        print(json.dumps(consequences_json(found, seconds), indent=2))
    elif args.format == "markdown":
        print(consequences_markdown(found, seconds, _command(args)), end="")
    else:
        print(consequences_text(found, seconds, _command(args)))
    return EXIT_OK


def _command(args: argparse.Namespace) -> str:
    parts = ["hyosan", "consequences"]
    if args.story != BUNDLED_STORY:
        parts.append(str(args.story))
    for branch in args.branch:
        parts += ["--branch", str(branch)]
    if args.seed:
        parts += ["--seed", str(args.seed)]
    if args.steps != 3:
        parts += ["--steps", str(args.steps)]
    return shlex.join([*parts, "--max-states", str(min(args.max_states * 10, 2_000_000_000))])
