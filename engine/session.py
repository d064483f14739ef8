"""A play session: the story, the seed, every state of the run so far, and a redo stack.

Owns: choosing, undo and redo (the history is the list of earlier states, so undo is a
pop), saving to a slot, the autosave, and loading a save by path or slot name (loading
is replaying, through `replay.py`). Both front ends (`ui/terminal.py`, `ui/plain.py`)
share it. It never touches a terminal; its only I/O is the save files `saves.py` writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.runtime.events import Event
from engine.runtime.model import Choice, Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState
from engine.saves.files import AUTOSAVE_SLOT, read_save, resolve_save, slot_path, write_save
from engine.saves.format import SaveError, SaveFile, make_save

__all__ = ["Session", "new_seed", "read_slot"]


def new_seed() -> int:
    """A fresh seed for a new game (the save records it, so the run replays exactly)."""
    return int.from_bytes(os.urandom(4), "big")


class Session:
    """One player's run: `states[0]` is the initial state, one more per choice taken.

    `slot` is where the autosave goes (the `autosave` slot unless the player named one).
    Every change (choose, undo, redo, load) is followed by an autosave when `autosaving`
    is on.
    """

    def __init__(
        self,
        story: Story,
        seed: int,
        saves_dir: Path,
        slot: str = AUTOSAVE_SLOT,
        states: list[GameState] | None = None,
        created: str | None = None,
    ) -> None:
        self.story = story
        self.seed = seed
        self.saves_dir = saves_dir
        self.slot = slot
        self.states: list[GameState] = states or [initial_state(story, seed)]
        self.redo_stack: list[str] = []
        self.created = created
        self.autosaving = True
        self.autosave_error: str | None = None
        self.last_saved_slot: str | None = None

    # --- where the run is ---
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
        return list(available_choices(self.story, self.state))

    # --- changing it ---
    def choose(self, choice_id: str) -> list[Event]:
        """Take a choice; a different choice than the undone one forgets the redo stack.

        Raises `rules.ChoiceError` / `rules.RunEndedError` (the state is unchanged).
        """
        events = self._advance(choice_id)
        if self.redo_stack and self.redo_stack[-1] == choice_id:
            self.redo_stack.pop()
        else:
            self.redo_stack.clear()
        self._changed()
        return events

    def undo(self) -> bool:
        """Go back to the previous choice; False when at the start."""
        if not self.can_undo:
            return False
        self.redo_stack.append(self.state.steps()[-1][1])
        self.states.pop()
        self._changed()
        return True

    def redo(self) -> list[Event] | None:
        """Take again the choice last undone; None when there is nothing to redo."""
        if not self.redo_stack:
            return None
        events = self._advance(self.redo_stack.pop())
        self._changed()
        return events

    def restart(self, seed: int) -> None:
        """Start a new game of the same story (the old run stays in its save files)."""
        self.seed = seed
        self.states = [initial_state(self.story, seed)]
        self.redo_stack.clear()
        self.created = None

    def _advance(self, choice_id: str) -> list[Event]:
        new_state, events = step(self.story, self.state, choice_id)
        self.states.append(new_state)
        return events

    def _changed(self) -> None:
        # A failed autosave must not undo the choice: keep the error for the UI to show.
        self.autosave_error = None
        if self.autosaving:
            try:
                self.autosave()
            except (SaveError, OSError) as exc:
                self.autosave_error = getattr(exc, "message", None) or str(exc)

    # --- files ---
    def snapshot(self, slot: str | None) -> SaveFile:
        """The run as a save file (not written)."""
        return make_save(self.story, self.seed, self.states, slot, self.created)

    def save(self, slot: str) -> Path:
        """Write the run to `slot`; return the file. Raises SaveError (bad name) or OSError."""
        path = slot_path(self.saves_dir, slot)
        self._write(path, slot, backup=slot == self.slot)
        self.last_saved_slot = slot
        return path

    def autosave(self) -> Path:
        """Write the run to the session's slot, keeping the previous file as a backup."""
        path = slot_path(self.saves_dir, self.slot)
        self._write(path, self.slot, backup=True)
        return path

    def _write(self, path: Path, slot: str, backup: bool) -> None:
        save = self.snapshot(slot)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_save(path, save, backup=backup)
        if self.created is None:
            self.created = save.created

    def load(self, target: str) -> list[str]:
        """Replace the run with the save `target` names (a path or a slot) by replaying it.

        Returns messages for the player (warnings, and where a changed story stopped the
        replay). Raises SaveError when the file is missing, unreadable or for another story.
        The loaded run is not written until the next change (or `autosave`), so a save the
        story no longer fully replays is not cut short just by looking at it.
        """
        from engine.replay import replay_save  # only loading pays for the replayer

        path = resolve_save(self.saves_dir, target)
        save = read_save(path)
        result = replay_save(self.story, save)  # raises SaveError for another story
        self.seed = save.seed
        self.states = list(result.states)
        self.redo_stack.clear()
        self.created = save.created
        messages = list(result.warnings)
        if result.divergence is not None:
            messages.append(
                f"The story has changed since this save; replay stopped at "
                f"{' '.join(result.divergence.describe().split())}. "
                f"The run continues from turn {self.turn}."
            )
        return messages


def read_slot(path: Path) -> SaveFile | None:
    """The save at `path`, or None when it is missing or unreadable."""
    try:
        return read_save(path)
    except (SaveError, OSError):
        return None
