"""`hyosan replay SAVE`: show a saved run again, check it, or branch off from a step.

Modes: the full-screen viewer on a terminal (`engine/ui/replay_viewer.py`, imported only
then); a transcript (`--plain`, `--format markdown`, or whenever stdout is not a
terminal); `--check` (silent, exit 1 when the replay differs in any way); `--branch-at N`
(writes a new save holding the first N steps and prints how to play on). Owns the
arguments, these flows and the printing; the text comes from `engine/report/replay.py`,
replaying from `engine/replay.py`, files from `engine/saves/`. No terminal code here.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from pathlib import Path

from engine import BUNDLED_STORY
from engine.cli._options import add_story_arguments, load_for_long_run
from engine.cli._saves import add_saves_dir_argument, find_save_file, program_words
from engine.diagnostics import printable
from engine.errors import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, UserError
from engine.replay import Divergence, ReplayResult, replay_save, step_views
from engine.report.replay import FORMATS, transcript
from engine.runtime.model import Story
from engine.saves.files import read_save, slot_path, write_save
from engine.saves.format import SaveError, SaveFile, make_save

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("save", metavar="SAVE", help="a save file, or a slot name")
    add_story_arguments(parser, positional=False)
    add_saves_dir_argument(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="replay silently; exit 1 if anything differs from the save (for CI)",
    )
    mode.add_argument(
        "--branch-at",
        type=int,
        metavar="N",
        help="write a new save holding the first N steps, to play on from step N",
    )
    mode.add_argument("--plain", action="store_true", help="print the whole run as a transcript")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="transcript format: text (default) or markdown (implies --plain)",
    )
    parser.add_argument(
        "--to",
        type=int,
        metavar="N",
        help="start the viewer at step N (with --plain: print steps 1 to N; with --check: "
        "check steps 1 to N)",
    )
    parser.add_argument(
        "--theme",
        choices=("dark", "light"),
        default="dark",
        help="the viewer's colours for a dark (default) or a light terminal background",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="with --branch-at: the new save file (default: SAVE-branch-N.yaml next to SAVE)",
    )


def run(args: argparse.Namespace) -> int:
    if args.out is not None and args.branch_at is None:
        raise UserError("--out only goes with --branch-at N", code=EXIT_USAGE)
    story = load_for_long_run(args.story, args.branch)
    path = find_save_file(story, args.save, args.saves_dir)
    save = read_save(path)
    if args.check and args.to is not None:
        save = _first_steps(save, args.to)
    result = replay_save(story, save)
    if args.check:
        return _check(path, result)
    for warning in result.warnings:
        print(printable(f"hyosan: warning: {path}: {warning}"), file=sys.stderr)
    if args.branch_at is not None:
        return _branch(args, path, story, save, result)
    views = step_views(story, result.states)
    first = _first_screen(args.to, len(views))
    if not args.plain and args.format == "text" and sys.stdout.isatty() and sys.stdin.isatty():
        from engine.ui.replay_viewer import ReplayViewer  # prompt_toolkit: only on a terminal

        color = not os.environ.get("NO_COLOR")  # NO_COLOR: the viewer without colour
        ReplayViewer(story, save, path, result, views, first, theme=args.theme, color=color).run()
    else:
        last = len(views) if args.to is None else args.to
        text = transcript(args.format, story, save, path, result, views[:last], args.to is None)
        print(printable(text, bidi=False))  # prose: right-to-left text keeps its marks
    if result.divergence is None:
        return EXIT_OK
    _report_divergence(args, path, result.divergence, result.matched_steps)
    return EXIT_PROBLEM


def _first_steps(save: SaveFile, to: int) -> SaveFile:
    """The save cut to its first `to` steps (for `--check --to N`)."""
    steps = len(save.steps)
    if not 1 <= to <= steps:
        span = f"steps 1 to {steps}" if steps else "no steps"
        raise UserError(f"--to {to}: this run has {span}", code=EXIT_USAGE)
    ending = save.ending if to == steps else None
    return dataclasses.replace(save, steps=save.steps[:to], ending=ending)


def _first_screen(to: int | None, steps: int) -> int:
    if to is None:
        return 0
    if not 1 <= to <= steps:
        span = f"steps 1 to {steps}" if steps else "no steps"
        raise UserError(f"--to {to}: this run has {span}", code=EXIT_USAGE)
    return to - 1


# --- --check ---


def _check(path: Path, result: ReplayResult) -> int:
    if result.is_exact:
        return EXIT_OK
    for warning in result.warnings:
        print(printable(f"hyosan: {path}: {warning}"), file=sys.stderr)
    if result.divergence is not None:
        print(printable(f"hyosan: {path}: {result.divergence.describe()}"), file=sys.stderr)
    return EXIT_PROBLEM


def _report_divergence(
    args: argparse.Namespace, path: Path, divergence: Divergence, matched: int
) -> None:
    print(printable(f"hyosan: error: {path}: {divergence.describe()}"), file=sys.stderr)
    print(
        f"  the first {matched} step{'s' * (matched != 1)} still match the story; "
        f"to keep them and play on:\n    {_command(args, 'replay', path, '--branch-at', matched)}",
        file=sys.stderr,
    )


def _command(args: argparse.Namespace, name: str, *words: object) -> str:
    parts = [*program_words(), name, *(str(w) for w in words)]
    if Path(args.story).resolve() != BUNDLED_STORY.resolve():
        parts += ["--story", str(args.story)]
    for branch in args.branch:
        parts += ["--branch", str(branch)]
    return shlex.join(parts)


# --- --branch-at ---


def _branch(
    args: argparse.Namespace, path: Path, story: Story, save: SaveFile, result: ReplayResult
) -> int:
    at = args.branch_at
    if at < 0 or at > len(save.steps):
        raise UserError(
            f"--branch-at {at}: this run has steps 0 to {len(save.steps)}", code=EXIT_USAGE
        )
    if at > result.matched_steps:
        reason = result.divergence.reason if result.divergence else "it diverges"
        raise SaveError(
            path,
            f"cannot branch at step {at}: the story no longer replays past step "
            f"{result.matched_steps} ({reason})",
            hint=f"branch at {result.matched_steps} or earlier",
        )
    out = args.out if args.out is not None else _free_name(path, at)
    if out.exists():
        raise SaveError(out, "already exists; a branch never overwrites a file", hint="--out PATH")
    slot = out.name.removesuffix(".yaml")
    branch = make_save(story, save.seed, result.states[: at + 1], slot if _is_slot(slot) else None)
    write_save(out, branch)
    print(f"Wrote {out}: the first {at} steps of {path} (the original is unchanged).")
    print("Play on from there with:")
    print(f"  {_command(args, 'play', '--load', out)}")
    return EXIT_OK


def _free_name(path: Path, at: int) -> Path:
    stem = path.name.removesuffix(".yaml")
    candidate = path.with_name(f"{stem}-branch-{at}.yaml")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{stem}-branch-{at}-{number}.yaml")
        number += 1
    return candidate


def _is_slot(name: str) -> bool:
    try:
        slot_path(Path("."), name)
    except SaveError:
        return False
    return True
