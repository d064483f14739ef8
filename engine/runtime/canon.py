"""THE canon rule and the canon path: how the story goes when it follows its canon.

Owns: `canon_choice` (the canon rule at one state: the turning point's canon choice when
it is offered, else the first offered choice marked `canon: true`, else the only offered
choice; list order decides only in a story with no canon, where the compiler cannot
insist on markers) and `canon_path`, the one definition
every tool uses (the checker's canon check, the comparison, the causes, the map, the
shipped `saves/canon.yaml`):
from the start, the canon rule at every step through `rules.step`, until an ending, a
state with no choice, a state seen before (a loop) or `max_steps`. It lives in the
runtime because it is part of what a story means, like `step`: the compiler checks the
declared canon roster against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from engine.runtime.model import Choice, Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState

__all__ = ["canon_choice", "canon_path", "canon_steps", "declared_canon_choice"]


def declared_canon_choice(story: Story, offered: Sequence[Choice]) -> Choice | None:
    """The offered choice the story declares canon: the turning point's canon choice, else
    the first marked `canon: true`, else the only one of the story's own offered (a
    choice a branch file adds is never canon); None when the story does not say (several
    offered, none declared)."""
    if not offered:
        return None
    point = story.nodes[offered[0].node].turning_point
    if point is not None:
        for choice in offered:
            if choice.id == point.canon:
                return choice
    own = [choice for choice in offered if not choice.added]
    for choice in own:
        if choice.canon:
            return choice
    return own[0] if len(own) == 1 else None


def canon_choice(story: Story, state: GameState) -> Choice | None:
    """The choice the canon rule takes at `state` (None when nothing is offered).

    Where the story does not declare one (the compiler refuses that on the canon path of
    a story with a canon, E061), the first offered choice stands in, so that tools which
    follow "the canon" stay total on stories without one."""
    offered = available_choices(story, state)
    declared = declared_canon_choice(story, offered)
    if declared is not None:
        return declared
    own = [choice for choice in offered if not choice.added]
    return (own or list(offered))[0] if offered else None


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
