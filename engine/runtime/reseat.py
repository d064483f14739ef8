"""Put a run back in its place on an edited story, by node and choice ids.

Owns: `reseat`, which replays a run's steps (node id, choice id) on a new version of
its story and says, in the player's words, what the edit changed on the path: a node
the path now passes through, a node it no longer passes, a choice that is gone or no
longer available (play then continues from there). Choices are matched by id, never by
their place in a menu, so reordering or adding choices moves nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.diagnostics import did_you_mean
from engine.runtime.model import Story
from engine.runtime.rules import ChoiceError, RunEndedError, available_choices, initial_state, step
from engine.runtime.state import GameState

__all__ = ["MAX_DETOUR", "Reseated", "reseat"]

MAX_DETOUR = 50
"""How many single-choice nodes the new story may insert into the path in all."""


@dataclass(frozen=True)
class Reseated:
    """The run on the new story (initial state first), what changed on its path, and
    how many of the old steps were replayed. `complete`: every old step was replayed."""

    states: list[GameState]
    notes: list[str]
    replayed: int
    complete: bool


def reseat(
    story: Story, seed: int, steps: Sequence[tuple[str, str]], at: str | None = None
) -> Reseated:
    """Replay `steps` on `story` from the start of a run with `seed`; `at`: the node the
    run stood at after them on the old story.

    At each step the run's node must be the old step's node: its choice is taken by id.
    When the story now leads elsewhere, the old path is looked ahead for the node the
    run is at (the edit skipped nodes: "no longer passes"), else a node with a single
    available choice is passed through ("now passes"); else the replay stops there,
    and play continues from that node. When every step replays but leads elsewhere
    than `at`, nodes with a single available choice are passed through to reach it.
    """
    state = initial_state(story, seed)
    states = [state]
    notes: list[str] = []
    i = 0
    detours = 0
    while i < len(steps):
        node, choice = steps[i]
        if story.nodes[state.node].ending is not None:
            notes.append(f"your path now ends at {state.node}: play continues from there")
            break
        if state.node != node:
            ahead = _find_ahead(steps, i, state.node)
            if ahead is not None:
                skipped = ", ".join(dict.fromkeys(n for n, _ in steps[i:ahead]))
                notes.append(f"your path no longer passes {skipped}")
                i = ahead
                continue
            offered = available_choices(story, state)
            if len(offered) == 1 and detours < MAX_DETOUR:
                detours += 1
                notes.append(f"your path now passes {state.node}")
                state = step(story, state, offered[0].id)[0]
                states.append(state)
                continue
            notes.append(
                f"the story now leads to {state.node} instead of {node}: "
                f"play continues from {state.node}"
            )
            break
        try:
            state = step(story, state, choice)[0]
        except (ChoiceError, RunEndedError):
            notes.append(_gone(story, node, choice))
            break
        states.append(state)
        i += 1
    if i == len(steps) and at is not None and state.node != at and at in story.nodes:
        trail = _detour(story, state, at)
        if trail:
            passed = ", ".join(dict.fromkeys(s.node for s in [state, *trail[:-1]]))
            notes.append(f"your path now passes {passed}")
            states += trail
        else:
            notes.append(f"your last choice now leads to {state.node}, not {at}")
    return Reseated(states, notes, i, i == len(steps))


def _detour(story: Story, state: GameState, at: str) -> list[GameState]:
    """The states from `state` to node `at` through single-choice nodes ([] if none)."""
    trail: list[GameState] = []
    while state.node != at:
        offered = available_choices(story, state)
        if len(offered) != 1 or len(trail) == MAX_DETOUR:
            return []
        state = step(story, state, offered[0].id)[0]
        trail.append(state)
    return trail


def _find_ahead(steps: Sequence[tuple[str, str]], start: int, node: str) -> int | None:
    for j in range(start + 1, len(steps)):
        if steps[j][0] == node:
            return j
    return None


def _gone(story: Story, node: str, choice: str) -> str:
    known = story.nodes[node].choice_map
    if choice in known:
        return (
            f"the choice '{choice}' at {node} is no longer available (its condition is "
            f"false now): play continues from {node}"
        )
    hint = did_you_mean(choice, known)
    renamed = f" (renamed {hint}?)" if hint else ""
    return f"the choice '{choice}' at {node} is gone{renamed}: play continues from {node}"
