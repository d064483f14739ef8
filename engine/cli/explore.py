"""`hyosan explore [DIR]`: search every reachable state; report endings, softlocks, dead choices.

Exit 0 when the search is complete and found no softlock, 1 otherwise (a softlock, or the
`--max-states` bound was hit; with `--strict` also an ending never reached or a choice
never available), 130 when interrupted (after printing what was found). Owns the
arguments, the progress line on stderr, the witness saves and the printing; the reports
themselves come from `engine/report/explore.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from engine import BUNDLED_STORY
from engine.cli._options import (
    add_max_states,
    add_story_arguments,
    load_for_long_run,
)
from engine.errors import EXIT_OK, EXIT_PROBLEM, UserError
from engine.report.explore import explore_json, explore_text
from engine.runtime.model import Story
from engine.runtime.rules import replay_steps
from engine.tools.explore import Explorer, ExploreResult

__all__ = ["DEFAULT_MAX_STATES", "add_arguments", "run"]

DEFAULT_MAX_STATES = 2_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="the seed of the run (default 0)")
    add_max_states(parser, DEFAULT_MAX_STATES)
    parser.add_argument(
        "--witnesses",
        type=Path,
        metavar="DIR",
        help="write one replayable save per ending reached into DIR (<ending>.yaml)",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="tell states apart by every flag, counter and item, even those no later "
        "condition reads (more states, same findings)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also exit 1 when an ending is never reached or a choice is never available",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )


class _Progress:
    """A one-line progress report on stderr, redrawn at most a few times a second."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.last = 0.0
        self.shown = False

    def __call__(self, explorer: Explorer) -> None:
        now = time.monotonic()
        if now - self.last < 0.25:
            return
        self.last = now
        rate = explorer.states / max(now - self.started, 1e-9)
        sys.stderr.write(
            f"\rexploring: {explorer.states:,} states, {explorer.transitions:,} transitions, "
            f"{explorer.frontier:,} to expand, {rate:,.0f} states/s  "
        )
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    if args.witnesses and args.witnesses.exists() and not args.witnesses.is_dir():
        raise UserError(
            f"{args.witnesses}: not a folder", hint="give --witnesses a folder to write into"
        )
    story = load_for_long_run(args.story, args.branch)
    explorer = Explorer(story, args.seed, args.max_states, exact=args.exact)
    started = time.monotonic()
    progress = _Progress(started) if sys.stderr.isatty() else None
    interrupted = False
    try:
        explorer.run(progress)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if progress is not None:
            progress.clear()
    seconds = time.monotonic() - started
    result = explorer.result(interrupted)
    saves = _write_witnesses(story, result, args.witnesses) if args.witnesses else {}
    if args.format == "json":
        print(json.dumps(explore_json(story, result, seconds, saves), indent=2))
    else:
        raise_bound = _command(args, args.max_states * 10)
        print(explore_text(story, result, seconds, saves, args.max_states, raise_bound))
    if result.stopped == "interrupted":
        return 130
    unproven = args.strict and (
        result.never_available or any(e.witness is None for e in result.endings)
    )
    ok = result.complete and not result.softlocks and not unproven
    return EXIT_OK if ok else EXIT_PROBLEM


def _write_witnesses(story: Story, result: ExploreResult, folder: Path) -> dict[str, str]:
    # Only when asked: the search does not need the saves.
    from engine.saves.files import write_save
    from engine.saves.format import make_save

    written = {}
    for ending in result.endings:
        if ending.witness is None:
            continue
        states = replay_steps(story, result.seed, ending.witness)
        save = make_save(story, result.seed, states, f"witness-{ending.id}")
        path = folder / f"{ending.id}.yaml"
        write_save(path, save)
        written[ending.id] = str(path)
    return written


def _command(args: argparse.Namespace, bound: int) -> str:
    parts = ["hyosan", "explore"]
    if args.story != BUNDLED_STORY:
        parts.append(str(args.story))
    parts += [f"--branch {b}" for b in args.branch]
    if args.seed:
        parts.append(f"--seed {args.seed}")
    return " ".join([*parts, f"--max-states {bound}"])
