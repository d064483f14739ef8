"""THE canon path: how the story goes when every turning point takes its canon choice.

Owns: `canon_path`, the one definition every tool uses (the comparison, the map, the
shipped `saves/canon.yaml`): from the start, the canon choice at a turning point that
offers it, the first available choice elsewhere, through `rules.step`, until an ending,
a state with no choice, a state seen before (a loop) or `max_steps`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState

__all__ = ["canon_path", "canon_steps"]


def canon_path(story: Story, seed: int = 0, max_steps: int = 10_000) -> list[GameState]:
    """The states of the canon path (the initial state first)."""
    states = [initial_state(story, seed)]
    seen: set[tuple[Any, ...]] = set()
    while not is_ending(story, states[-1]) and len(states) <= max_steps:
        state = states[-1]
        offered = available_choices(story, state)
        if not offered:
            break
        node = story.nodes[state.node]
        canon = node.turning_point.canon if node.turning_point else None
        choice = next((c for c in offered if c.id == canon), offered[0])
        state = step(story, state, choice.id)[0]
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
