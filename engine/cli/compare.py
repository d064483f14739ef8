"""`hyosan compare SAVE [SAVE2]`: a run against the story's canon, or two runs side by side."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from engine.cli._options import add_story_arguments, count_in, load_for_long_run
from engine.cli._saves import add_saves_dir_argument, find_save_file
from engine.diagnostics import printable
from engine.errors import EXIT_OK
from engine.runtime.model import Story
from engine.runtime.state import GameState

__all__ = ["MAX_WIDTH", "MIN_WIDTH", "add_arguments", "run"]

MIN_WIDTH, MAX_WIDTH = 20, 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("save", help="a save file, or a slot name in the saves folder")
    parser.add_argument("other", nargs="?", help="a second save: compare the two runs")
    add_story_arguments(parser, positional=False)
    add_saves_dir_argument(parser)
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument(
        "--width",
        type=count_in(MIN_WIDTH, MAX_WIDTH),
        metavar="N",
        help=f"text width, {MIN_WIDTH} to {MAX_WIDTH} (default: the terminal's)",
    )


def _states(story: Story, spec: str, saves_dir: Path | None) -> list[GameState]:
    from engine.replay import replay_save
    from engine.saves.files import read_save

    path = find_save_file(story, spec, saves_dir)
    result = replay_save(story, read_save(path))
    for warning in result.warnings:
        print(printable(f"hyosan: warning: {path}: {warning}"), file=sys.stderr)
    if result.divergence is not None:
        print(
            f"hyosan: warning: {path}: {result.divergence.describe()}; comparing the "
            f"{len(result.states) - 1} steps that still replay",
            file=sys.stderr,
        )
    return result.states


def run(args: argparse.Namespace) -> int:
    from engine.canon.compare import compare_run, compare_runs, require_canon
    from engine.report.compare import (
        comparison_json,
        comparison_markdown,
        comparison_text,
        rundiff_json,
        rundiff_markdown,
        rundiff_text,
    )

    story = load_for_long_run(args.story, args.branch)
    require_canon(story)  # a story without a canon has nothing to compare with: say so first
    saves_dir = args.saves_dir
    width = args.width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    first = _states(story, args.save, saves_dir)
    if args.other is None:
        cmp = compare_run(story, first)
        text = {
            "text": lambda: comparison_text(cmp, width),
            "markdown": lambda: comparison_markdown(cmp),
            "json": lambda: comparison_json(cmp),
        }[args.format]()
    else:
        diff = compare_runs(story, first, _states(story, args.other, saves_dir))
        text = {
            "text": lambda: rundiff_text(diff, width),
            "markdown": lambda: rundiff_markdown(diff),
            "json": lambda: rundiff_json(diff),
        }[args.format]()
    print(printable(text, bidi=False))  # prose: right-to-left text keeps its marks
    return EXIT_OK
