"""`hyosan check [DIR]`: validate a story and report every problem in one pass.

Errors come from the compiler; the weak-spot warnings (W103-W105, `engine.tools.lint`)
are added when the story has no error. Warnings never change the exit code unless
`--strict` is given. `--watch` checks again on every saved change, through a resident
compiler that builds again only what changed (`engine.compiler.incremental`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from engine.cli._options import MAX_RUNS, add_story_arguments, count_in, long_lived
from engine.compiler.loader import check_story
from engine.diagnostics import Diagnostic, in_file_order
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
    parser.add_argument(
        "--watch",
        action="store_true",
        help="check, then check again on every saved change, building again only what "
        "changed (no choice ledger; Ctrl-C ends)",
    )


def run(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    with long_lived():  # the story lives until the command ends: no collector passes
        story, diagnostics = check_story(args.story, args.branch)
    return _report(args, story, _with_weak_spots(story, diagnostics), args.ledger_runs)


def _with_weak_spots(story: Story | None, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The compiler's diagnostics and, for a story with no error, the weak-spot warnings."""
    if story is None:
        return diagnostics
    return sorted([*diagnostics, *weak_spot_warnings(story)], key=in_file_order)


def _report(
    args: argparse.Namespace,
    story: Story | None,
    diagnostics: list[Diagnostic],
    ledger_runs: int,
    took: str = "",
) -> int:
    """Print the diagnostics and the summary (`took`: how long the check took, in
    words, for --watch); the exit code."""
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    ledger_note = _ledger(story, ledger_runs) if story is not None and not errors else None
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
        if took:
            out["took"] = took
        print(json.dumps(out, indent=None if took else 2), flush=True)
        return EXIT_PROBLEM if failed else EXIT_OK
    for diagnostic in diagnostics:
        print(diagnostic.render(), file=sys.stderr if diagnostic.is_error else sys.stdout)
    if not args.quiet:
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        summary += f" ({took})" if took else ""
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
    sys.stdout.flush()
    sys.stderr.flush()
    return EXIT_PROBLEM if failed else EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    """Check, then check again after every saved change to a YAML file of the story
    folder or a --branch path, until Ctrl-C; the exit code of the last check."""
    from engine.tools.recheck import Rechecker

    checker = Rechecker(args.story, args.branch)
    changes = _changes(args)  # one watcher: a change saved during a check is not lost
    code = EXIT_OK
    try:
        while True:
            start = time.perf_counter()
            story, diagnostics, warnings = checker.check()
            ms = (time.perf_counter() - start) * 1000
            workspace = checker.workspace
            built = f"{workspace.rebuilt:,} of {workspace.nodes:,} nodes built"
            took = f"checked in {ms:,.0f} ms, {built}"
            if story is not None:
                again = "as before" if checker.warnings_reused else "found again"
                took += f"; weak spots {again}"
            diagnostics = sorted([*diagnostics, *warnings], key=in_file_order)
            code = _report(args, story, diagnostics, 0, took)
            if not _watched(args):
                return code  # nothing there to watch: the check said why
            if not args.quiet and args.format == "text":
                print("watching for changes (Ctrl-C ends)", flush=True)
            next(changes)
    except (KeyboardInterrupt, StopIteration):
        return code


def _watched(args: argparse.Namespace) -> list[Path]:
    """The story folder and the --branch paths that exist (none for a story that does
    not)."""
    story = Path(args.story)
    if not story.exists():
        return []
    paths = [story if story.is_dir() else story.parent, *(Path(b) for b in args.branch)]
    return [path for path in paths if path.exists()]


def _changes(args: argparse.Namespace) -> Iterator[None]:
    """Yields when a YAML file under the watched paths was saved."""
    from watchfiles import watch  # only a watching check loads it

    for changes in watch(*_watched(args), debounce=100, step=50, raise_interrupt=True):
        if any(path.endswith((".yaml", ".yml")) for _, path in changes):
            yield None


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
