"""Runs as files: which write may replace which save, so no run is ever lost silently.

Owns: comparing two saves as runs (`relation`: the same run, the same run further on or
not as far, or another run), `write_run` (a save goes over a file only when that loses
nothing, unless the player confirmed), `write_autosave` (the autosave follows the
current run; the run it held is first made sure to live in a run file of its own), the
names of run files (`run_name`, `free_name`) and `RunConflict`. A save's `slot:` names
the run file the run lives in, which is how the autosave points at its run. Reads the
files it guards; never steps the story.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from pathlib import Path

from engine.saves.files import (
    AUTOSAVE_SLOT,
    is_slot_name,
    read_save,
    slot_path,
    write_save,
)
from engine.saves.format import SaveError, SaveFile, utc_now
from engine.saves.lock import LockHeld, SlotLock, try_lock

__all__ = [
    "Relation",
    "RunConflict",
    "claim_free_name",
    "describe_run",
    "free_name",
    "relation",
    "run_name",
    "write_autosave",
    "write_run",
]


class Relation(enum.Enum):
    """How a new save of a run relates to the save a file holds now."""

    NEW = "no file yet"
    SAME = "the same steps"
    EXTENDS = "the same run, further on"
    SHORTER = "the same run, not as far"
    OTHER = "another run"


def relation(old: SaveFile | None, new: SaveFile) -> Relation:
    """How `new` relates to `old`: the same story, seed and steps up to the shorter one
    make one run; anything else is another run."""
    if old is None:
        return Relation.NEW
    if old.story_id != new.story_id or old.seed != new.seed:
        return Relation.OTHER
    if old.steps == new.steps:
        return Relation.SAME
    if new.steps[: len(old.steps)] == old.steps:
        return Relation.EXTENDS
    if old.steps[: len(new.steps)] == new.steps:
        return Relation.SHORTER
    return Relation.OTHER


def describe_run(save: SaveFile) -> str:
    """'a run of 12 steps (episode 3, 5 alive, saved 2024-05-01 12:00 UTC)', for messages."""
    where = f"ended: {save.ending}" if save.ending else f"episode {save.episode}"
    count = len(save.steps)
    when = save.updated[:16].replace("T", " ")
    return f"a run of {count} step{'s' * (count != 1)} ({where}, saved {when} UTC)"


class RunConflict(SaveError):
    """Writing would replace `other` (another run, or this run further on) in `path`."""

    def __init__(self, path: Path, other: SaveFile, how: Relation, steps: int) -> None:
        if how is Relation.SHORTER:
            problem = (
                f"holds this run up to step {len(other.steps)}; writing it at step {steps} "
                "would cut it short"
            )
        else:
            problem = f"holds another run: {describe_run(other)}"
        super().__init__(path, problem, hint="save to another slot, or confirm to replace it")
        self.other = other
        self.how = how


def write_run(path: Path, save: SaveFile, *, replace: bool = False) -> Relation:
    """Write `save` (a run) to `path` when that loses nothing: no file yet, or the file
    holds this run up to an earlier step. The same steps again are not rewritten.

    With `replace` (the player confirmed), any readable save is replaced, its old
    content kept as `<slot>.bak.yaml`. Raises RunConflict when the file holds another
    run or this run further on, SaveError when it is damaged or cannot be written.
    """
    found: list[Relation] = []

    def guard(old: SaveFile | None) -> bool:
        how = relation(old, save)
        found.append(how)
        if how in (Relation.SHORTER, Relation.OTHER) and not replace:
            assert old is not None
            raise RunConflict(path, old, how, len(save.steps))
        return how is not Relation.SAME or old is None or old.slot != save.slot

    write_save(path, save, backup=replace, guard=guard)
    return found[0]


def write_autosave(folder: Path, save: SaveFile, *, replace: bool = False) -> None:
    """Make the autosave of `folder` hold `save`, the current run (its `slot:` names the
    run's file), or this run further on (after an undo).

    The same run further on replaces it; the same run not as far does not (the autosave
    is never cut short) unless `replace`. Before another run's autosave is replaced, that
    run is made sure to live in a file of its own: the run file its `slot:` names, or
    `save` itself, or else a new file it is copied to first. The previous autosave is
    kept as `autosave.bak.yaml`. Raises SaveError (a damaged autosave is never replaced).
    """
    path = slot_path(folder, AUTOSAVE_SLOT)

    def guard(old: SaveFile | None) -> bool:
        how = relation(old, save)
        same_run = old is not None and old.slot == save.slot
        if how is Relation.NEW or how is Relation.EXTENDS:
            return True
        if how is Relation.SAME:
            return not same_run
        if same_run and not replace:
            return False  # this run, further on or another way: keep it
        assert old is not None
        if not same_run and not _kept_elsewhere(folder, old, save):
            _rescue(folder, old)
        return True

    write_save(path, save, backup=True, guard=guard)


def _kept_elsewhere(folder: Path, old: SaveFile, new: SaveFile) -> bool:
    """True when the run `old` holds is also in `new` or in the run file `old.slot` names."""
    if relation(old, new) in (Relation.SAME, Relation.EXTENDS):
        return True
    if not old.slot or old.slot == AUTOSAVE_SLOT or not is_slot_name(old.slot):
        return False
    try:
        kept = read_save(slot_path(folder, old.slot))
    except SaveError:
        return False
    return relation(old, kept) in (Relation.SAME, Relation.EXTENDS)


def _rescue(folder: Path, old: SaveFile) -> Path:
    """Copy a run found only in the autosave to a run file of its own, before it goes."""
    base = old.slot if old.slot and old.slot != AUTOSAVE_SLOT and is_slot_name(old.slot) else None
    name, lock = claim_free_name(folder, base or f"{old.story_id}-{_stamp(old.created)}")
    try:
        path = slot_path(folder, name)
        write_save(path, dataclasses.replace(old, slot=name))
    finally:
        if lock is not None:
            lock.release()
    return path


# --- names ---


def _stamp(iso: str) -> str:
    digits = "".join(ch for ch in iso if ch.isdigit())
    return f"{digits[:8]}-{digits[8:14]}" if len(digits) >= 14 else "run"


def run_name(story_id: str, now: str | None = None) -> str:
    """A new run's name: `<story id>-<yyyymmdd>-<hhmmss>` (UTC)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in story_id).strip("-.")
    return f"{(safe or 'run')[:80]}-{_stamp(now or utc_now())}"


def free_name(folder: Path, base: str, taken: Callable[[str], bool] | None = None) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first name with no save file in `folder`."""
    is_taken = taken or (lambda name: slot_path(folder, name).exists())
    name, number = base, 2
    while is_taken(name):
        name, number = f"{base}-{number}", number + 1
    return name


def claim_free_name(folder: Path, base: str) -> tuple[str, SlotLock | None]:
    """A free run name in `folder` and the lock of its file (None where locks cannot be
    made, e.g. a read-only folder: the write will then say why it failed)."""
    locks: list[SlotLock | None] = []

    def taken(name: str) -> bool:
        path = slot_path(folder, name)
        if path.exists():
            return True
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = try_lock(path)
        except OSError:
            locks.append(None)
            return False
        if isinstance(lock, LockHeld) or path.exists():
            if isinstance(lock, SlotLock):
                lock.release()
            return True
        locks.append(lock)
        return False

    name = free_name(folder, base, taken)
    return name, locks[-1] if locks else None
