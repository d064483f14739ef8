"""Seeded random playthroughs with coverage: which nodes, choices and endings play reaches.

Owns: `random_playthroughs` and its `RandomTestResult` (node visits, choice uses,
endings, survivors, and every run that went wrong with its seed and path). The same
arguments always give the same result. No printing: `engine.report.randomtest` does.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step, survivors

__all__ = ["MODES", "Problem", "RandomTestResult", "Steps", "random_playthroughs"]

Steps = tuple[tuple[str, str], ...]  # (node id, choice id) per step, oldest first


class Problem(NamedTuple):
    """A run that went wrong: kind is softlock, step-limit or error."""

    run: int
    seed: int
    kind: str
    node: str
    detail: str
    steps: Steps


@dataclass
class RandomTestResult:
    """Coverage and outcomes of seeded random runs."""

    runs: int
    seed: int
    mode: str
    steps: int = 0
    node_visits: Counter[str] = field(default_factory=Counter)
    choice_uses: Counter[tuple[str, str]] = field(default_factory=Counter)
    endings: Counter[str] = field(default_factory=Counter)
    survivors: Counter[int] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)


MODES = ("uniform", "least-used")


def random_playthroughs(
    story: Story,
    runs: int,
    seed: int = 0,
    mode: str = "uniform",
    max_steps: int = 10_000,
    on_run: Callable[[int], None] | None = None,
) -> RandomTestResult:
    """Play `runs` seeded random runs; run i uses game seed `seed + i`.

    mode "uniform" picks any available choice with equal odds; "least-used" picks one
    of the choices taken least often so far (over all runs), which reaches rare
    branches sooner. The same arguments always give the same result.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    chooser = random.Random(seed)
    result = RandomTestResult(runs, seed, mode)
    for run in range(runs):
        _one_run(story, run, (seed + run) & 0xFFFFFFFF, chooser, result, max_steps)
        if on_run is not None:
            on_run(run + 1)
    return result


def _one_run(
    story: Story,
    run: int,
    game_seed: int,
    chooser: random.Random,
    result: RandomTestResult,
    max_steps: int,
) -> None:
    state = initial_state(story, game_seed)
    taken: list[tuple[str, str]] = []

    def problem(kind: str, detail: str) -> None:
        result.problems.append(Problem(run, game_seed, kind, state.node, detail, tuple(taken)))

    result.node_visits[state.node] += 1
    while not is_ending(story, state):
        if len(taken) >= max_steps:
            problem("step-limit", f"no ending after {max_steps} steps")
            return
        choices = available_choices(story, state)
        if not choices:
            problem("softlock", "no choice is available and this is not an ending")
            return
        if result.mode == "least-used":
            fewest = min(result.choice_uses[(state.node, c.id)] for c in choices)
            choices = [c for c in choices if result.choice_uses[(state.node, c.id)] == fewest]
        choice = chooser.choice(choices)
        result.choice_uses[(state.node, choice.id)] += 1
        taken.append((state.node, choice.id))
        try:
            state = step(story, state, choice.id)[0]
        except Exception as exc:  # reported with the run that triggers it, not raised
            problem("error", f"{type(exc).__name__}: {exc}")
            return
        result.steps += 1
        result.node_visits[state.node] += 1
    ending = story.nodes[state.node].ending
    assert ending is not None
    result.endings[ending.id] += 1
    result.survivors[survivors(state)] += 1
