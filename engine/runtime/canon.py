"""THE canon rule and the canon path: how the story goes when it follows its canon.

Owns: `canon_choice` (the canon rule at one state: the turning point's canon choice when
it is offered, else the first available choice) and `canon_path`, the one definition
every tool uses (the checker's canon check, the comparison, the causes, the map, the
shipped `saves/canon.yaml`):
from the start, the canon rule at every step through `rules.step`, until an ending, a
state with no choice, a state seen before (a loop) or `max_steps`. It lives in the
runtime because it is part of what a story means, like `step`: the compiler checks the
declared canon roster against it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.runtime.model import Choice, Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState

__all__ = ["canon_choice", "canon_path", "canon_steps"]


def canon_choice(story: Story, state: GameState) -> Choice | None:
    """The choice the canon rule takes at `state` (None when nothing is offered)."""
    offered = available_choices(story, state)
    if not offered:
        return None
    point = story.nodes[state.node].turning_point
    if point is not None:
        for choice in offered:
            if choice.id == point.canon:
                return choice
    return offered[0]


def canon_path(story: Story, seed: int = 0, max_steps: int = 10_000) -> list[GameState]:
    """The states of the canon path (the initial state first)."""
    states = [initial_state(story, seed)]
    seen: set[tuple[Any, ...]] = set()
    while not is_ending(story, states[-1]) and len(states) <= max_steps:
        choice = canon_choice(story, states[-1])
        if choice is None:
            break
        state = step(story, states[-1], choice.id)[0]
        states.append(state)
        key = state._replace(turn=0, log=None, path=None)
        if key in seen:
            break
        seen.add(key)
    return states


@lru_cache(maxsize=8)
def canon_steps(story: Story, seed: int = 0) -> tuple[tuple[str, str], ...]:
    """The (node, choice) steps of the canon path (cached per story object)."""
    return tuple(canon_path(story, seed)[-1].steps())
