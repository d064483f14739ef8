"""What several test files share that is not a fixture: playing a story by choice ids,
comparing two compiled stories field for field, editing a story file in place.

Imported as `from helpers import play` (tests/ is on the path, as for `fuzzing`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.runtime.state import GameState


def play(story: Story, *choices: str, seed: int = 0) -> GameState:
    """The state after taking `choices` (choice ids, in order) from the start of `story`
    played with `seed`; a choice that cannot be taken raises as `step` does."""
    state = initial_state(story, seed)
    for choice in choices:
        state, _events = step(story, state, choice)
    return state


def plain(value: object) -> object:
    """A model value as plain data to compare with ==: a dataclass as its type and
    fields, a mapping as a dict, a compiled closure left out (its source is a field)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(plain(getattr(value, f.name)) for f in dataclasses.fields(value)),
        )
    if isinstance(value, tuple | list):
        return (type(value).__name__, tuple(plain(v) for v in value))
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return ("set", frozenset(plain(v) for v in value))
    if callable(value):
        return "<compiled>"
    return value


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file with `new` (failing if it is not there)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
