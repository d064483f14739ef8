"""`hyosan randomtest -n N --seed S`: seeded random playthroughs with coverage.

Exit 0 when every run reached an ending; 1 when a run got stuck (softlock), ran past
`--max-steps`, or hit an error (each is listed with its seed and path, on stderr). Owns
the arguments and the printing; the reports come from `engine/report/randomtest.py`.
"""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli._options import (
    MAX_RUNS,
    MAX_STEPS,
    add_story_arguments,
    count_in,
    load_for_long_run,
)
from engine.errors import EXIT_OK, EXIT_PROBLEM
from engine.report.randomtest import problems_text, randomtest_json, randomtest_text
from engine.tools.randomtest import MODES, random_playthroughs

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument(
        "-n",
        "--runs",
        type=count_in(1, MAX_RUNS),
        default=100,
        metavar="N",
        help=f"runs (default 100, at most {MAX_RUNS:,})",
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
        type=count_in(1, MAX_STEPS),
        default=10_000,
        metavar="N",
        help=f"a run with no ending after N steps is a problem (default 10,000, at most "
        f"{MAX_STEPS:,})",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )


def run(args: argparse.Namespace) -> int:
    story = load_for_long_run(args.story, args.branch)
    result = random_playthroughs(story, args.runs, args.seed, args.mode, args.max_steps)
    if args.format == "json":
        print(json.dumps(randomtest_json(story, result), indent=2))
    else:
        print(randomtest_text(story, result))
        problems = problems_text(result)
        if problems:
            print(problems, file=sys.stderr)
    return EXIT_PROBLEM if result.problems else EXIT_OK
