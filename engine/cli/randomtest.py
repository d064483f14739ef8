"""`hyosan randomtest -n N --seed S`: seeded random playthroughs with coverage.

Exit 0 when every run reached an ending; 1 when a run got stuck (softlock), ran past
`--max-steps`, or hit an error (each is listed with its seed and path).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from engine.cli._options import add_story_arguments, positive_count
from engine.compiler.loader import load_story
from engine.errors import EXIT_OK, EXIT_PROBLEM
from engine.runtime.model import Story
from engine.tools.explore import MODES, RandomTestResult, random_playthroughs

__all__ = ["add_arguments", "run"]

_SHOWN = 15
_BAR = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument(
        "-n", "--runs", type=positive_count, default=100, metavar="N", help="runs (default 100)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the first run (default 0)")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="uniform",
        help="uniform: any available choice; least-used: prefer choices taken least so far",
    )
    parser.add_argument(
        "--max-steps",
        type=positive_count,
        default=10_000,
        metavar="N",
        help="a run with no ending after N steps is a problem (default 10,000)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )


def run(args: argparse.Namespace) -> int:
    story = load_story(args.story, args.branch)
    result = random_playthroughs(story, args.runs, args.seed, args.mode, args.max_steps)
    if args.format == "json":
        print(json.dumps(_as_json(story, result), indent=2))
    else:
        _print_text(story, result)
    return EXIT_PROBLEM if result.problems else EXIT_OK


def _coverage(story: Story, result: RandomTestResult) -> dict[str, Any]:
    choices = [(n.id, c.id) for n in story.nodes.values() for c in n.choices]
    endings = [n.ending.id for n in story.endings() if n.ending]
    return {
        "nodes": {
            "visited": sum(1 for n in story.nodes if result.node_visits[n]),
            "total": len(story.nodes),
            "never": [n for n in story.nodes if not result.node_visits[n]],
        },
        "choices": {
            "taken": sum(1 for c in choices if result.choice_uses[c]),
            "total": len(choices),
            "never": [f"{n}:{c}" for n, c in choices if not result.choice_uses[(n, c)]],
        },
        "endings": {
            "reached": sum(1 for e in endings if result.endings[e]),
            "total": len(endings),
            "never": [e for e in endings if not result.endings[e]],
        },
    }


def _as_json(story: Story, result: RandomTestResult) -> dict[str, Any]:
    return {
        "story": story.id,
        "runs": result.runs,
        "seed": result.seed,
        "mode": result.mode,
        "steps": result.steps,
        "ok": not result.problems,
        "coverage": _coverage(story, result),
        "node_visits": dict(result.node_visits),
        "choice_uses": {f"{n}:{c}": k for (n, c), k in result.choice_uses.items()},
        "endings": {n.ending.id: result.endings[n.ending.id] for n in story.endings() if n.ending},
        "survivors": {str(k): v for k, v in sorted(result.survivors.items())},
        "problems": [
            {
                "run": p.run,
                "seed": p.seed,
                "kind": p.kind,
                "node": p.node,
                "detail": p.detail,
                "steps": [{"node": n, "choice": c} for n, c in p.steps],
            }
            for p in result.problems
        ],
    }


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f", ... ({len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")


def _print_text(story: Story, result: RandomTestResult) -> None:
    cover = _coverage(story, result)
    print(
        f"{result.runs:,} {result.mode} random runs of {story.title} from seed {result.seed}: "
        f"{result.steps:,} steps"
    )
    for kind, seen in (("nodes", "visited"), ("choices", "taken"), ("endings", "reached")):
        part = cover[kind]
        percent = 100 * part[seen] / part["total"] if part["total"] else 100.0
        line = f"  {kind}: {part[seen]}/{part['total']} {seen} ({percent:.0f}%)"
        print(line + (f"; never: {_listed(part['never'])}" if part["never"] else ""))
    print("\nEndings:")
    for node in story.endings():
        assert node.ending is not None
        count = result.endings[node.ending.id]
        print(f"  {node.ending.id:<20} {count:>7,}  {100 * count / result.runs:5.1f}%")
    _print_histogram(result)
    _print_problems(result)


def _print_histogram(result: RandomTestResult) -> None:
    if not result.survivors:
        return
    print("\nSurvivors at the ending:")
    most = max(result.survivors.values())
    for count in range(min(result.survivors), max(result.survivors) + 1):
        runs = result.survivors[count]
        bar = "#" * max(1 if runs else 0, round(_BAR * runs / most))
        print(f"  {count:>3} {runs:>7,} {bar}")


def _print_problems(result: RandomTestResult) -> None:
    if not result.problems:
        print("\nNo problems: every run reached an ending.")
        return
    print(f"\nProblems: {len(result.problems)}", file=sys.stderr)
    for p in result.problems[:_SHOWN]:
        path = " > ".join(f"{n}:{c}" for n, c in p.steps[-8:])
        more = "... > " if len(p.steps) > 8 else ""
        print(
            f"  run {p.run} (game seed {p.seed}): {p.kind} at {p.node}: {p.detail}\n"
            f"      after {len(p.steps)} steps: {more}{path}",
            file=sys.stderr,
        )
    if len(result.problems) > _SHOWN:
        print(f"  ... and {len(result.problems) - _SHOWN} more (--format json)", file=sys.stderr)
