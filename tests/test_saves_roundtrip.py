"""Saving then loading gives back the same run, digest by digest (a Hypothesis property)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.compiler.loader import load_story
from engine.replay import replay_save
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState, state_digest
from engine.saves.files import read_save, write_save
from engine.saves.format import dump_save, make_save
from engine.saves.parse import parse_save

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
STORY = load_story(FIXTURE)


def random_run(seed: int, picks: list[int]) -> list[GameState]:
    """Random choices through `step`: each pick chooses among the available choices."""
    states = [initial_state(STORY, seed)]
    for pick in picks:
        if is_ending(STORY, states[-1]):
            break
        offered = available_choices(STORY, states[-1])
        states.append(step(STORY, states[-1], offered[pick % len(offered)].id)[0])
    return states


runs = st.tuples(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.integers(min_value=0, max_value=5), max_size=40),
)


@settings(max_examples=150, deadline=None)
@given(runs)
def test_save_then_load_replays_the_same_states(run: tuple[int, list[int]]) -> None:
    seed, picks = run
    states = random_run(seed, picks)
    save = make_save(STORY, seed, states, "prop", now="2024-05-01T12:00:00Z")
    loaded = parse_save(dump_save(save), "prop.yaml")
    assert loaded == save
    result = replay_save(STORY, loaded)
    assert result.divergence is None and result.warnings == []
    assert result.is_exact
    assert [state_digest(STORY, s) for s in result.states] == [
        state_digest(STORY, s) for s in states
    ]
    assert result.states == states  # the whole state, logs included


def test_save_then_load_through_a_file(tmp_path: Path) -> None:
    states = random_run(99, [1, 0, 2, 2, 0, 1, 1, 0, 2, 1] * 3)
    path = tmp_path / "run.yaml"
    write_save(path, make_save(STORY, 99, states, "run"))
    assert replay_save(STORY, read_save(path)).states == states
