"""What the sub-commands that read or write saves share: the `--saves-dir` option, the
one way a SAVE argument becomes a file, and the words that run this hyosan again, for
the commands printed to the user (resume lines, branch hints). Finding a save is
`engine.saves.places`'; this module only adds the command line around it, and reads or
writes no save."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from engine.runtime.model import Story

__all__ = ["add_saves_dir_argument", "find_save_file", "program_words"]


def add_saves_dir_argument(parser: argparse.ArgumentParser) -> None:
    """`--saves-dir DIR`: where slot names are looked up (and where play writes)."""
    parser.add_argument(
        "--saves-dir",
        type=Path,
        metavar="DIR",
        help="the folder of save slots (default: $HYOSAN_SAVES, else the user's data folder "
        "for the story, e.g. ~/.local/share/hyosan/saves/STORY-ID)",
    )


def find_save_file(story: Story, spec: str, saves_dir: Path | None) -> Path:
    """The file SAVE names, the same for every command that takes one (`play --load`,
    `replay`, `compare`, `map --run`): a path, else a slot in the story's saves folder,
    else the same slot in the project's old `saves/` (said on stderr).
    Raises SaveError for a bad slot name."""
    from engine.saves.places import find_save, saves_folder

    found = find_save(saves_folder(story.id, saves_dir), spec)
    if found.note:
        print(f"hyosan: note: {found.note}", file=sys.stderr)
    return found.path


def program_words() -> list[str]:
    """The words that run this hyosan again, as printed in hints: `hyosan` when that is
    what ran and it is on PATH; the script's absolute path when it is not on PATH (a
    virtual environment not activated, pipx without its bin folder on PATH); else
    `<python> -m engine` with the interpreter's absolute path."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and _is_hyosan_script(script.name):
        on_path = shutil.which("hyosan")
        try:
            if on_path and Path(on_path).resolve() == script.resolve():
                return ["hyosan"]
            return [str(script.absolute())]
        except OSError:
            return [str(script)]
    return [str(Path(sys.executable or "python3").absolute()), "-m", "engine"]


def _is_hyosan_script(name: str) -> bool:
    return name.lower().removesuffix(".exe").removesuffix("-script.py") == "hyosan"
