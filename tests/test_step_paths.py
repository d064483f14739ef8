"""The fast path of `step` gives exactly what the full step gives, on every step played.

`step(..., shortcut=True)` skips the step builder for plain steps (no effects, nobody
bitten); `shortcut=False` always builds the step in full. Seeded random walks of the
bundled story and of two fixture stories take both at every step and compare the whole
new state (log and path included) and the events. A walk picks among the available
choices with `random.Random(seed)`, plays with game seed `seed`, and stops at an ending,
a state with no choice, or after 2,000 steps.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

from engine import BUNDLED_STORY
from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState, Trail

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MAX_STEPS = 2_000


@cache
def story_at(root: Path) -> Story:
    """Each story is loaded once for the whole module."""
    return load_story(root)


def same_trail(a: Trail, b: Trail) -> bool:
    """Trails are equal item by item; iterative, so a long run cannot hit recursion limits."""
    while a is not b:
        if a is None or b is None:
            return False
        (a, item_a), (b, item_b) = a, b
        if item_a != item_b:
            return False
    return True


def differences(fast: GameState, full: GameState) -> list[str]:
    """The fields in which two states differ, with both values (trails by name only)."""
    found = []
    if type(fast) is not type(full) or len(fast) != len(full):
        found.append(f"shape: {type(fast).__name__}[{len(fast)}] != {type(full).__name__}")
    for name, a, b in zip(GameState._fields, fast, full, strict=False):
        if name not in ("log", "path") and a != b:
            found.append(f"{name}: fast {a!r} != full {b!r}")
    if not same_trail(fast.log, full.log):
        found.append("log: the trails differ")
    if not same_trail(fast.path, full.path):
        found.append("path: the trails differ")
    return found


class Coverage(NamedTuple):
    steps: int
    plain: int  # steps the fast path may take: no effects anywhere, nobody bitten


def walk_both_ways(story: Story, seed: int) -> Coverage:
    """Play one random walk, taking every step both ways and holding them equal."""
    chooser = random.Random(seed)
    state = initial_state(story, seed)
    steps = plain = 0
    while steps < MAX_STEPS and not is_ending(story, state):
        offered = available_choices(story, state)
        if not offered:
            break
        choice = chooser.choice(offered)
        fast_state, fast_events = step(story, state, choice.id)
        full_state, full_events = step(story, state, choice.id, shortcut=False)
        where = f"seed {seed}, turn {state.turn}, node {state.node!r}, choice {choice.id!r}"
        found = differences(fast_state, full_state)
        assert not found, f"{where}: the fast step differs from the full one:\n" + "\n".join(found)
        assert fast_events == full_events, f"{where}: the events differ"
        steps += 1
        plain += (
            not choice.effects
            and not story.nodes[full_state.node].effects
            and not any(c.status == "bitten" for c in state.roster)
        )
        state = fast_state
    return Coverage(steps, plain)


def check_walks(root: Path, walks: int) -> Coverage:
    """Walk `walks` seeds (0, 1, ...) of the story at `root`; the steps taken, summed."""
    story = story_at(root)
    total = [walk_both_ways(story, seed) for seed in range(walks)]
    return Coverage(sum(c.steps for c in total), sum(c.plain for c in total))


def test_fast_and_full_steps_agree_on_500_random_walks_of_the_bundled_story() -> None:
    coverage = check_walks(BUNDLED_STORY, 500)
    # Without plain steps the fast path was never compared; without others, the full one.
    assert 0 < coverage.plain < coverage.steps, coverage


# The example story starts with a character bitten, so the fast path must decline every
# step there (its walks check that gate, interrupts and `$resume`); the rules lab mixes
# plain steps with every kind of effect.
@pytest.mark.parametrize(
    ("fixture", "needs_plain_steps"), [("example", False), ("rules_lab", True)]
)
def test_fast_and_full_steps_agree_on_200_random_walks_of_each_fixture_story(
    fixture: str, needs_plain_steps: bool
) -> None:
    coverage = check_walks(FIXTURES / fixture, 200)
    assert coverage.plain < coverage.steps, coverage
    assert coverage.plain > 0 or not needs_plain_steps, coverage
