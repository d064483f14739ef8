"""Save files on disk: atomic writes with a backup, defensive reads, slots and the folder.

Owns: `write_save` (temporary file, fsync, rename; never over a damaged file),
`read_save` (bounded, checked), slot names confined to the saves folder, the default
saves folder and the listing of slots. Text <-> `SaveFile` is `format.py` / `parse.py`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from engine.diagnostics import did_you_mean
from engine.saves.format import SaveError, SaveFile, dump_save
from engine.saves.parse import parse_bytes

__all__ = [
    "AUTOSAVE_SLOT",
    "backup_path",
    "default_saves_dir",
    "list_slots",
    "read_save",
    "resolve_save",
    "slot_path",
    "write_save",
]

AUTOSAVE_SLOT = "autosave"
MAX_SAVE_BYTES = 8 * 1024 * 1024
SUFFIX = ".yaml"
BACKUP_SUFFIX = ".bak.yaml"
_SLOT_CHARS = re.compile(r"^[A-Za-z0-9_.\-]+$")
_MAX_SLOT_LENGTH = 100


def backup_path(path: Path) -> Path:
    """Where `write_save(..., backup=True)` keeps the previous copy: `<slot>.bak.yaml`."""
    name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    return path.with_name(name + BACKUP_SUFFIX)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, flush + fsync, rename over `path`, fsync the folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_save(path: Path, save: SaveFile, *, backup: bool = False) -> None:
    """Write `save` to `path` atomically: a crash at any moment leaves a whole file.

    With `backup`, the file being replaced is first copied (atomically too) to
    `backup_path(path)`. A file at `path` that is not a readable save is never
    overwritten: SaveError says so, and the user decides what to do with it.

    Raises SaveError when the file cannot be written or the old one is damaged.
    """
    data = dump_save(save).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_bytes() if path.is_file() else None
        if old is not None:
            _refuse_damaged(path, old)
            if backup:
                _atomic_write(backup_path(path), old)
        elif path.exists():
            raise SaveError(path, "this is a folder, not a save file")
        _atomic_write(path, data)
    except OSError as exc:
        raise SaveError(path, f"cannot write the save: {exc.strerror or exc}") from exc


def _refuse_damaged(path: Path, old: bytes) -> None:
    try:
        parse_bytes(old, str(path))
    except SaveError as exc:
        raise SaveError(
            path,
            f"will not overwrite this file, it is not a readable save ({exc.problem})",
            hint="move it away (or repair it) and save again, or save to another slot",
        ) from exc


# --- reading ---


def read_save(path: Path) -> SaveFile:
    """Read and check the save at `path` (migrating older formats in memory).

    Raises SaveError naming the file and what is wrong with it; never changes the file.
    """
    try:
        if path.is_dir():
            raise SaveError(path, "this is a folder, not a save file")
        size = path.stat().st_size
        if size > MAX_SAVE_BYTES:
            raise SaveError(path, f"the file is {size / 1e6:.1f} MB; saves are far smaller")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SaveError(path, "no such save file", hint=_listing_hint(path)) from exc
    except OSError as exc:
        raise SaveError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    save = parse_bytes(data, str(path))
    return dataclasses.replace(save, source=str(path))


def _listing_hint(path: Path) -> str | None:
    folder = path.parent if path.parent.is_dir() else None
    if folder is None:
        return None
    names = [p.name[: -len(SUFFIX)] for p in folder.glob("*" + SUFFIX)]
    guess = did_you_mean(path.name.removesuffix(SUFFIX), names)
    return f"did you mean {guess}?" if guess else None


# --- slots and the saves folder ---


def default_saves_dir() -> Path:
    """The folder slot names refer to: $HYOSAN_SAVES, else the project's `saves/` (beside
    `story/`), the same folder `hyosan play` autosaves into."""
    if os.environ.get("HYOSAN_SAVES"):
        return Path(os.environ["HYOSAN_SAVES"])
    from engine import BUNDLED_STORY

    return BUNDLED_STORY.parent / "saves"


def _slot_problem(slot: str) -> str | None:
    if not slot:
        return "a slot name cannot be empty"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in slot):
        return "a slot name cannot hold control characters"
    if slot.startswith("/") or Path(slot).is_absolute() or re.match(r"^[A-Za-z]:", slot):
        return "a slot name is a name, not an absolute path"
    if "/" in slot or "\\" in slot:
        return 'a slot name cannot hold "/" or "\\"'
    if ".." in slot:
        return 'a slot name cannot hold ".."'
    if slot.startswith("."):
        return 'a slot name cannot start with "."'
    if not _SLOT_CHARS.match(slot):
        return "a slot name holds only ASCII letters, digits, - _ and ."
    if len(slot) > _MAX_SLOT_LENGTH:
        return f"a slot name has at most {_MAX_SLOT_LENGTH} characters"
    if slot.endswith(".bak"):
        return 'a slot name cannot end in ".bak" (that is how backups are named)'
    return None


def slot_path(saves_dir: Path, slot: str) -> Path:
    """The file of `slot` in `saves_dir` (`<slot>.yaml`); a trailing `.yaml` is allowed.

    Raises SaveError for a name that could escape the folder or is otherwise unusable.
    """
    name = slot[: -len(SUFFIX)] if slot.endswith(SUFFIX) else slot
    problem = _slot_problem(name)
    if problem is not None:
        raise SaveError(
            repr(slot),
            problem,
            hint="use letters, digits, - _ and . (for example: my-run_2)",
        )
    return saves_dir / (name + SUFFIX)


def resolve_save(saves_dir: Path, spec: str) -> Path:
    """What `--load X` / `replay X` mean: a path to a file, or else a slot in `saves_dir`.

    A spec holding a path separator, or naming an existing file, is a path; anything
    else must be a valid slot name. Raises SaveError for a bad slot name.
    """
    if "/" in spec or os.sep in spec or Path(spec).is_file():
        return Path(spec)
    return slot_path(saves_dir, spec)


def _sort_key(entry: tuple[Path, SaveFile | SaveError]) -> float:
    path, save = entry
    if isinstance(save, SaveFile):
        with contextlib.suppress(ValueError):
            stamp = datetime.fromisoformat(save.updated)
            return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def list_slots(saves_dir: Path) -> list[tuple[Path, SaveFile | SaveError]]:
    """Every save in `saves_dir` (backups and temporary files left out), newest first.

    A file that cannot be read is listed with its SaveError, so a menu can show it.
    """
    if not saves_dir.is_dir():
        return []
    entries: list[tuple[Path, SaveFile | SaveError]] = []
    for path in sorted(saves_dir.glob("*" + SUFFIX)):
        if path.name.startswith(".") or path.name.endswith(BACKUP_SUFFIX):
            continue
        try:
            entries.append((path, read_save(path)))
        except SaveError as exc:
            entries.append((path, exc))
    entries.sort(key=_sort_key, reverse=True)
    return entries
