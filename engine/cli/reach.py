"""`hyosan reach CONDITION [DIR]`: the shortest way to a state where CONDITION holds.

Exit 0 when a witness was found (with `--all-endings`: at least one, and no ending left
unknown because of the bound), 1 when the condition provably never holds (the search was
complete) or when the bound stopped the search first, 2 for a condition that does not
compile (printed with a caret under its column). Owns the arguments, `--from SAVE`,
writing the witnesses as replayable saves and the printing; the search is
`engine.tools.reach`, the text `engine.report.reach`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from engine import BUNDLED_STORY
from engine.cli._options import (
    add_max_states,
    add_story_arguments,
    load_for_long_run,
)
from engine.cli._progress import Progress
from engine.cli._saves import add_saves_dir_argument, find_save_file, program_words
from engine.cli.explore import DEFAULT_MAX_STATES
from engine.compiler.query import QueryError, compile_query, tracking_visits
from engine.diagnostics import printable
from engine.errors import EXIT_OK, EXIT_PROBLEM, UserError
from engine.report.reach import reach_text
from engine.runtime.model import Story
from engine.runtime.rules import replay_steps
from engine.runtime.state import GameState
from engine.tools.reach import ReachResult, Witness, reach

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "condition",
        metavar="CONDITION",
        help="a condition in the story's language; `ending` is the ending id ('' when "
        "not at an ending), e.g. \"ending == 'show' and alive('cheong-san')\"",
    )
    add_story_arguments(parser)
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the seed of the run (default 0; with --from, the save's own seed is used)",
    )
    add_max_states(parser, DEFAULT_MAX_STATES)
    parser.add_argument(
        "--from",
        dest="from_save",
        metavar="SAVE",
        help="search from the end of this saved run (a file or a slot name)",
    )
    add_saves_dir_argument(parser)
    parser.add_argument(
        "--all-endings",
        action="store_true",
        help="one witness per ending where the condition holds (reach-<ending>.yaml)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="the witness save (default: reach-<n>.yaml here); with --all-endings, a folder",
    )


def run(args: argparse.Namespace) -> int:
    story = load_for_long_run(args.story, args.branch)
    try:
        condition = compile_query(story, args.condition)
    except QueryError as exc:
        print(f"hyosan: error: {printable(exc.message, lines=False)}", file=sys.stderr)
        for line in exc.caret():
            print(f"  {printable(line, lines=False)}", file=sys.stderr)
        return exc.code
    story = tracking_visits(story, condition)
    seed: int = args.seed
    prefix: tuple[tuple[str, str], ...] = ()
    start: GameState | None = None
    if args.from_save is not None:
        seed, prefix, start = _from_save(story, args)
    progress = Progress(time.monotonic(), args.max_states, None) if sys.stderr.isatty() else None
    try:
        result = reach(
            story,
            condition,
            seed=seed,
            max_states=args.max_states,
            start=start,
            all_endings=args.all_endings,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.clear()
    saves = _write(story, seed, prefix, result, args.out)
    replay = {w: _command(args, "replay", path) for w, path in saves.items()}
    raise_bound = _command(args, "reach", args.condition, "--max-states", args.max_states * 10)
    print(reach_text(result, saves, replay, raise_bound, len(prefix)))
    unknown = not result.complete and (result.endings_left or not result.witnesses)
    return EXIT_OK if result.witnesses and not unknown else EXIT_PROBLEM


def _from_save(
    story: Story, args: argparse.Namespace
) -> tuple[int, tuple[tuple[str, str], ...], GameState]:
    """The seed, the steps and the final state of the saved run `--from` names."""
    from engine.replay import replay_save
    from engine.saves.files import read_save

    path = find_save_file(story, args.from_save, args.saves_dir)
    save = read_save(path)
    replayed = replay_save(story, save)
    if replayed.divergence is not None:
        raise UserError(
            f"{path}: the story no longer replays this save: {replayed.divergence.describe()}",
            hint=f"check it with: {_command(args, 'replay', path, '--check')}",
        )
    final = replayed.states[-1]
    return save.seed, tuple(final.steps()), final


def _write(
    story: Story,
    seed: int,
    prefix: tuple[tuple[str, str], ...],
    result: ReachResult,
    out: Path | None,
) -> dict[Witness, str]:
    """Write every witness as a save from the start of the story (the `--from` steps
    first); return the paths written."""
    from engine.saves.files import is_slot_name, write_save
    from engine.saves.format import make_save

    if result.all_endings and out is not None and out.exists() and not out.is_dir():
        raise UserError(f"{out}: not a folder", hint="with --all-endings, --out names a folder")
    written: dict[Witness, str] = {}
    for witness in result.witnesses:
        path = _target(witness, result.all_endings, out)
        states = replay_steps(story, seed, (*prefix, *witness.steps))
        slot = path.name.removesuffix(".yaml")
        write_save(path, make_save(story, seed, states, slot if is_slot_name(slot) else None))
        written[witness] = str(path)
    return written


def _target(witness: Witness, all_endings: bool, out: Path | None) -> Path:
    if not all_endings:
        return out if out is not None else _free(Path("."), "reach-{}.yaml", 1)
    folder = out if out is not None else Path(".")
    name = f"reach-{witness.ending}"
    first = folder / f"{name}.yaml"
    return first if not first.exists() else _free(folder, name + "-{}.yaml", 2)


def _free(folder: Path, pattern: str, number: int) -> Path:
    """The first `pattern.format(n)` in `folder`, from n = `number`, that does not exist."""
    while (folder / pattern.format(number)).exists():
        number += 1
    return folder / pattern.format(number)


def _command(args: argparse.Namespace, name: str, *words: object) -> str:
    parts = [*program_words(), name, *(str(w) for w in words)]
    if Path(args.story).resolve() != BUNDLED_STORY.resolve():
        parts += ["--story", str(args.story)] if name == "replay" else [str(args.story)]
    for branch in args.branch:
        parts += ["--branch", str(branch)]
    if name == "reach" and args.seed:
        parts += ["--seed", str(args.seed)]
    if name == "reach" and args.from_save is not None:
        parts += ["--from", str(args.from_save)]
    if name == "reach" and args.all_endings:
        parts.append("--all-endings")
    return " ".join(_quote(part) for part in parts)


def _quote(word: str) -> str:
    """A shell word; a condition with single quotes reads best in double quotes."""
    quoted = shlex.quote(word)
    if quoted != word and "'" in word and not any(c in word for c in '"$`\\!'):
        return f'"{word}"'
    return quoted
