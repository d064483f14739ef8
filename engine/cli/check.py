"""`hyosan check [DIR]`: validate a story and report every problem in one pass.

Errors come from the compiler; the weak-spot warnings (W103-W105, `engine.tools.lint`)
are added when the story has no error. Warnings never change the exit code unless
`--strict` is given."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli._options import MAX_RUNS, add_story_arguments, count_in
from engine.compiler.loader import check_story
from engine.errors import EXIT_OK, EXIT_PROBLEM
from engine.runtime.model import Story
from engine.tools.ledger import DEFAULT_RUNS
from engine.tools.lint import weak_spot_warnings
from engine.tools.stats import story_stats

__all__ = ["add_arguments", "run"]

# About ten times the decisions of the bundled story's 1,000 runs: a check stays quick
# even on a story whose simulated runs wander for thousands of steps.
_LEDGER_BUDGET = 1_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print problems only, not the summary"
    )
    parser.add_argument(
        "--ledger-runs",
        type=count_in(0, MAX_RUNS),
        default=DEFAULT_RUNS,
        metavar="N",
        help=f"simulated runs for the choice ledger, cached for play and map "
        f"(default {DEFAULT_RUNS:,}; 0: skip; docs/ledger.md)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when there are warnings, not only errors"
    )


def run(args: argparse.Namespace) -> int:
    story, diagnostics = check_story(args.story, args.branch)
    if story is not None:
        diagnostics = sorted(
            [*diagnostics, *weak_spot_warnings(story)],
            key=lambda d: (d.pos.path, d.pos.line, d.pos.col, d.code),
        )
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    ledger_note = _ledger(story, args.ledger_runs) if story is not None and not errors else None
    failed = errors > 0 or (args.strict and warnings > 0)
    if args.format == "json":
        out = {
            "ok": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [
                {
                    "path": d.pos.path,
                    "line": d.pos.line,
                    "col": d.pos.col,
                    "code": d.code,
                    "severity": d.severity,
                    "message": d.message,
                    "suggestion": d.suggestion,
                    "fix": d.fix_text,
                }
                for d in diagnostics
            ],
            "stats": story_stats(story)._asdict() if story else None,
        }
        print(json.dumps(out, indent=2))
        return EXIT_PROBLEM if failed else EXIT_OK
    for diagnostic in diagnostics:
        print(diagnostic.render(), file=sys.stderr if diagnostic.is_error else sys.stdout)
    if not args.quiet:
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        if ledger_note:
            print(ledger_note)
        if story is not None:
            s = story_stats(story)
            print(
                f"{args.story}: {s.nodes} nodes, {s.choices} choices, {s.turning_points} "
                f"turning points, {s.endings} endings, {s.words:,} words of prose: {summary}"
            )
        else:
            print(f"{args.story}: {summary}", file=sys.stderr)
    return EXIT_PROBLEM if failed else EXIT_OK


def _ledger(story: Story, runs: int) -> str | None:
    """Compute (or find in the cache) the choice ledger; the line that says so."""
    if runs == 0:
        return None
    from engine.tools.ledger import LedgerTooLongError, cache_path, ledger_for

    try:
        ledger = ledger_for(story, runs, budget=_LEDGER_BUDGET)
    except LedgerTooLongError as exc:
        return f"choice ledger: not computed: {exc}; `hyosan ledger` computes it without a bound"
    where = cache_path(story, ledger.seed, ledger.runs)
    return (
        f"choice ledger: {ledger.runs:,} simulated runs (seed {ledger.seed}), "
        f"{ledger.finished:,} reached an ending"
        + (f"; cached in {where}" if where is not None else "")
        + " (hyosan ledger shows it)"
    )
