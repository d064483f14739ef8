"""Invariants of `step`, checked on random playthroughs (hypothesis).

Random seeds and choice sequences drive the example story and the rules lab (a hub whose
choices bite, turn, kill, move, give, take and count in any order). After every step:
the dead stay dead, nobody turned comes back, counts never go negative, counters stay
within min/max, the log never runs ahead of the turn, and the input state is untouched.
The same seed and choices always give the same states, digest by digest.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState, state_digest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STORIES = {
    "example": load_story(FIXTURES / "example"),
    "rules_lab": load_story(FIXTURES / "rules_lab"),
}
# Status can only move forward: healthy -> bitten -> zombie/hombie -> dead (or skip ahead).
RANK = {"healthy": 0, "bitten": 1, "hombie": 2, "zombie": 2, "dead": 3}

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
PICKS = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=60)
RANDOM_RUNS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def walk(story: Story, seed: int, picks: list[int]) -> list[GameState]:
    """Every state of the run that takes choice `pick % offered` at each step."""
    states = [initial_state(story, seed)]
    for pick in picks:
        state = states[-1]
        if is_ending(story, state):
            break
        offered = available_choices(story, state)
        assert offered, f"no choice available at {state.node}: the player is stuck"
        states.append(step(story, state, offered[pick % len(offered)].id)[0])
    return states


def check_step(story: Story, before: GameState, after: GameState) -> None:
    assert after.turn == before.turn + 1
    for cid, was, now in zip(story.cast_ids, before.roster, after.roster, strict=True):
        if was.status == "dead":
            assert (now.status, now.place) == (was.status, was.place), f"{cid} left death"
        if was.status == "zombie":
            assert now.status in ("zombie", "dead"), f"{cid} came back from zombie"
        assert RANK[now.status] >= RANK[was.status], f"{cid}: {was.status} -> {now.status}"
    assert all(n >= 0 for n in after.inventory)
    for name, value in zip(story.counter_ids, after.counters, strict=True):
        declared = story.counters[name]
        assert declared.min is None or value >= declared.min, name
        assert declared.max is None or value <= declared.max, name
    assert all(0 <= entry.turn <= after.turn for entry in after.log_entries())
    assert len(after.steps()) == after.turn


@pytest.mark.parametrize("name", list(STORIES))
@RANDOM_RUNS
@given(seed=SEEDS, picks=PICKS)
def test_random_runs_keep_the_rules(name: str, seed: int, picks: list[int]) -> None:
    story = STORIES[name]
    states = walk(story, seed, picks)
    for before, after in pairwise(states):
        check_step(story, before, after)


@pytest.mark.parametrize("name", list(STORIES))
@RANDOM_RUNS
@given(seed=SEEDS, picks=PICKS)
def test_same_seed_and_choices_give_the_same_states(name: str, seed: int, picks: list[int]) -> None:
    story = STORIES[name]
    first = [state_digest(story, s) for s in walk(story, seed, picks)]
    second = [state_digest(story, s) for s in walk(story, seed, picks)]
    assert first == second


@pytest.mark.parametrize("name", list(STORIES))
@RANDOM_RUNS
@given(seed=SEEDS, picks=PICKS, probe=st.integers(min_value=0, max_value=1000))
def test_step_never_changes_its_input(name: str, seed: int, picks: list[int], probe: int) -> None:
    story = STORIES[name]
    state = walk(story, seed, picks)[-1]
    if is_ending(story, state):
        return
    before = (state_digest(story, state), state.log_entries(), state.steps(), tuple(state))
    offered = available_choices(story, state)
    result = step(story, state, offered[probe % len(offered)].id)
    again = step(story, state, offered[probe % len(offered)].id)
    assert (state_digest(story, state), state.log_entries(), state.steps(), tuple(state)) == before
    assert result == again
