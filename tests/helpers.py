"""What several test files share that is not a fixture: playing a story by choice ids.

Imported as `from helpers import play` (tests/ is on the path, as for `fuzzing`).
"""

from __future__ import annotations

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
