"""True causes in `hyosan compare`: every named cause passes the counterfactual test.

The rule (docs/compare.md): a step causes a difference when more than one choice was
offered there, the player's choice was not the canon's, and replaying the run with the
canon's choice at that step (every real choice of the player kept where it is still
offered, the canon rule elsewhere) changes that difference. The oracle below replays from
the very start, with no shortcut, so it checks the engine's faster replay too.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from engine import BUNDLED_STORY
from engine.canon.causes import Cause, Difference, value_of
from engine.canon.compare import compare_run
from engine.canon.counterfactual import Reference, reference_of
from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.runtime.canon import canon_path
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState
from engine.saves.files import write_save
from engine.saves.format import make_save

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FLAGS = FIXTURES / "causes_flags"
SLOW = bool(os.environ.get("HYOSAN_SLOW_TESTS"))


@pytest.fixture(scope="module")
def flags_story() -> Story:
    return load_story(FLAGS)


@pytest.fixture(scope="module")
def bundled() -> Story:
    return load_story(BUNDLED_STORY)


def play(story: Story, seed: int, choices: Sequence[str]) -> list[GameState]:
    states = [initial_state(story, seed)]
    for choice in choices:
        states.append(step(story, states[-1], choice)[0])
    return states


def random_run(story: Story, seed: int) -> list[GameState]:
    """A seeded random run, stopped at an ending or at a random point."""
    pick = random.Random(seed)
    states = [initial_state(story, seed)]
    stop = pick.randrange(20, 400)
    while not is_ending(story, states[-1]) and len(states) < stop:
        choice = pick.choice(list(available_choices(story, states[-1])))
        states.append(step(story, states[-1], choice.id)[0])
    return states


# --- the oracle: the documented rule, implemented again from scratch ----------------------


def _canon_pick(story: Story, state: GameState) -> str:
    """The canon's choice as docs/format.md states it, written out again on purpose: the
    turning point's canon choice, else the first offered `canon: true` (never one a branch
    added), else the story's own first offered choice."""
    offered = available_choices(story, state)
    point = story.nodes[state.node].turning_point
    if point is not None and point.canon in {c.id for c in offered}:
        return point.canon
    own = [c for c in offered if not c.added] or list(offered)
    marked = [c for c in own if c.canon]
    return (marked or own)[0].id


def oracle_changes(
    story: Story,
    states: Sequence[GameState],
    restore: set[int],
    difference: Difference,
    reference: Reference,
) -> bool:
    """Replay from the start with the canon's choice at the `restore` steps."""
    steps = states[-1].steps()
    chose = [len(available_choices(story, s)) > 1 for s in states[: len(steps)]]
    state, pointer = states[0], 0
    for _ in range(3 * len(steps) + 500):
        if is_ending(story, state) or not available_choices(story, state):
            break
        offered = {c.id for c in available_choices(story, state)}
        match = next((j for j in range(pointer, len(steps)) if steps[j][0] == state.node), None)
        pick = _canon_pick(story, state)
        if match is not None:
            pointer = match + 1
            mine = steps[match][1]
            if match + 1 not in restore and chose[match] and mine in offered:
                pick = mine
        after = step(story, state, pick)[0]
        leaving = after.episode != state.episode and state.episode >= reference.episode
        if leaving and not reference.at_ending:
            break
        state = after
    return value_of(story, state, difference) != difference.yours


def check_every_cause(story: Story, states: Sequence[GameState]) -> tuple[int, int]:
    """Assert the counterfactual test for every named cause; (differences, causes)."""
    cmp = compare_run(story, states)
    reference = reference_of(story, states)
    rows = [(r, Difference("status", r.character, r.name, r.yours, r.canon)) for r in cmp.roster]
    rows = [(r.why, d) for r, d in rows if r.differs]
    rows += [(o.why, o.difference) for o in cmp.others]
    causes = 0
    for why, difference in rows:
        assert why.causes or why.joint or why.reason, difference
        for cause in why.causes:
            assert oracle_changes(story, states, {cause.step}, difference, reference), (
                difference,
                cause,
            )
            causes += 1
        if why.joint:
            together = {c.step for c in why.joint}
            assert oracle_changes(story, states, together, difference, reference), difference
            for cause in why.joint:  # and neither alone does
                assert not oracle_changes(story, states, {cause.step}, difference, reference)
            causes += 1
        for cause in [*why.causes, *why.joint]:
            assert len(available_choices(story, states[cause.step - 1])) > 1
    return len(rows), causes


# --- the flags fixture: consequences that travel only through flags ------------------------


def _row(story: Story, states: list[GameState], character: str) -> tuple[str, list[Cause]]:
    cmp = compare_run(story, states)
    row = next(r for r in cmp.roster if r.character == character)
    return row.why.describe(), list(row.why.causes)


def test_a_warning_in_episode_1_is_named_for_su_hyeok_still_being_human(
    flags_story: Story,
) -> None:
    states = play(flags_story, 0, ["warn", "open", "go", "dark", "dark", "dark"])
    text, causes = _row(flags_story, states, "su-hyeok")
    assert [c.turning_point for c in causes] == ["TP-1"]
    assert 'you chose "Warn him." in episode 1 (TP-1)' in text


def test_the_only_choice_offered_is_never_named_a_cause(flags_story: Story) -> None:
    states = play(flags_story, 0, ["warn", "bar", "go", "light", "light", "light"])
    cmp = compare_run(flags_story, states)
    named = [c for r in cmp.roster for c in (*r.why.causes, *r.why.joint)]
    named += [c for o in cmp.others for c in (*o.why.causes, *o.why.joint)]
    assert named and all(c.node != "one.stairs" for c in named)


