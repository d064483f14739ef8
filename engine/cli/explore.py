"""`hyosan explore [DIR]`: search every reachable state; report endings, softlocks, dead choices.

Exit 0 when the search is complete and found no softlock, 1 otherwise (a softlock, or the
`--max-states` bound was hit; with `--strict` also an ending never reached or a choice
never available), 130 when interrupted (after printing what was found).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from engine import BUNDLED_STORY
from engine.cli._options import add_story_arguments, positive_count
from engine.compiler.loader import load_story
from engine.errors import EXIT_OK, EXIT_PROBLEM, UserError
from engine.runtime.model import Story
from engine.tools.explore import Explorer, ExploreResult, Steps, replay_steps

__all__ = ["DEFAULT_MAX_STATES", "add_arguments", "run"]

DEFAULT_MAX_STATES = 2_000_000
_SHOWN_ROSTERS = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="the seed of the run (default 0)")
    parser.add_argument(
        "--max-states",
        type=positive_count,
        default=DEFAULT_MAX_STATES,
        metavar="N",
        help=f"stop after N distinct states (default {DEFAULT_MAX_STATES:,})",
    )
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
    story = load_story(args.story, args.branch)
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
        print(json.dumps(_as_json(story, result, seconds, saves), indent=2))
    else:
        _print_text(story, result, seconds, saves, args)
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


# --- output ------------------------------------------------------------------------------


def _steps_json(steps: Steps) -> list[dict[str, str]]:
    return [{"node": node, "choice": choice} for node, choice in steps]


def _as_json(
    story: Story, result: ExploreResult, seconds: float, saves: dict[str, str]
) -> dict[str, Any]:
    return {
        "story": result.story,
        "seed": result.seed,
        "complete": result.complete,
        "stopped": result.stopped,
        "states": result.states,
        "transitions": result.transitions,
        "max_depth": result.max_depth,
        "seconds": round(seconds, 3),
        "states_per_second": round(result.states / max(seconds, 1e-9)),
        "turn_in_state": result.reads_turn,
        "merged": result.merged,
        "endings": [
            {
                "id": e.id,
                "node": e.node,
                "title": e.title,
                "reached": e.witness is not None,
                "states": e.states,
                "survivors": e.survivors,
                "witness": _steps_json(e.witness) if e.witness is not None else None,
                "save": saves.get(e.id),
            }
            for e in result.endings
        ],
        "softlocks": [
            {"node": s.node, "kind": s.kind, "states": s.states, "witness": _steps_json(s.witness)}
            for s in result.softlocks
        ],
        "never_available": [
            {
                "node": n.node,
                "choice": n.choice,
                "condition": n.condition,
                "node_reached": n.node_reached,
            }
            for n in result.never_available
        ],
        "unreached_nodes": result.unreached_nodes,
        "final_rosters": [
            {
                "survivors": r.survivors,
                "states": r.states,
                "endings": list(r.endings),
                "roster": {
                    cid: status if place == "group" else f"{status}, {place}"
                    for cid, (status, place) in zip(story.cast_ids, r.roster, strict=True)
                    if (status, place) != ("healthy", "group")
                },
            }
            for r in result.final_rosters
        ],
    }


def _path_text(steps: Steps) -> str:
    if not steps:
        return "(the start)"
    return " > ".join(f"{node}:{choice}" for node, choice in steps)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _print_text(
    story: Story,
    result: ExploreResult,
    seconds: float,
    saves: dict[str, str],
    args: argparse.Namespace,
) -> None:
    rate = result.states / max(seconds, 1e-9)
    status = {
        None: "complete",
        "bound": "INCOMPLETE: stopped at the --max-states bound",
        "interrupted": "INCOMPLETE: interrupted",
    }[result.stopped]
    print(
        f"Explored {story.title} (seed {result.seed}): {_plural(result.states, 'state')}, "
        f"{_plural(result.transitions, 'transition')}, the farthest "
        f"{_plural(result.max_depth, 'step')} from the start, in {seconds:.2f} s "
        f"({rate:,.0f} states/s): {status}"
    )
    if result.merged:
        print("  (states that differ only in flags, counters or items no later condition reads")
        print("   count as one: they have the same futures; --exact tells them apart)")
    if result.reads_turn:
        print("  (a condition reads `turn`, so states are also told apart by the turn number)")
    _print_endings(result, saves)
    _print_softlocks(result)
    _print_never_available(result)
    _print_rosters(story, result)
    if result.stopped == "bound":
        print(
            f"\nThe search stopped after {args.max_states:,} states, so endings, softlocks and "
            "choices not listed above may still be reachable.\n"
            f"  Raise the bound: {_command(args, args.max_states * 10)}"
        )
    elif result.stopped == "interrupted":
        print("\nInterrupted: the lists above hold what was found so far.")


def _print_endings(result: ExploreResult, saves: dict[str, str]) -> None:
    reached = [e for e in result.endings if e.witness is not None]
    print(f"\nEndings: {len(reached)} of {len(result.endings)} reached")
    for e in result.endings:
        if e.witness is None:
            why = "no path leads here" if result.complete else "not reached so far"
            print(f"  NOT REACHED  {e.id} ({e.node}): {why}")
            continue
        print(
            f"  {e.id} ({e.node}): {_plural(e.states, 'state')}; "
            f"{_plural(e.survivors or 0, 'survivor')} on a shortest path of "
            f"{_plural(len(e.witness), 'step')}:"
        )
        print(f"      {_path_text(e.witness)}")
        if e.id in saves:
            print(f"      witness save: {saves[e.id]}")


def _print_softlocks(result: ExploreResult) -> None:
    if not result.softlocks:
        print("\nSoftlocks: none" + ("" if result.complete else " found so far"))
        return
    print(f"\nSoftlocks: {len(result.softlocks)} node(s) where play can get stuck")
    for s in result.softlocks:
        what = (
            "no choice is available"
            if s.kind == "no choice"
            else "choices remain, but no path from here reaches an ending"
        )
        print(f"  {s.node}: {what} ({_plural(s.states, 'state')}); reached by")
        print(f"      {_path_text(s.witness)}")
    if not result.complete:
        print("  (loops with no way out are only found when the search is complete)")


def _print_never_available(result: ExploreResult) -> None:
    if not result.never_available:
        print("\nChoices never available: none")
        return
    print(f"\nChoices never available on any path: {len(result.never_available)}")
    for n in result.never_available:
        why = (
            f"its condition ({n.condition}) never holds here"
            if n.node_reached and n.condition
            else "its node is never reached"
        )
        if not result.complete:
            why += " (so far)"
        print(f"  {n.node}: {n.choice}: {why}")
    if result.unreached_nodes:
        print(f"  nodes no path reaches: {', '.join(result.unreached_nodes)}")


def _print_rosters(story: Story, result: ExploreResult) -> None:
    rosters = result.final_rosters
    print(f"\nFinal rosters: {len(rosters)} distinct")
    for r in rosters[:_SHOWN_ROSTERS]:
        lost = [
            f"{cid} ({status}{'' if place == 'group' else ', ' + place})"
            for cid, (status, place) in zip(story.cast_ids, r.roster, strict=True)
            if place != "group" or status not in ("healthy", "bitten", "hombie")
        ]
        print(
            f"  {r.survivors} survive{'s' * (r.survivors == 1)} "
            f"({_plural(r.states, 'state')}; {', '.join(r.endings)}); "
            f"not among them: {', '.join(lost) or 'nobody'}"
        )
    if len(rosters) > _SHOWN_ROSTERS:
        print(f"  ... and {len(rosters) - _SHOWN_ROSTERS} more (--format json lists them all)")


def _command(args: argparse.Namespace, bound: int) -> str:
    parts = ["hyosan", "explore"]
    if args.story != BUNDLED_STORY:
        parts.append(str(args.story))
    parts += [f"--branch {b}" for b in args.branch]
    if args.seed:
        parts.append(f"--seed {args.seed}")
    return " ".join([*parts, f"--max-states {bound}"])
