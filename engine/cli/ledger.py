"""`hyosan ledger [STORY]`: what simulated players chose at every decision, and whom
they saved (the choice ledger; docs/ledger.md).

Owns the arguments and the printing; the ledger comes from `engine.tools.ledger` (the
cache, else computed and cached) and its words from `engine.report.ledger`.
"""

from __future__ import annotations

import argparse
import json

from engine.cli._options import MAX_RUNS, add_story_arguments, count_in, load_for_long_run
from engine.errors import EXIT_OK
from engine.report.ledger import ledger_json, ledger_markdown, ledger_text
from engine.tools.ledger import DEFAULT_RUNS, DEFAULT_SEED, ledger_for

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  hyosan ledger                       the bundled story, 1,000 runs (or the largest cached)
  hyosan ledger my-story --runs 5000  more runs: finer shares, computed once then cached
  hyosan ledger --format markdown > ledger.md
  hyosan ledger --format json --seed 7

The same story, seed and number of runs always give the same numbers. Ledgers are
cached in the user's cache folder ($HYOSAN_CACHE, else e.g. ~/.cache/hyosan/ledger);
`hyosan check` computes one by default (--ledger-runs).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXAMPLES
    add_story_arguments(parser)
    parser.add_argument(
        "-n",
        "--runs",
        type=count_in(1, MAX_RUNS),
        default=None,
        metavar="N",
        help=f"simulated runs (default: the largest cached ledger, else {DEFAULT_RUNS:,})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"the seed of the simulation (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), markdown or json",
    )


def run(args: argparse.Namespace) -> int:
    story = load_for_long_run(args.story, args.branch)
    ledger = ledger_for(story, args.runs, args.seed)
    if args.format == "json":
        print(json.dumps(ledger_json(story, ledger), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(ledger_markdown(story, ledger), end="")
    else:
        print(ledger_text(story, ledger))
    return EXIT_OK
