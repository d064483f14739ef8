"""`hyosan check [DIR]`: validate a story and report every problem in one pass."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli._options import add_story_arguments
from engine.compiler.loader import check_story
from engine.errors import EXIT_OK, EXIT_PROBLEM
from engine.tools.stats import story_stats

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_arguments(parser)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print problems only, not the summary"
    )


def run(args: argparse.Namespace) -> int:
    story, diagnostics = check_story(args.story, args.branch)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
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
        return EXIT_OK if errors == 0 else EXIT_PROBLEM
    for diagnostic in diagnostics:
        print(diagnostic.render(), file=sys.stderr if diagnostic.is_error else sys.stdout)
    if not args.quiet:
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        if story is not None:
            s = story_stats(story)
            print(
                f"{args.story}: {s.nodes} nodes, {s.choices} choices, {s.turning_points} "
                f"turning points, {s.endings} endings, {s.words:,} words of prose: {summary}"
            )
        else:
            print(f"{args.story}: {summary}", file=sys.stderr)
    return EXIT_OK if errors == 0 else EXIT_PROBLEM
