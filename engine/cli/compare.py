"""`hyosan compare SAVE [SAVE2]`: a run against the show, or two runs side by side."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from engine.cli._options import add_story_arguments
from engine.compiler.loader import load_story
from engine.errors import EXIT_OK
from engine.runtime.model import Story
from engine.runtime.state import GameState

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("save", help="a save file, or a slot name in the saves folder")
    parser.add_argument("other", nargs="?", help="a second save: compare the two runs")
    add_story_arguments(parser, positional=False)
    parser.add_argument("--saves-dir", type=Path, help="folder of save slots")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--width", type=int, help="text width (default: the terminal's)")


def _states(story: Story, spec: str, saves_dir: Path) -> list[GameState]:
    from engine.replay import replay_save
    from engine.saves.files import read_save, resolve_save

    path = resolve_save(saves_dir, spec)
    result = replay_save(story, read_save(path))
    for warning in result.warnings:
        print(f"hyosan: warning: {path}: {warning}", file=sys.stderr)
    if result.divergence is not None:
        print(
            f"hyosan: warning: {path}: {result.divergence.describe()}; comparing the "
            f"{len(result.states) - 1} steps that still replay",
            file=sys.stderr,
        )
    return result.states


def run(args: argparse.Namespace) -> int:
    from engine.canon.compare import compare_run, compare_runs
    from engine.report.compare import (
        comparison_json,
        comparison_markdown,
        comparison_text,
        rundiff_json,
        rundiff_markdown,
        rundiff_text,
    )
    from engine.saves.files import default_saves_dir

    story = load_story(args.story, args.branch)
    saves_dir = args.saves_dir or default_saves_dir()
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
    print(text)
    return EXIT_OK
