"""Where saves live, and the one way a SAVE argument becomes a file.

Owns: `saves_folder(story_id, option)`: `--saves-dir` if given, else `$HYOSAN_SAVES`,
else the user's data folder per story (`platformdirs.user_data_path("hyosan") / "saves" /
<story id>`: XDG on Linux, the platform's convention elsewhere); the project's old
`saves/` folder (a checkout's, beside `story/`), read as a fallback and never written;
and `find_save`, which every command that takes a save (`play --load`, `replay`,
`compare`, `map --run`, the load command in play) uses. Reads no save.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.saves.files import resolve_save, slot_path

__all__ = ["FoundSave", "SavesFolder", "find_save", "project_saves_dir", "saves_folder"]

APP_NAME = "hyosan"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class SavesFolder:
    """Where one story's saves are written (`path`), and an older folder that is only read
    when a slot is not found in `path` (`fallback`: the project's old `saves/`)."""

    path: Path
    fallback: Path | None = None


@dataclass(frozen=True)
class FoundSave:
    """The file a SAVE argument names, and a note for the player when it came from the
    old saves folder (None otherwise)."""

    path: Path
    note: str | None = None


def story_folder_name(story_id: str) -> str:
    """The folder name for a story's saves: its id, with anything unsafe in a path as -."""
    return _UNSAFE.sub("-", story_id).strip(".-") or "story"


def project_saves_dir() -> Path | None:
    """The `saves/` folder of the checkout this engine runs from (where Hyosan kept saves
    before they moved to the user's folder); None for an installed package."""
    root = Path(__file__).resolve().parent.parent.parent
    folder = root / "saves"
    if (root / "story" / "story.yaml").is_file() and folder.is_dir():
        return folder
    return None


def saves_folder(story_id: str, option: Path | None = None) -> SavesFolder:
    """The saves folder of the story `story_id`: `option` (--saves-dir), else
    $HYOSAN_SAVES, else the user's data folder per story, with the project's old
    `saves/` as the read-only fallback."""
    if option is not None:
        return SavesFolder(option)
    if os.environ.get("HYOSAN_SAVES"):
        return SavesFolder(Path(os.environ["HYOSAN_SAVES"]))
    from platformdirs import user_data_path  # only where the default folder is needed

    path = user_data_path(APP_NAME, appauthor=False) / "saves" / story_folder_name(story_id)
    old = project_saves_dir()
    return SavesFolder(path, old if old is not None and old != path else None)


def find_save(folder: SavesFolder, spec: str) -> FoundSave:
    """What SAVE means: a path to a file (anything with a path separator, or an existing
    file), else a slot in `folder.path`, else the same slot in the old folder.

    Raises SaveError for a bad slot name. A slot found nowhere gives its path in
    `folder.path`, so reading it says "no such save file" with the names that exist.
    """
    path = resolve_save(folder.path, spec)
    if not _is_slot_spec(spec):
        return FoundSave(path)
    if path.exists() or folder.fallback is None:
        return FoundSave(path)
    old = slot_path(folder.fallback, spec)
    if not old.is_file():
        return FoundSave(path)
    name = spec.removesuffix(".yaml")
    return FoundSave(
        old, f'slot "{name}" is not in {folder.path}; using {old} from the old saves folder'
    )


def _is_slot_spec(spec: str) -> bool:
    return not ("/" in spec or os.sep in spec or Path(spec).is_file())
