"""One play session's files: its run file and its lock, the autosave, what they hold.

Owns: `RunKeeper`, which decides where the current run is written (a new run file named
after the story and the time, or a name the player gave, or the run file a continued run
came from), holds the locks of that file and of the autosave while the session plays
them, writes the run and then the autosave by the rules of `runs.py`, and knows where
the run can be found again (`resume_target`). The session builds the saves it writes;
this module never steps the story.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.saves.files import AUTOSAVE_SLOT, is_slot_name, read_existing, read_save, slot_path
from engine.saves.format import SavedStep, SaveError, SaveFile
from engine.saves.lock import LockHeld, SlotLock, try_lock
from engine.saves.runs import (
    Relation,
    RunConflict,
    claim_free_name,
    describe_run,
    relation,
    run_name,
    write_autosave,
    write_run,
)

__all__ = ["MakeSave", "RunKeeper", "copy_conflict", "is_autosave", "run_file_of", "write_copy"]

MakeSave = Callable[[str], SaveFile]
"""Builds the save of the run as it is now, given the name of its run file."""


class RunKeeper:
    """Where one session's run lives.

    path: the run file, once it is chosen (None for a new run not yet written);
    held: the steps that file holds (after an undo, more than the run has now);
    source: a file the run, as it is now, can be loaded from; autosave_current: the
    autosave holds this run (as it is now, or further on); autosave_problem: why the last
    write of the autosave failed (the run's own file was written); notes: what the
    player should be told (a taken name, another process), collected until `take_notes`.
    """

    def __init__(self, folder: Path, story_id: str, name: str | None = None) -> None:
        self.folder = folder
        self.story_id = story_id
        self.wanted = name if name != AUTOSAVE_SLOT else None
        self.path: Path | None = None
        self.held: tuple[SavedStep, ...] = ()
        self.source: Path | None = None
        self.autosave_current = False
        self.autosave_problem: str | None = None
        self.notes: list[str] = []
        self._lock: SlotLock | None = None
        self._autosave: SlotLock | LockHeld | None = None

    @property
    def name(self) -> str | None:
        """The run's name: its file's, or the name asked for it."""
        return self.path.stem if self.path is not None else self.wanted

    # --- locks ---
    def claim_autosave(self) -> str | None:
        """Take the autosave's lock; a note for the player when another process has it."""
        if self._autosave is None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._autosave = try_lock(slot_path(self.folder, AUTOSAVE_SLOT))
            except OSError:
                return None  # an unwritable folder: the first write says why
        if isinstance(self._autosave, LockHeld):
            return (
                f"{self._autosave.who()} is playing with the saves in {self.folder}; "
                "this game keeps its run in a file of its own and leaves the autosave alone."
            )
        return None

    def owns_autosave(self) -> bool:
        return self.claim_autosave() is None

    def release(self) -> None:
        """Let go of the run file's lock (the autosave's stays until `close`)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        self.release()
        if isinstance(self._autosave, SlotLock):
            self._autosave.release()
        self._autosave = None

    # --- which file ---
    def start_new(self, name: str | None = None) -> None:
        """A new run: it gets a file of its own when it is first written."""
        self.release()
        self.wanted = name if name != AUTOSAVE_SLOT else None
        self.path, self.held, self.source = None, (), None
        self.autosave_current = False

    def continue_in(self, path: Path, held: tuple[SavedStep, ...]) -> str | None:
        """Play on in the run file `path`, which holds the steps `held`. When another
        process has it open, the run goes on in a new file instead: the note says so."""
        self.start_new()
        try:
            lock = try_lock(path)
        except OSError:
            lock = None
        if isinstance(lock, LockHeld):
            self.source = path
            return (
                f"{path.name} is open in {lock.who()}; it is left to it, and your moves "
                "here go to a new run file."
            )
        self._lock, self.path, self.held, self.source = lock, path, held, path
        return None

    def loaded(self, path: Path, *, autosave: bool = False) -> None:
        """The run was loaded from `path` and goes on in a new file once it changes."""
        self.start_new()
        self.source = path
        self.autosave_current = autosave

    def cut(self, pairs: list[tuple[str, str]]) -> int:
        """How many steps of the run file a run of these (node, choice) steps would
        replace: 0 when it goes where the file goes, or further."""
        if self.path is None:
            return 0
        held = [(step.node, step.choice) for step in self.held]
        common = 0
        for mine, theirs in zip(pairs, held, strict=False):
            if mine != theirs:
                break
            common += 1
        return 0 if common in (len(held), len(pairs)) else len(held) - common

    # --- writing ---
    def write(self, make: MakeSave, *, replace: bool = False) -> Path:
        """Write the run to its file, then the autosave; return the run file.

        A run that only goes back along its file (an undo) writes nothing, so a file is
        never cut short; with `replace` (the player confirmed) it is. A file that turns
        out to hold another run is kept whole and the run goes on in a new file.
        Raises SaveError (or OSError) when the run's file cannot be written; a failed
        autosave (a damaged autosave.yaml is never replaced) is `autosave_problem`.
        """
        if self.path is None:
            try:
                self._open_new_file()
            except OSError as exc:
                raise SaveError(
                    self.folder,
                    f"cannot write saves here: {exc.strerror or exc}",
                    hint="pick a folder you can write to: --saves-dir DIR or $HYOSAN_SAVES",
                ) from exc
        assert self.path is not None
        save = make(self.path.stem)
        if replace or save.steps != self.held[: len(save.steps)] or not self.held:
            save = self._write_run(make, save, replace)
        self.source = self.path
        self.autosave_current, self.autosave_problem = False, None
        if self.owns_autosave():
            try:
                write_autosave(self.folder, save, replace=replace)
            except SaveError as exc:
                self.autosave_problem = exc.message
            else:
                self.autosave_current = True
        return self.path

    def _write_run(self, make: MakeSave, save: SaveFile, replace: bool) -> SaveFile:
        assert self.path is not None
        try:
            write_run(self.path, save, replace=replace)
        except RunConflict:
            kept = self.path
            self.start_new()
            self._open_new_file()
            assert self.path is not None
            save = make(self.path.stem)
            write_run(self.path, save)
            self.notes.append(f"{kept.name} is kept as it was; this run goes on in {self.path}.")
        self.held = save.steps
        return save

    def _open_new_file(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        base = self.wanted or run_name(self.story_id)
        name, lock = claim_free_name(self.folder, base)
        if self.wanted and name != self.wanted:
            self.notes.append(
                f"A save named “{self.wanted}” already holds another run; this one is saved "
                f"as “{name}”."
            )
        self.wanted = None
        self.release()
        self._lock, self.path, self.held = lock, slot_path(self.folder, name), ()

    # --- telling ---
    def resume_target(self) -> str | None:
        """What `hyosan play --load` takes to come back to this run (None: nothing holds it)."""
        if self.autosave_current and self.owns_autosave():
            return AUTOSAVE_SLOT
        if self.source is None:
            return None
        if self.source.parent == self.folder and is_slot_name(self.source.stem):
            return self.source.stem
        return str(self.source)

    def take_notes(self) -> list[str]:
        notes, self.notes = self.notes, []
        return notes


# --- other files a session writes or continues in ---


def copy_conflict(path: Path, save: SaveFile) -> str | None:
    """Why copying the run `save` to `path` needs the player's yes (the file holds another
    run, or this run further on), or None. Raises SaveError for a damaged file."""
    old = read_existing(path)
    if relation(old, save) in (Relation.SHORTER, Relation.OTHER):
        assert old is not None
        return describe_run(old)
    return None


def write_copy(path: Path, save: SaveFile, *, replace: bool = False) -> None:
    """Copy a run to another slot (`save NAME`), under that slot's lock, by the rules of
    `write_run`. Raises SaveError (another process has it open, a conflict) or OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = try_lock(path)
    if isinstance(lock, LockHeld):
        raise SaveError(path, f"is open in {lock.who()}", hint="save to another slot")
    try:
        write_run(path, save, replace=replace)
    finally:
        lock.release()


def is_autosave(folder: Path, path: Path) -> bool:
    """True when `path` is the autosave of `folder`."""
    return _same_file(path, slot_path(folder, AUTOSAVE_SLOT))


def run_file_of(folder: Path, path: Path, save: SaveFile) -> tuple[Path, SaveFile] | None:
    """The run file a loaded save goes on in, with what it holds: the file itself when it
    is a run's own file in `folder` (its `slot:` is its name), or the run file the
    autosave names when that holds the autosave's run. None: play on in a new file."""
    if not save.slot or save.slot == AUTOSAVE_SLOT or not _same_file(path.parent, folder):
        return None
    if path.stem == save.slot:
        return path, save
    if not is_autosave(folder, path) or not is_slot_name(save.slot):
        return None
    run_path = slot_path(folder, save.slot)
    try:
        run = read_save(run_path)
    except SaveError:
        return None
    if run.slot == save.slot and relation(save, run) in (Relation.SAME, Relation.EXTENDS):
        return run_path, run
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
