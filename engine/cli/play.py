"""`hyosan play`: play a story (the bundled one by default) in the terminal or line mode.

Owns: the options, where saves live, whether to offer the autosave, and which front end
runs: the full-screen one (`ui/terminal.py`) in a terminal, the plain one (`ui/plain.py`)
for pipes, `--plain` and NO_COLOR. Only the standard library is imported at module level;
the story, the saves and prompt_toolkit are loaded inside `run`, and only what is needed.
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
    from engine.ui.commands import Game

__all__ = ["add_arguments", "run", "saves_folder"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--story", type=Path, metavar="DIR", help="story folder (default: the bundled story)"
    )
    parser.add_argument(
        "--slot", metavar="NAME", help="autosave to this slot instead of 'autosave'"
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
    parser.add_argument(
        "--saves-dir",
        type=Path,
        metavar="DIR",
        help="where slots live (default: $HYOSAN_SAVES, else saves/ next to the story)",
    )
    parser.add_argument(
        "--new", action="store_true", help="start a new game without offering the autosave"
    )


def saves_folder(option: Path | None) -> Path:
    """--saves-dir, else $HYOSAN_SAVES, else the repository's saves/ next to story/."""
    if option is not None:
        return option
    from engine.saves.files import default_saves_dir

    return default_saves_dir()


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
    from engine.errors import EXIT_USAGE, UserError
    from engine.saves.files import AUTOSAVE_SLOT, slot_path
    from engine.saves.format import SaveError
    from engine.session import Session, new_seed
    from engine.ui.commands import Game

    plain = _is_plain(args)
    saves_dir = saves_folder(args.saves_dir)
    slot = args.slot or AUTOSAVE_SLOT
    try:
        slot_path(saves_dir, slot)
    except SaveError as exc:
        raise UserError(f"--slot: {exc.message}", EXIT_USAGE, hint=exc.hint) from exc
    story = load_for_long_run(args.story or BUNDLED_STORY)
    session = Session(story, args.seed if args.seed is not None else new_seed(), saves_dir, slot)
    game = Game(session, _resume_args(args), seed=args.seed, new_seed=new_seed)
    notices: tuple[str, ...] = ()
    if args.load:
        notices = tuple(session.load(args.load))
    elif not args.new and (not plain or sys.stdin.isatty()):
        game.offer, notices = _offer(game, slot_path(saves_dir, slot))
    if plain:
        return _run_plain(game, notices)
    from engine.ui.terminal import TerminalUI

    return TerminalUI(game).run(notices)


def _resume_args(args: argparse.Namespace) -> list[str]:
    out = []
    if args.story is not None:
        out += ["--story", str(args.story)]
    if args.saves_dir is not None:
        out += ["--saves-dir", str(args.saves_dir)]
    return out


def _offer(game: Game, path: Path) -> tuple[SaveFile | None, tuple[str, ...]]:
    """The autosave to offer (an unfinished run of this story), and any word about it."""
    from engine.saves.files import read_save
    from engine.saves.format import SaveError

    if not path.is_file():
        return None, ()
    try:
        save = read_save(path)
    except SaveError as exc:
        return None, (f"Your autosave cannot be read, so it is left alone: {exc.message}",)
    if save.story_id != game.session.story.id or save.ending is not None or not save.steps:
        return None, ()
    return save, ()


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
