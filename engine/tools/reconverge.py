"""Cosmetic choices: options that lead back to the very same state within a few steps.

Owns: `reconverges` (one state), `node_reconvergence` (every node, over sample
states) and `canon_outcome` (where following the canon rule from a state ends).

From a state with two or more options, each option is taken and the canon rule
(`engine.runtime.canon.canon_choice`) followed after it, for at most `steps` steps in
all (the option's own step included). The options **reconverge** when one state lies
on every option's path: equal in everything but the turn, the log and the path (the
node, episode, roster, inventory, flags, counters, visited nodes, generator, pending
resume and who just turned). Then nothing the player picked there is remembered.

A node is **cosmetic** when its options reconverge in every sample state tested there
that offers two or more of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from engine.runtime.canon import canon_choice
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, is_ending, step
from engine.runtime.state import GameState

__all__ = [
    "NodeReconvergence",
    "canon_outcome",
    "node_reconvergence",
    "reconverges",
    "same_state_key",
]


class NodeReconvergence(NamedTuple):
    """A multi-option node tested in `tested` states; in `reconverged` of them every
    option led to one same state (the first such meeting is at `meets_at`)."""

    node: str
    tested: int
    reconverged: int
    meets_at: str | None

    @property
    def cosmetic(self) -> bool:
        return self.tested > 0 and self.reconverged == self.tested


def same_state_key(state: GameState) -> tuple[Any, ...]:
    """What two states must share to be the same state (not the turn, log or path)."""
    return (state[0], *state[2:11])


def canon_outcome(
    story: Story, state: GameState, max_steps: int = 10_000
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The ending id (None: none is reached, the canon rule gets stuck or loops) and the
    roster (status, place per character) where following the canon rule from `state`
    stops."""
    seen: set[tuple[Any, ...]] = set()
    while not is_ending(story, state) and len(seen) < max_steps:
        follow = canon_choice(story, state)
        key = same_state_key(state)
        if follow is None or key in seen:
            break
        seen.add(key)
        state = step(story, state, follow.id)[0]
    ending = story.nodes[state.node].ending
    roster = tuple((c.status.value, str(c.place)) for c in state.roster)
    return (ending.id if ending else None), roster


def _path(story: Story, state: GameState, choice: str, steps: int) -> list[GameState]:
    states = [step(story, state, choice)[0]]
    while len(states) < steps and not is_ending(story, states[-1]):
        follow = canon_choice(story, states[-1])
        if follow is None:
            break
        states.append(step(story, states[-1], follow.id)[0])
    return states


def reconverges(story: Story, state: GameState, steps: int) -> str | None:
    """The node where every option offered at `state` leads to one same state within
    `steps` steps (the first such state on the first option's path), else None."""
    offered = available_choices(story, state)
    if len(offered) < 2:
        return None
    paths = [_path(story, state, choice.id, steps) for choice in offered]
    common = set.intersection(*({same_state_key(s) for s in path} for path in paths))
    for reached in paths[0]:
        if same_state_key(reached) in common:
            return reached.node
    return None


def node_reconvergence(
    story: Story, samples: Mapping[str, Sequence[GameState]], steps: int
) -> list[NodeReconvergence]:
    """Every node with a sample state that offers two or more options, in story order."""
    found = []
    for node in story.nodes.values():
        tested = reconverged = 0
        meets_at: str | None = None
        for state in _distinct(samples.get(node.id, ())):
            if len(available_choices(story, state)) < 2:
                continue
            tested += 1
            meeting = reconverges(story, state, steps)
            if meeting is not None:
                reconverged += 1
                meets_at = meets_at or meeting
        if tested:
            found.append(NodeReconvergence(node.id, tested, reconverged, meets_at))
    return found


def _distinct(states: Iterable[GameState]) -> list[GameState]:
    kept: dict[tuple[Any, ...], GameState] = {}
    for state in states:
        kept.setdefault(same_state_key(state), state)
    return list(kept.values())
