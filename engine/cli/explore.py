"""`hyosan explore [DIR]`: search every reachable state; report endings, softlocks, dead choices.

Exit 0 when the search is complete and found no softlock, 1 otherwise (a softlock, or the
`--max-states` bound or the `--max-seconds` limit was hit; with `--strict` also an ending
never reached or a choice never available), 130 when interrupted (after printing what
was found). Owns the arguments, the choice between the single-process search and the
search on `--jobs` processes (`engine/tools/explore_parallel.py`, same findings), the
progress line on stderr, the clock, Ctrl-C, the witness saves and the printing; the
reports themselves come from `engine/report/explore.py`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from engine import BUNDLED_STORY
from engine.cli._options import (
    add_max_states,
    add_story_arguments,
    count_in,
    load_for_long_run,
)
from engine.cli._progress import Progress
from engine.errors import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, UserError
from engine.report.explore import explore_json, explore_text
from engine.runtime.model import Story
from engine.runtime.rules import replay_steps
from engine.tools.explore import Explorer, ExploreResult
from engine.tools.explore_parallel import can_fork, explore_parallel
from engine.tools.explore_record import SearchRecord

if TYPE_CHECKING:
    from engine.tools.symbolic import SymbolicExplorer

__all__ = ["DEFAULT_MAX_STATES", "add_arguments", "cores", "positive_seconds", "run"]

DEFAULT_MAX_STATES = 2_000_000
MAX_JOBS = 64


def cores() -> int:
    """The cores this process may run on (the default of --jobs)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def positive_seconds(text: str) -> float:
    """An argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds") from None
    if not 0 < value < 10**9:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


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
        "--rosters",
        action="store_true",
        help="count the distinct final rosters at the endings (keeps every character's "
        "status and place in every state: more states, slower)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also exit 1 when an ending is never reached or a choice is never available",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    parser.add_argument(
        "--jobs",
        type=count_in(0, MAX_JOBS),
        default=1,
        metavar="N",
        help="search on N processes (0: one per core), with the same findings as one "
        "(default 1: on a busy machine more processes wait on each other; see bench/RESULTS.md)",
    )
    parser.add_argument(
        "--symbolic",
        action="store_true",
        help="search sets of states (decision diagrams) instead of one state at a time: "
        "finishes stories whose characters' fates multiply into billions of states "
        "(same findings; no --rosters, --exact or --jobs; --max-states bounds the "
        "steps it takes, one per split of a set, instead of the states)",
    )
    parser.add_argument(
        "--max-seconds",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="stop after about S seconds and report what was found so far",
    )


@contextmanager
def _ctrl_c_as_flag(flag: list[bool]) -> Iterator[None]:
    """While the search runs on several processes, Ctrl-C asks it to stop after the
    current level instead of raising (the workers ignore it)."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        flag[0] = True

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: Ctrl-C cannot reach us anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _search(
    args: argparse.Namespace, story: Story
) -> tuple[SearchRecord | SymbolicExplorer, float]:
    """Run the search the arguments ask for; the record and the seconds it took."""
    started = time.monotonic()
    deadline = started + args.max_seconds if args.max_seconds is not None else None

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    bound = 2**62 if args.symbolic else args.max_states  # by sets: bounds the steps
    show = Progress(started, bound, args.max_seconds) if sys.stderr.isatty() else None
    jobs = args.jobs or cores()
    search: SearchRecord | SymbolicExplorer
    gc.disable()  # the search makes millions of tuples and no cycles: nothing to collect
    try:
        if args.symbolic:
            search = _symbolic(
                story, args.seed, args.max_states, show, late if deadline is not None else None
            )
        elif jobs > 1 and can_fork():
            asked = [False]
            with _ctrl_c_as_flag(asked):
                search = explore_parallel(
                    story,
                    args.seed,
                    args.max_states,
                    exact=args.exact,
                    rosters=args.rosters,
                    jobs=jobs,
                    progress=show,
                    until=lambda: asked[0] or late(),
                )
            if search.stopped == "interrupted" and not asked[0]:
                search.stopped = "time"
        else:
            explorer = search = Explorer(
                story, args.seed, args.max_states, exact=args.exact, rosters=args.rosters
            )
            try:
                explorer.run(show, until=late if deadline is not None else None)
            except KeyboardInterrupt:
                explorer.stopped = "interrupted" if explorer.frontier else None
            explorer.stop("time")
            explorer.forget_keys()
    finally:
        gc.enable()
        if show is not None:
            show.clear()
    return search, time.monotonic() - started


def _symbolic(
    story: Story,
    seed: int,
    max_steps: int,
    show: Progress | None,
    until: Callable[[], bool] | None,
) -> SymbolicExplorer:
    from engine.tools.symbolic import SymbolicExplorer, TooManyValues

    explorer = SymbolicExplorer(story, seed, max_steps)
    try:
        explorer.run(show, until=until)
    except KeyboardInterrupt:
        explorer.stopped = "interrupted" if explorer.has_pending() else None
    except TooManyValues as e:
        raise UserError(
            f"{story.id}: the search by sets stopped: {e}",
            hint="explore without --symbolic (the state search has no such limit)",
        ) from None
    explorer.stop("time")
    return explorer


def _refuse_mixes(args: argparse.Namespace) -> None:
    if not args.symbolic:
        return
    mixed = [
        name
        for name, given in (
            ("--exact", args.exact),
            ("--rosters", args.rosters),
            ("--jobs", args.jobs != 1),
        )
        if given
    ]
    if mixed:
        raise UserError(
            f"--symbolic cannot be combined with {', '.join(mixed)}",
            code=EXIT_USAGE,
            hint="the search by sets keeps no census and runs on one process: drop "
            + " and ".join(mixed)
            + " or --symbolic",
        )


def run(args: argparse.Namespace) -> int:
    _refuse_mixes(args)
    if args.witnesses and args.witnesses.exists() and not args.witnesses.is_dir():
        raise UserError(
            f"{args.witnesses}: not a folder", hint="give --witnesses a folder to write into"
        )
    story = load_for_long_run(args.story, args.branch)
    search, seconds = _search(args, story)
    result = search.result()
    saves = _write_witnesses(story, result, args.witnesses) if args.witnesses else {}
    if args.format == "json":
        json.dump(explore_json(story, result, seconds, saves), sys.stdout, indent=2)
        print()  # streamed: the report of a big search is tens of MB
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
    if args.rosters:
        parts.append("--rosters")
    return " ".join([*parts, f"--max-states {bound}"])