def test_two_choices_that_each_would_have_sufficed_are_named_together(
    flags_story: Story,
) -> None:
    states = play(flags_story, 0, ["warn", "bar", "go", "dark", "dark", "dark"])
    cmp = compare_run(flags_story, states)
    row = next(r for r in cmp.roster if r.character == "i-sak")
    assert (row.yours, row.canon) == ("dead", "healthy")
    assert row.why.causes == ()
    assert [c.turning_point for c in row.why.joint] == ["TP-1", "TP-2"]
    assert "together (either alone changes nothing)" in row.explain(cmp.label)


def test_a_difference_no_single_choice_or_pair_explains_says_so(flags_story: Story) -> None:
    states = play(flags_story, 0, ["ignore", "open", "go", "light", "light", "light"])
    cmp = compare_run(flags_story, states)
    row = next(r for r in cmp.roster if r.character == "nam-ra")
    assert row.differs and not row.why.causes and not row.why.joint
    assert row.why.reason is not None and "no single choice" in row.why.reason


def test_a_place_difference_is_traced_like_a_status(flags_story: Story) -> None:
    states = play(flags_story, 0, ["ignore", "bar", "go", "dark", "dark", "dark"])
    cmp = compare_run(flags_story, states)
    place = [o for o in cmp.others if o.difference.kind == "place"]
    assert [(o.difference.subject, o.difference.yours) for o in place] == [("ms-park", "elsewhere")]
    assert [c.turning_point for c in place[0].why.causes] == ["TP-2"]


def test_a_character_left_out_of_the_canon_roster_keeps_their_starting_status(
    flags_story: Story,
) -> None:
    assert flags_story.canon_status("gyeong-su", 2) == "bitten"
    cmp = compare_run(flags_story, canon_path(flags_story))
    assert cmp.fidelity == 1.0 and not [r for r in cmp.roster if r.differs]


def test_every_cause_passes_the_counterfactual_test_on_1000_runs_of_the_flags_story(
    flags_story: Story,
) -> None:
    differences = causes = 0
    for seed in range(1000):
        found, named = check_every_cause(flags_story, random_run(flags_story, seed))
        differences, causes = differences + found, causes + named
    assert differences > 1000 and causes > 1000  # the runs really differ


# --- the bundled story ---------------------------------------------------------------------


def test_sparing_nam_ra_at_tp_06_2_names_tp_06_2_whatever_else_differs_later(
    bundled: Story,
) -> None:
    canon = canon_path(bundled)
    steps = canon[-1].steps()
    at = next(
        i
        for i, (node, _c) in enumerate(steps)
        if bundled.nodes[node].turning_point and bundled.nodes[node].turning_point.id == "TP-06-2"
    )  # type: ignore[union-attr]
    states = list(canon[: at + 1])
    pick = random.Random(7)
    spared = next(c for c in available_choices(bundled, states[-1]) if c.id != steps[at][1])
    states.append(step(bundled, states[-1], spared.id)[0])
    while not is_ending(bundled, states[-1]):  # later turning points differ too, at random
        offered = list(available_choices(bundled, states[-1]))
        point = bundled.nodes[states[-1].node].turning_point
        choice = pick.choice(offered) if point is not None else offered[0]
        states.append(step(bundled, states[-1], choice.id)[0])
    cmp = compare_run(bundled, states)
    nam_ra = next(r for r in cmp.roster if r.character == "nam-ra")
    assert nam_ra.differs
    assert "TP-06-2" in [c.turning_point for c in nam_ra.why.causes]
    check_every_cause(bundled, states)


def test_the_canon_path_of_the_bundled_story_compares_at_full_fidelity(bundled: Story) -> None:
    cmp = compare_run(bundled, canon_path(bundled))
    assert cmp.fidelity == 1.0 and cmp.others == ()


@pytest.mark.parametrize("runs", [1000 if SLOW else 60])
def test_every_cause_passes_the_counterfactual_test_on_random_runs_of_the_bundled_story(
    bundled: Story, runs: int
) -> None:
    differences = causes = 0
    for seed in range(runs):
        found, named = check_every_cause(bundled, random_run(bundled, seed))
        differences, causes = differences + found, causes + named
    assert differences > runs and causes > runs


# --- any story's canon -------------------------------------------------------------------


def _save(story: Story, folder: Path, choices: list[str]) -> Path:
    path = folder / "run.yaml"
    write_save(path, make_save(story, 0, play(story, 0, choices), "run"))
    return path


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_a_story_whose_canon_is_the_record_never_says_the_show(
    flags_story: Story, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    save = _save(flags_story, tmp_path, ["warn", "bar", "go", "light", "dark", "dark"])
    assert main(["compare", str(save), "--story", str(FLAGS), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "the record" in out
    assert "the show" not in out.lower() and "show" not in out.lower()
    if fmt == "json":
        assert json.loads(out)["canon_label"] == "the record"


def test_compare_on_a_story_without_a_canon_says_so_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = Path(shutil.copytree(FLAGS, tmp_path / "story"))
    manifest = story / "story.yaml"
    text = manifest.read_text()
    manifest.write_text(text[: text.index("canon:")])
    save = _save(load_story(story), tmp_path, ["warn", "open", "go", "dark", "dark", "dark"])
    assert main(["compare", str(save), "--story", str(story)]) == 1
    err = capsys.readouterr().err
    assert "declares no canon" in err and "Traceback" not in err
