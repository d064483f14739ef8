"""Counterfactual replay: what a run would have become had it followed the canon at some
of its steps, everything else kept as the player played it.

Owns: where a run is compared (`Reference`: its ending, or the end of the last episode it
finished), which of its steps can be causes (`candidates`: a step where at least two
choices were offered and the player's differs from the canon rule), and `replay_with`,
the counterfactual itself: from the first restored step, take the canon rule's choice at
each restored step; elsewhere, at the next node of the run the replay reaches (in the
run's order), the player's own choice when the player really chose there (more than one
choice was offered) and it is still offered; everywhere else the canon rule. Stop at the
same reference point. A step where the player had no choice expresses no preference, so
it does not bind the replay (choosing to report a video in episode 1 can take away the
option that would have turned someone in episode 4: the replay takes that option back).
Same story, same seed: the result is exact and repeatable. Pure: states in, a state out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from engine.runtime.canon import canon_choice
from engine.runtime.effects import walk_effects
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, is_ending, step
from engine.runtime.state import GameState

__all__ = ["Reference", "candidates", "reference_of", "replay_with"]


@dataclass(frozen=True)
class Reference:
    """Where a run is compared: `index` of the state in the run; at an ending, or at the
    end of `episode` (0: no episode finished yet, so nothing is compared)."""

    index: int
    episode: int
    at_ending: bool


def reference_of(story: Story, states: Sequence[GameState]) -> Reference:
    """The ending, or the end of the last finished episode, or the start."""
    last = len(states) - 1
    if is_ending(story, states[last]):
        return Reference(last, states[last].episode, True)
    for index in range(last - 1, -1, -1):
        if states[index + 1].episode != states[index].episode:
            return Reference(index, states[index].episode, False)
    return Reference(0, 0, False)


def candidates(story: Story, states: Sequence[GameState], upto: int) -> list[int]:
    """The 1-based steps up to `upto` that can be causes: more than one choice was offered
    and the player's choice is not the canon rule's. A choice that was the only one
    offered is never a cause."""
    steps = states[-1].steps()
    found = []
    for number in range(1, min(upto, len(steps)) + 1):
        before = states[number - 1]
        if len(available_choices(story, before)) < 2:
            continue
        canon = canon_choice(story, before)
        if canon is not None and canon.id != steps[number - 1][1]:
            found.append(number)
    return found


def _next_match(steps: Sequence[tuple[str, str]], start: int, node: str) -> int | None:
    for index in range(start, len(steps)):
        if steps[index][0] == node:
            return index
    return None


def _pick(
    story: Story,
    state: GameState,
    steps: Sequence[tuple[str, str]],
    chose: Sequence[bool],
    restore: frozenset[int],
    pointer: int,
) -> tuple[str | None, int]:
    """The choice to take at `state` and the new position in the run's steps."""
    offered = available_choices(story, state)
    if not offered:
        return None, pointer
    match = _next_match(steps, pointer, state.node)
    if match is not None:
        pointer = match + 1
        if match + 1 not in restore and chose[match]:
            wanted = steps[match][1]
            if any(c.id == wanted for c in offered):
                return wanted, pointer
    canon = canon_choice(story, state)
    return (canon.id if canon else None), pointer


@lru_cache(maxsize=8)
def _reads_turn(story: Story) -> bool:
    """Whether any condition reads the turn number (then equal states may still differ)."""
    conditions = [
        p.condition for n in story.nodes.values() if not isinstance(n.text, str) for p in n.text
    ]
    for node in story.nodes.values():
        conditions += [c.condition for c in node.choices]
        for effect in walk_effects(
            node.effects + tuple(e for c in node.choices for e in c.effects)
        ):
            conditions += effect.conditions()
    return any(c is not None and ("builtin", "turn") in c.reads for c in conditions)


def _same(a: GameState, b: GameState) -> bool:
    """Equal in everything that decides what happens next (not turn, log or path)."""
    return a.node == b.node and a[2:11] == b[2:11]


def replay_with(
    story: Story,
    states: Sequence[GameState],
    restore: frozenset[int],
    reference: Reference,
) -> GameState:
    """The state at the reference point had the run taken the canon rule's choice at
    every step in `restore` (1-based step numbers of the run).

    Once the replay is back in the very state the run was in before its next matching
    step, with no restored step left, the rest is the run itself: the run's reference
    state is the answer (exact, and it saves replaying the rest; not used when a
    condition reads the turn number, which differs).
    """
    steps = states[-1].steps()
    chose = [len(available_choices(story, before)) > 1 for before in states[: len(steps)]]
    first = min(restore)
    state = states[first - 1]
    pointer = first - 1
    last_restored = max(restore)
    rejoins = not _reads_turn(story)
    for _ in range(3 * len(steps) + 500):  # the canon rule may loop: a bound, not a hope
        if is_ending(story, state):
            return state
        back = rejoins and last_restored <= pointer <= reference.index
        if back and _same(state, states[pointer]):
            return states[reference.index]
        choice, pointer = _pick(story, state, steps, chose, restore, pointer)
        if choice is None:
            return state
        after = step(story, state, choice)[0]
        leaving = after.episode != state.episode and state.episode >= reference.episode
        if leaving and not reference.at_ending:
            return state
        state = after
    return state
