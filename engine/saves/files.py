"""Save files on disk: atomic writes with a backup, defensive reads, slots, debris.

Owns: `write_save` (temporary file, fsync, rename; never over a damaged file),
`read_save` (bounded by what it reads, checked), slot names confined to a folder, the
listing of slots, and removing the temporary files an interrupted write left behind.
Text <-> `SaveFile` is `format.py` / `parse.py`; which folder, and which run may
replace which, are `places.py` and `runs.py`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from engine.diagnostics import did_you_mean
from engine.saves.format import SaveError, SaveFile, dump_save
from engine.saves.lock import SlotLock, pid_alive, try_lock
from engine.saves.parse import parse_bytes

__all__ = [
    "AUTOSAVE_SLOT",
    "MAX_SAVE_BYTES",
    "backup_path",
    "clean_stale_temps",
    "is_slot_name",
    "list_slots",
    "read_bounded",
    "read_existing",
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
_TEMP = re.compile(r"^\..+\.(\d+)-[^.]*\.tmp$")  # .<name>.<pid>-<random>.tmp
STALE_TEMP_SECONDS = 600.0


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
    prefix = f".{path.name}.{os.getpid()}-"  # the pid tells a later start it is debris
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
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


Guard = Callable[[SaveFile | None], bool]
"""Called with the save a write would replace (None: no file yet); False skips the write,
and raising (a SaveError) refuses it. `runs.py` decides with it which run may replace which."""


def write_save(
    path: Path, save: SaveFile, *, backup: bool = False, guard: Guard | None = None
) -> bool:
    """Write `save` to `path` atomically: a crash at any moment leaves a whole file.

    With `backup`, the file being replaced is first copied (atomically too) to
    `backup_path(path)`. A file at `path` that is not a readable save is never
    overwritten: SaveError says so, and the user decides what to do with it. `guard`
    sees the save being replaced first and may skip (False) or refuse (raise) the write.
    Returns whether the file was written.

    Raises SaveError when the file cannot be written or the old one is damaged.
    """
    data = dump_save(save).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = _existing_bytes(path)
        old_save = None if old is None else _refuse_damaged(path, old)
        if guard is not None and not guard(old_save):
            return False
        if old is not None and backup:
            _atomic_write(backup_path(path), old)
        _atomic_write(path, data)
    except OSError as exc:
        raise SaveError(path, f"cannot write the save: {exc.strerror or exc}") from exc
    return True


def read_existing(path: Path) -> SaveFile | None:
    """The save a write to `path` would replace: None when there is no file, SaveError
    ("will not overwrite") when the file is not a readable save."""
    try:
        old = _existing_bytes(path)
    except OSError as exc:
        raise SaveError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    return None if old is None else _refuse_damaged(path, old)


def _existing_bytes(path: Path) -> bytes | None:
    try:
        return read_bounded(path)
    except FileNotFoundError:
        return None
    except SaveError as exc:  # a folder, a device, a file far too big: not a save
        raise _not_a_save(path, exc) from exc


def _refuse_damaged(path: Path, old: bytes) -> SaveFile:
    try:
        return parse_bytes(old, str(path))
    except SaveError as exc:
        raise _not_a_save(path, exc) from exc


def _not_a_save(path: Path, exc: SaveError) -> SaveError:
    return SaveError(
        path,
        f"will not overwrite this file, it is not a readable save ({exc.problem})",
        hint="move it away (or repair it) and save again, or save to another slot",
    )


# --- reading ---


def read_save(path: Path) -> SaveFile:
    """Read and check the save at `path` (migrating older formats in memory).

    Raises SaveError naming the file and what is wrong with it; never changes the file.
    """
    try:
        data = read_bounded(path)
    except FileNotFoundError as exc:
        raise SaveError(path, "no such save file", hint=_listing_hint(path)) from exc
    except OSError as exc:
        raise SaveError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    save = parse_bytes(data, str(path))
    return dataclasses.replace(save, source=str(path))


def read_bounded(path: Path) -> bytes:
    """The bytes of `path`, reading at most MAX_SAVE_BYTES + 1 of them: a device, a pipe or
    a huge file is refused without being read whole. Raises SaveError (a folder, too big)
    or OSError (FileNotFoundError when missing)."""
    if path.is_dir():  # where a folder cannot be opened at all (Windows)
        raise SaveError(path, "this is a folder, not a save file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)  # non-blocking: opening a FIFO with no writer cannot hang
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise SaveError(path, "this is a folder, not a save file")
    with os.fdopen(fd, "rb", buffering=0) as stream:
        if not stat.S_ISREG(mode):
            with contextlib.suppress(OSError, AttributeError):
                os.set_blocking(fd, True)  # a pipe: wait for its writer, bounded below
        data = _read_at_most(stream, MAX_SAVE_BYTES + 1)
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(
            path,
            f"the file is larger than {MAX_SAVE_BYTES // (1024 * 1024)} MiB; a save is a few "
            "kilobytes, so this is not one",
            hint="give the path of a save file (hyosan play --load, or the load menu, lists them)",
        )
    return data


def _read_at_most(stream: io.FileIO, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(1 << 16, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _listing_hint(path: Path) -> str | None:
    folder = path.parent if path.parent.is_dir() else None
    if folder is None:
        return None
    names = [p.name[: -len(SUFFIX)] for p in folder.glob("*" + SUFFIX)]
    guess = did_you_mean(path.name.removesuffix(SUFFIX), names)
    return f"did you mean {guess}?" if guess else None


# --- slots ---


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


def is_slot_name(name: str) -> bool:
    """True when `name` is a usable slot name (so `slot_path` accepts it)."""
    return _slot_problem(name.removesuffix(SUFFIX)) is None


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
    clean_stale_temps(saves_dir)
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


def clean_stale_temps(folder: Path, *, max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary files (`.<name>.<pid>-<random>.tmp`) that writes cut short
    left in `folder`: those whose writer is gone, and any older than `max_age` seconds.
    A write in progress (its process alive, its file young) is left alone. Lock files
    whose holder is gone go too. Returns the files removed; one that cannot be removed
    is skipped."""
    removed: list[Path] = []
    try:
        hidden = [p for p in folder.iterdir() if p.name.startswith(".")]
    except OSError:
        return removed
    for path in hidden:
        if path.suffix == ".lock" and _free_lock(path):
            removed.append(path)
    now = time.time()
    for path in (p for p in hidden if p.suffix == ".tmp"):
        match = _TEMP.match(path.name)
        writer_gone = match is not None and not pid_alive(int(match.group(1)))
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            if writer_gone or now - info.st_mtime > max_age:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def _free_lock(path: Path) -> bool:
    """Remove a lock file nobody holds (its process ended without letting go)."""
    try:
        lock = try_lock(path.with_name(path.name[1 : -len(".lock")]))
    except OSError:
        return False
    if isinstance(lock, SlotLock):
        lock.release()  # removes the file
        return True
    return False
