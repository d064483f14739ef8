"""`hyosan explore [DIR]`: search every reachable state; report endings, softlocks, dead choices.

Exit 0 when the search is complete and found no softlock, 1 otherwise (a softlock, or the
`--max-states` bound, the `--max-seconds` limit or the `--max-memory` bound was hit; with
`--strict` also an ending never reached or a choice never available), 130 when
interrupted (after printing what was found). Owns the arguments, the choice of search
(by sets, `engine/tools/symbolic.py`, by default; one state at a time with `--search
states`, `--exact` or `--jobs`, or when a value is too wide for the sets; on `--jobs`
processes, `engine/tools/explore_parallel.py`, same findings), the progress line on
stderr, the limits (`engine/cli/_limits.py`), Ctrl-C, the witness saves and the
printing; the reports themselves come from `engine/report/explore.py`.
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
from engine.cli._limits import Limits, add_max_memory
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
        "--search",
        choices=("sets", "states"),
        default=None,
        help="sets: hold the states as sets (decision diagrams) and step a whole set at "
        "once, which finishes stories whose characters' fates multiply into billions of "
        "states (--max-states then bounds the steps it takes, one per split of a set); "
        "states: one state at a time (--exact and --jobs need it). Default: sets, or "
        "states with --exact or --jobs, or when a value takes more codes than sets hold",
    )
    parser.add_argument(
        "--symbolic",
        dest="search",
        action="store_const",
        const="sets",
        help="the same as --search sets",
    )
    parser.add_argument(
        "--max-seconds",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="stop after about S seconds and report what was found so far",
    )
    add_max_memory(parser)


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


def _by_sets(args: argparse.Namespace) -> bool:
    """Whether to search by sets: asked, or not excluded by what only states do."""
    if args.search is not None:
        return bool(args.search == "sets")
    return not args.exact and args.jobs == 1


def _search(
    args: argparse.Namespace, story: Story
) -> tuple[SearchRecord | SymbolicExplorer, float, str | None]:
    """Run the search the arguments ask for; the record, the seconds it took, and why
    it searched one state at a time although sets were the default (or None)."""
    started = time.monotonic()
    limits = Limits(started, args.max_seconds, args.max_memory)
    until = limits if limits.active else None
    by_sets = _by_sets(args)
    bound = 2**62 if by_sets else args.max_states  # by sets: bounds the steps
    show = Progress(started, bound, args.max_seconds) if sys.stderr.isatty() else None
    jobs = args.jobs or cores()
    search: SearchRecord | SymbolicExplorer
    fell_back = None
    gc.disable()  # the search makes millions of tuples and no cycles: nothing to collect
    try:
        if by_sets:
            from engine.tools.symbolic import TooManyValues

            try:
                sets = _symbolic(story, args, show, until)
                if limits.reason is not None and sets.stopped == "time":
                    sets.stopped = limits.reason
                search = sets
            except TooManyValues as e:
                if args.search == "sets":
                    raise UserError(
                        f"{story.id}: the search by sets stopped: {e}",
                        hint="explore with --search states (it has no such limit)",
                    ) from None
                fell_back = f"{e}, more than sets hold"
                by_sets = False
                if show is not None:  # its time left now counts to the bound on states
                    show.max_states = args.max_states
        if not by_sets and jobs > 1 and can_fork():
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
                    until=lambda: asked[0] or (until is not None and until()),
                )
            if search.stopped == "interrupted" and not asked[0]:
                search.stopped = limits.reason or "time"
        elif not by_sets:
            explorer = search = Explorer(
                story, args.seed, args.max_states, exact=args.exact, rosters=args.rosters
            )
            try:
                explorer.run(show, until=until)
            except KeyboardInterrupt:
                explorer.stopped = "interrupted" if explorer.frontier else None
            explorer.stop(limits.reason or "time")
            explorer.forget_keys()
    finally:
        gc.enable()
        if show is not None:
            show.clear()
    return search, time.monotonic() - started, fell_back


def _symbolic(
    story: Story,
    args: argparse.Namespace,
    show: Progress | None,
    until: Callable[[], bool] | None,
) -> SymbolicExplorer:
    from engine.tools.symbolic import SymbolicExplorer

    explorer = SymbolicExplorer(story, args.seed, args.max_states, rosters=args.rosters)
    try:
        explorer.run(show, until=until)
    except KeyboardInterrupt:
        explorer.stopped = "interrupted" if explorer.has_pending() else None
    return explorer


def _refuse_mixes(args: argparse.Namespace) -> None:
    if args.search != "sets":
        return
    mixed = [
        name
        for name, given in (
            ("--exact", args.exact),
            ("--jobs", args.jobs != 1),
        )
        if given
    ]
    if mixed:
        raise UserError(
            f"--search sets cannot be combined with {', '.join(mixed)}",
            code=EXIT_USAGE,
            hint="the search by sets keeps no state apart by what no one reads and runs on "
            "one process: drop " + " and ".join(mixed) + " or --search sets",
        )


def run(args: argparse.Namespace) -> int:
    _refuse_mixes(args)
    if args.witnesses and args.witnesses.exists() and not args.witnesses.is_dir():
        raise UserError(
            f"{args.witnesses}: not a folder", hint="give --witnesses a folder to write into"
        )
    story = load_for_long_run(args.story, args.branch)
    search, seconds, fell_back = _search(args, story)
    if fell_back is not None:
        print(f"note: searched one state at a time: {fell_back}", file=sys.stderr)
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
    if args.search is not None:
        parts.append(f"--search {args.search}")
    parts += [
        flag for flag, given in (("--exact", args.exact), ("--rosters", args.rosters)) if given
    ]
    if args.jobs != 1:
        parts.append(f"--jobs {args.jobs}")
    return " ".join([*parts, f"--max-states {bound}"])
