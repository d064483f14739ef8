"""`hyosan play`: play a story (the bundled one by default) in the terminal or line mode.

Owns: the options, which saves folder the session uses (`saves.places`), whether to
offer the autosave, and which front end runs: the full-screen one (`ui/terminal.py`) in
a terminal, the plain one (`ui/plain.py`) for pipes, `--plain` and NO_COLOR. Only the
standard library is imported at module level; the story, the saves and prompt_toolkit
are loaded inside `run`, and only what is needed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.saves.format import SaveFile
    from engine.saves.places import SavesFolder
    from engine.ui.commands import Game

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--story", type=Path, metavar="DIR", help="story folder (default: the bundled story)"
    )
    parser.add_argument(
        "--slot",
        metavar="NAME",
        help="name the run's file NAME (default: the story and the time); offers to continue it",
    )
    parser.add_argument(
        "--load", metavar="PATH_OR_SLOT", help="continue a saved game: a save file or a slot name"
    )
    parser.add_argument("--seed", type=int, metavar="N", help="seed for the story's chances")
    parser.add_argument(
        "--plain", action="store_true", help="line mode: numbered choices, no escape codes"
    )
    parser.add_argument(
        "--fullscreen", action="store_true", help="full-screen mode even when NO_COLOR is set"
    )
    from engine.cli._saves import add_saves_dir_argument

    add_saves_dir_argument(parser)
    parser.add_argument(
        "--new", action="store_true", help="start a new game without offering the autosave"
    )


def _is_plain(args: argparse.Namespace) -> bool:
    if args.plain:
        return True
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if args.fullscreen:
        if not terminal:
            from engine.errors import EXIT_USAGE, UserError

            raise UserError("--fullscreen needs a terminal", EXIT_USAGE, hint="drop --fullscreen")
        return False
    return not terminal or bool(os.environ.get("NO_COLOR"))


def run(args: argparse.Namespace) -> int:
    from engine import BUNDLED_STORY
    from engine.cli._options import load_for_long_run
    from engine.cli._saves import program_words
    from engine.errors import EXIT_PROBLEM, EXIT_USAGE, UserError
    from engine.saves.files import slot_path
    from engine.saves.format import SaveError
    from engine.saves.places import saves_folder
    from engine.session import Session, new_seed
    from engine.ui.commands import Game
    from engine.ui.guard import save_failed

    plain = _is_plain(args)
    try:
        slot_path(Path("."), args.slot or "autosave")
    except SaveError as exc:
        raise UserError(f"--slot: {exc.message}", EXIT_USAGE, hint=exc.hint) from exc
    story = load_for_long_run(args.story or BUNDLED_STORY)
    folder = saves_folder(story.id, args.saves_dir)
    seed = args.seed if args.seed is not None else new_seed()
    session = Session(story, seed, folder.path, args.slot, fallback=folder.fallback)
    game = Game(session, _resume_args(args), program_words(), seed=args.seed, new_seed=new_seed)
    try:
        notices = session.open_files()
        if args.load:
            notices += session.load(args.load)
        elif not args.new and (not plain or sys.stdin.isatty()):
            game.offer, offered = _offer(game, folder, args.slot)
            notices += offered
        if plain:
            code = _run_plain(game, tuple(notices))
        else:
            from engine.ui.terminal import TerminalUI

            code = TerminalUI(game).run(tuple(notices))
        return EXIT_PROBLEM if save_failed(game) else code  # "Could not save" was said
    finally:
        session.close()


def _resume_args(args: argparse.Namespace) -> list[str]:
    out = []
    if args.story is not None:
        out += ["--story", str(args.story)]
    if args.saves_dir is not None:
        out += ["--saves-dir", str(args.saves_dir)]
    return out


def _offer(game: Game, folder: SavesFolder, slot: str | None) -> tuple[SaveFile | None, list[str]]:
    """The autosave (or the run --slot names) to offer, when it is an unfinished run of
    this story, and any word about it. The project's old saves folder is looked in too."""
    from engine.saves.files import read_save, slot_path
    from engine.saves.format import SaveError

    path = slot_path(folder.path, slot or "autosave")
    if not path.is_file() and folder.fallback is not None and slot is None:
        path = slot_path(folder.fallback, "autosave")
    if not path.is_file():
        return None, []
    try:
        save = read_save(path)
    except SaveError as exc:
        return None, [f"Your autosave cannot be read, so it is left alone: {exc.message}"]
    if save.story_id != game.session.story.id or save.ending is not None or not save.steps:
        return None, []
    if folder.fallback is not None and path.parent == folder.fallback:
        return save, [f"Found your game in the old saves folder {folder.fallback}."]
    return save, []


def _run_plain(game: Game, notices: tuple[str, ...]) -> int:
    from engine.ui.plain import Hangup, PlainUI

    hung_up: list[bool] = []

    def hang_up() -> None:
        if not hung_up:  # once: a second signal must not cut the final save short
            hung_up.append(True)
            raise Hangup

    for stream in (sys.stdout, sys.stdin):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    width = 0
    if sys.stdout.isatty():
        width = min(os.get_terminal_size(sys.stdout.fileno()).columns - 1, 100)
    ui = PlainUI(game, sys.stdin, sys.stdout, width=width, echo=not sys.stdin.isatty())
    with _hangup_signals(hang_up):
        return ui.run(notices)


@contextmanager
def _hangup_signals(handler: Callable[[], None]) -> Iterator[None]:
    """SIGTERM and SIGHUP call `handler` (which leaves via an exception) while inside."""
    names = ("SIGTERM", "SIGHUP")
    wanted = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {sig: signal.signal(sig, lambda *_: handler()) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
