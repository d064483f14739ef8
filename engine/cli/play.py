"""`hyosan play`: play a story (the bundled one by default) in the terminal or line mode.

Owns: the options, which saves folder the session uses (`saves.places`), whether to
offer the autosave, and which front end runs: the full-screen one (`ui/terminal.py`) in
a terminal (without colour under NO_COLOR), the plain one (`ui/plain.py`) for pipes
and `--plain`. Only the standard library is imported at module level; the story, the
saves and prompt_toolkit are loaded inside `run`, and only what is needed.
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
    from engine.ui.watch import Watch

__all__ = ["add_arguments", "run"]

_EXAMPLES = """examples:
  hyosan play                          play the bundled Season 1 (or continue it)
  hyosan play --story my-story --new   play your own story from its start
  hyosan play --load autosave          continue where you left off
  hyosan play --slot rooftop --seed 7  a run named "rooftop" with fixed chances
  NO_COLOR=1 hyosan play               the full-screen game without colour
  hyosan play --theme light            colours for a light terminal background
  printf '1\\n2\\nq\\n' | hyosan play --plain   line mode, scripted

keys in the full-screen game: ? help, r roster, i inventory, u undo, q quit.
More in docs/play.md."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engine.cli._options import add_story_arguments

    add_story_arguments(parser, branches=False)  # DIR or --story DIR, like every command
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
        "--fullscreen",
        action="store_true",
        help="the full-screen game (the default in a terminal); an error without one",
    )
    parser.add_argument(
        "--theme",
        choices=("dark", "light"),
        default="dark",
        help="colours for a dark (default) or a light terminal background",
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EXAMPLES
    from engine.cli._saves import add_saves_dir_argument

    add_saves_dir_argument(parser)
    parser.add_argument(
        "--new", action="store_true", help="start a new game without offering the autosave"
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="reload the story when its files change, keeping your place (docs/authoring.md)",
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
    return not terminal  # NO_COLOR: the full-screen game without colour, not line mode


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
        watch = None
        if args.watch:
            from engine.ui.watch import Watch

            watch = Watch(game, args.story or BUNDLED_STORY)
        if plain:
            code = _run_plain(game, tuple(notices), watch)
        else:
            from engine.ui.terminal import TerminalUI

            color = not os.environ.get("NO_COLOR")
            screen = TerminalUI(game, theme=args.theme, color=color)
            if watch is not None:
                watch.follow(screen)
            code = screen.run(tuple(notices))
        return EXIT_PROBLEM if save_failed(game) else code  # "Could not save" was said
    finally:
        if watch is not None:
            watch.stop()
        session.close()


def _resume_args(args: argparse.Namespace) -> list[str]:
    from engine import BUNDLED_STORY

    out = []
    if Path(args.story).resolve() != BUNDLED_STORY.resolve():
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


def _run_plain(game: Game, notices: tuple[str, ...], watch: Watch | None = None) -> int:
    from engine.ui.plain import Hangup, PlainUI, terminal_reader

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
    source = sys.stdin if watch is None else watch.input(sys.stdin)
    reader = terminal_reader() if watch is None and sys.stdin.isatty() else None
    ui = PlainUI(game, source, sys.stdout, width=width, echo=not sys.stdin.isatty(), reader=reader)
    if watch is not None:
        watch.follow(ui)
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
