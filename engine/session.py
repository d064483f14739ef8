"""A play session: the story, the seed, every state of the run so far, and a redo stack.

Owns: choosing, undo and redo (the history is the list of earlier states, so undo is a
pop), new games and loads (loading is replaying, through `replay.py`), and the runs the
player left for them, which an undo at the start of a run goes back to. Where a run is
written (its own run file, then the autosave, never cutting either short or replacing
another run unless the player confirmed) is `saves.keeper.RunKeeper`'s. Both front ends
(`ui/terminal.py`, `ui/plain.py`) share it. It never touches a terminal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from engine.runtime.events import Event
from engine.runtime.model import Choice, Story
from engine.runtime.rules import (
    ShownChoice,
    available_choices,
    choice_text,
    initial_state,
    is_ending,
    shown_choices,
    step,
)
from engine.runtime.state import GameState
from engine.saves.files import AUTOSAVE_SLOT, clean_stale_temps, read_save, slot_path
from engine.saves.format import SavedStep, SaveError, SaveFile, make_save
from engine.saves.keeper import RunKeeper, copy_conflict, is_autosave, run_file_of, write_copy
from engine.saves.places import SavesFolder, find_save

__all__ = ["Session", "new_seed", "read_slot"]

_MAX_LEFT = 20  # runs an undo at the start of a run can go back to


def new_seed() -> int:
    """A fresh seed for a new game (the save records it, so the run replays exactly)."""
    return int.from_bytes(os.urandom(4), "big")


@dataclass(frozen=True)
class _Left:
    """A run the player left for a new game or a load, to go back to with undo."""

    seed: int
    states: list[GameState]
    redo: list[str]
    created: str | None
    path: Path | None
    held: tuple[SavedStep, ...]
    source: Path | None
    name: str | None


class Session:
    """One player's run: `states[0]` is the initial state, one more per choice taken.

    `slot` names the run's file for a new run (default: the story and the time).
    Every change (choose, undo, redo) is written at once when `autosaving` is on: to the
    run's file, then to the autosave, which follows the current run.
    """

    def __init__(
        self,
        story: Story,
        seed: int,
        saves_dir: Path,
        slot: str | None = None,
        states: list[GameState] | None = None,
        created: str | None = None,
        *,
        fallback: Path | None = None,
    ) -> None:
        self.story = story
        self.seed = seed
        self.keeper = RunKeeper(saves_dir, story.id, slot)
        self.fallback = fallback
        self.states: list[GameState] = states or [initial_state(story, seed)]
        self.redo_stack: list[str] = []
        self.created = created
        self.autosaving = True
        self.autosave_error: str | None = None
        self.last_saved_slot: str | None = None
        self.left: list[_Left] = []
        self.dirty = False

    # --- where the run is ---
    @property
    def saves_dir(self) -> Path:
        return self.keeper.folder

    @property
    def slot(self) -> str | None:
        """The run's name (its file's stem), or None for a new run not yet written."""
        return self.keeper.name

    @property
    def state(self) -> GameState:
        return self.states[-1]

    @property
    def turn(self) -> int:
        return len(self.states) - 1

    @property
    def is_over(self) -> bool:
        return is_ending(self.story, self.state)

    @property
    def can_undo(self) -> bool:
        return len(self.states) > 1

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def choices(self) -> list[Choice]:
        """The choices offered now, in story order (none at an ending)."""
        if self.is_over:
            return []
        offered = available_choices(self.story, self.state)
        # A text with `{...}` in it is shown filled in for this state.
        return [c if c.template is None else _filled(c, self.state) for c in offered]

    def shown_choices(self) -> list[ShownChoice]:
        """Every choice to show now, with its text filled in: the playable ones and those
        greyed out by their `unless:`, with the reason (none at an ending)."""
        if self.is_over:
            return []
        return shown_choices(self.story, self.state)

    # --- changing it ---
    def would_cut(self, choice_id: str) -> int:
        """How many saved steps of this run taking `choice_id` would replace (after an
        undo, a choice other than the one the run file goes on with); 0 when none."""
        pairs = [*self.state.steps(), (self.state.node, choice_id)]
        return self.keeper.cut(pairs)

    def choose(self, choice_id: str, *, replace: bool = False) -> list[Event]:
        """Take a choice; a different choice than the undone one forgets the redo stack.

        When the choice leaves the saved run (see `would_cut`), `replace` rewrites the
        run's file from here (the player confirmed; the old file stays as its .bak);
        without it the saved run is kept whole and this one goes on in a new file.
        Raises `rules.ChoiceError` / `rules.RunEndedError` (the state is unchanged).
        """
        events = self._advance(choice_id)
        if self.redo_stack and self.redo_stack[-1] == choice_id:
            self.redo_stack.pop()
        else:
            self.redo_stack.clear()
        self._changed(replace=replace)
        return events

    def undo(self) -> str | None:
        """Go back one choice ("step"), or at the start of a run to the run the player
        left for it ("run"); None when there is nothing to go back to. An undo never
        shortens a save: the files keep the steps until the player plays on."""
        if self.can_undo:
            self.redo_stack.append(self.state.steps()[-1][1])
            self.states.pop()
            self._changed()
            return "step"
        if self.left:
            self._return_to(self.left.pop())
            return "run"
        return None

    def redo(self) -> list[Event] | None:
        """Take again the choice last undone; None when there is nothing to redo."""
        if not self.redo_stack:
            return None
        events = self._advance(self.redo_stack.pop())
        self._changed()
        return events

    def restart(self, seed: int) -> None:
        """Start a new game of the same story. The old run stays in its file, and an undo
        at the start of the new one goes back to it."""
        self._leave()
        self.seed = seed
        self.states = [initial_state(self.story, seed)]
        self.created = None
        self.keeper.start_new()

    def _advance(self, choice_id: str) -> list[Event]:
        new_state, events = step(self.story, self.state, choice_id)
        self.states.append(new_state)
        return events

    def _changed(self, replace: bool = False) -> None:
        # A failed autosave must not undo the choice: keep the error for the UI to show.
        self.dirty = True
        self.autosave_error = None
        if self.autosaving:
            self._write(replace)

    def _write(self, replace: bool = False) -> Path | None:
        try:
            path = self.keeper.write(self._make, replace=replace)
        except (SaveError, OSError) as exc:
            self.autosave_error = getattr(exc, "message", None) or str(exc)
            return None
        self.dirty = False
        self.autosave_error = self.keeper.autosave_problem
        return path

    def _make(self, name: str) -> SaveFile:
        save = self.snapshot(name)
        self.created = self.created or save.created
        return save

    # --- the runs left behind ---
    def _leave(self) -> None:
        """Before a new game or a load: the run is written if it has anything unwritten,
        and remembered, so an undo at the start of the next run comes back to it."""
        if self.dirty:
            self._write()
        keeper = self.keeper
        if self.turn or keeper.path is not None or keeper.source is not None:
            self.left.append(
                _Left(
                    self.seed,
                    self.states,
                    self.redo_stack,
                    self.created,
                    keeper.path,
                    keeper.held,
                    keeper.source,
                    keeper.name,
                )
            )
            del self.left[:-_MAX_LEFT]
        self.redo_stack = []
        self.dirty = False

    def _return_to(self, run: _Left) -> None:
        self.seed, self.states, self.redo_stack = run.seed, run.states, run.redo
        self.created, self.dirty = run.created, False
        if run.path is not None:
            note = self.keeper.continue_in(run.path, run.held)
            if note:
                self.keeper.notes.append(note)
        elif run.source is not None:
            self.keeper.loaded(run.source)
        else:
            self.keeper.start_new(run.name)

    # --- files ---
    def snapshot(self, slot: str | None) -> SaveFile:
        """The run as a save file (not written)."""
        return make_save(self.story, self.seed, self.states, slot, self.created)

    def open_files(self) -> list[str]:
        """At the start of play: remove what interrupted writes left, take the autosave's
        lock; notes for the player (another process plays with these saves)."""
        clean_stale_temps(self.saves_dir)
        note = self.keeper.claim_autosave()
        return [note] if note else []

    def close(self) -> None:
        """Let go of the locks (the process ending does the same)."""
        self.keeper.close()

    def autosave(self) -> Path:
        """Write the run now (its file, then the autosave), even a run of no steps.
        Raises SaveError or OSError."""
        self.autosave_error = None
        path = self.keeper.write(self._make)
        self.dirty = False
        self.autosave_error = self.keeper.autosave_problem
        return path

    def flush(self) -> Path | None:
        """On the way out: write what is not written yet; the file that holds the run
        (None when nothing does: a new game with no choice made)."""
        if self.dirty:
            self._write()
        return self.keeper.source

    def resume_target(self) -> str | None:
        """The `--load` argument that comes back to this run (None: nothing holds it)."""
        return self.keeper.resume_target()

    def take_notes(self) -> list[str]:
        """What the files want the player told (a name taken, another process), once."""
        return self.keeper.take_notes()

    def save_conflict(self, slot: str) -> str | None:
        """Why saving to `slot` needs the player's yes (it holds another run, or this run
        further on), or None. Raises SaveError for a bad name or a damaged file."""
        path = slot_path(self.saves_dir, slot)
        if slot == AUTOSAVE_SLOT or path == self.keeper.path:
            return None
        return copy_conflict(path, self.snapshot(slot))

    def save(self, slot: str, *, replace: bool = False) -> Path:
        """Copy the run to `slot`; return the file. A slot holding another run (or this
        run further on) is replaced only with `replace`, keeping it as the slot's .bak.
        Raises SaveError (a bad name, a conflict, another process) or OSError."""
        path = slot_path(self.saves_dir, slot)
        if slot == AUTOSAVE_SLOT or path == self.keeper.path:
            self.keeper.write(self._make, replace=replace)
            self.dirty = False
            self.autosave_error = self.keeper.autosave_problem
        else:
            write_copy(path, self.snapshot(self.keeper.name or slot), replace=replace)
        self.last_saved_slot = slot
        return path

    def load(self, target: str) -> list[str]:
        """Replace the run with the save `target` names (a path or a slot) by replaying it.

        Returns messages for the player (warnings, where a changed story stopped the
        replay, where the run goes on). Raises SaveError when the file is missing,
        unreadable or for another story. Loading writes nothing: the run goes on in its
        own file when it is the autosave's or a run file, else in a new run file once it
        changes, so the file loaded is never changed or cut short by loading it.
        """
        from engine.replay import replay_save  # only loading pays for the replayer

        found = find_save(SavesFolder(self.saves_dir, self.fallback), target)
        save = read_save(found.path)
        result = replay_save(self.story, save)  # raises SaveError for another story
        run_file = run_file_of(self.saves_dir, found.path, save) if result.is_exact else None
        if run_file is not None and run_file[1] is not save:
            save = run_file[1]
            result = replay_save(self.story, save)
        self._leave()
        self.seed, self.states, self.created = save.seed, list(result.states), save.created
        messages = [found.note] if found.note else []
        if result.divergence is None:  # else the divergence says the story has changed
            messages += result.warnings
        self._settle(found.path, save, run_file is not None, messages)
        if not result.is_exact:
            messages.append("The save is kept as it was; playing on saves to a new file.")
        if result.divergence is not None:
            messages.append(
                f"The story has changed since this save; replay stopped at "
                f"{' '.join(result.divergence.describe().split())}. "
                f"The run continues from turn {self.turn + 1}."
            )
        return messages

    def _settle(self, path: Path, save: SaveFile, in_place: bool, messages: list[str]) -> None:
        autosave = is_autosave(self.saves_dir, path)
        if in_place:
            run_path = slot_path(self.saves_dir, save.slot or "")
            note = self.keeper.continue_in(run_path, save.steps)
            self.keeper.autosave_current = autosave and note is None
            messages += [note] if note else []
        else:
            self.keeper.loaded(path, autosave=autosave)
            self.created = None  # a new run file, once the run changes


def read_slot(path: Path) -> SaveFile | None:
    """The save at `path`, or None when it is missing or unreadable."""
    try:
        return read_save(path)
    except (SaveError, OSError):
        return None


def _filled(choice: Choice, state: GameState) -> Choice:
    """`choice` with its text filled in for `state`."""
    return replace(choice, text=choice_text(choice, state))
