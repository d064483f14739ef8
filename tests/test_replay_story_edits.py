"""Saves survive story edits that leave their path alone, and say exactly where they break."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from engine.cli._saves import program_words
from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.replay import Divergence, ReplayResult, replay_save
from engine.runtime.rules import initial_state, step
from engine.saves.files import write_save
from engine.saves.format import SaveFile, make_save

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]
SEED = 7


@pytest.fixture
def story_dir(tmp_path: Path) -> Path:
    """A copy of the fixture story the test may edit."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "story"))


@pytest.fixture
def saved(story_dir: Path) -> SaveFile:
    story = load_story(story_dir)
    states = [initial_state(story, SEED)]
    for choice in RUN:
        states.append(step(story, states[-1], choice)[0])
    return make_save(story, SEED, states, "run", now="2024-05-01T12:00:00Z")


def edit(story_dir: Path, episode: str, old: str, new: str) -> None:
    path = story_dir / "episodes" / f"{episode}.yaml"
    text = path.read_text()
    assert old in text, f"the edit's anchor is missing from {path}"
    path.write_text(text.replace(old, new, 1))


def replay(story_dir: Path, save: SaveFile) -> ReplayResult:
    return replay_save(load_story(story_dir), save)


def only_story_changed(result: ReplayResult) -> bool:
    return len(result.warnings) == 1 and "the story has changed" in result.warnings[0]


TAKE_BAT = "      - id: take-bat\n"


def test_unedited_story_replays_exactly(story_dir: Path, saved: SaveFile) -> None:
    result = replay(story_dir, saved)
    assert result.is_exact and result.warnings == [] and len(result.states) == len(RUN) + 1


def test_save_survives_story_edit_that_adds_a_choice_before_the_one_taken(
    story_dir: Path, saved: SaveFile
) -> None:
    new_choice = "      - {id: hide, text: Hide under a desk., goto: a.hall}\n"
    edit(story_dir, "one", TAKE_BAT, new_choice + TAKE_BAT)
    result = replay(story_dir, saved)
    assert result.divergence is None and result.is_exact
    assert only_story_changed(result)


def test_save_survives_story_edit_that_adds_a_node(story_dir: Path, saved: SaveFile) -> None:
    edit(
        story_dir,
        "one",
        "  a.classroom:\n",
        "  a.closet:\n    text: A closet.\n    choices:\n"
        "      - {id: out, text: Come out., goto: a.hall}\n  a.classroom:\n",
    )
    edit(
        story_dir,
        "one",
        "      - id: back\n",
        "      - {id: closet, text: Hide., goto: a.closet}\n      - id: back\n",
    )
    result = replay(story_dir, saved)
    assert result.is_exact and only_story_changed(result)


def test_save_survives_story_edit_of_the_text(story_dir: Path, saved: SaveFile) -> None:
    edit(story_dir, "two", "text: The stairwell echoes.", "text: The stairwell echoes. Twice.")
    assert replay(story_dir, saved).is_exact


def test_renamed_choice_reports_step_node_missing_choice_and_did_you_mean(
    story_dir: Path, saved: SaveFile
) -> None:
    edit(story_dir, "one", "id: take-bat", "id: take-the-bat")
    result = replay(story_dir, saved)
    assert result.divergence == Divergence(
        step=2,
        episode=1,
        node="a.classroom",
        choice="take-bat",
        reason='choice "take-bat" no longer exists there',
        suggestion='"take-the-bat"',
        available=("take-the-bat", "back"),
    )
    assert len(result.states) == 2  # the initial state and step 1, which still matches
    assert result.matched_steps == 1
    assert result.divergence.describe() == (
        'step 2 (episode 1, node "a.classroom"): choice "take-bat" no longer exists there; '
        'did you mean "take-the-bat"? (choices there now: take-the-bat, back)'
    )


def test_removed_node_reports_where_the_story_now_leads(story_dir: Path, saved: SaveFile) -> None:
    edit(
        story_dir,
        "two",
        "  b.stairs:\n    text: The stairwell echoes.\n",
        "  b.gone:\n    text: x\n",
    )
    edit(story_dir, "one", "goto: b.stairs", "goto: b.roof")
    edit(story_dir, "two", "  b.gone:\n", "  b.unused:\n")
    result = replay(story_dir, saved)
    divergence = result.divergence
    assert divergence is not None
    assert (divergence.step, divergence.episode, divergence.node, divergence.choice) == (
        4,
        2,
        "b.stairs",
        "swing",
    )
    assert divergence.reason == (
        'node "b.stairs" no longer exists; step 3 (choice "stairs" at node "a.hall") now '
        'leads to "b.roof"'
    )
    assert divergence.suggestion is None  # nothing like "b.stairs" is left
    assert divergence.available == ("wait", "jump")
    assert result.matched_steps == 3


def test_renamed_node_names_the_step_that_leads_there_and_suggests_the_new_name(
    story_dir: Path, saved: SaveFile
) -> None:
    edit(story_dir, "two", "  b.stairs:\n", "  b.stairwell:\n")
    edit(story_dir, "one", "goto: b.stairs", "goto: b.stairwell")
    result = replay(story_dir, saved)
    divergence = result.divergence
    assert divergence is not None
    assert (divergence.step, divergence.node, divergence.choice) == (4, "b.stairs", "swing")
    assert divergence.reason == (
        'node "b.stairs" no longer exists; step 3 (choice "stairs" at node "a.hall") now '
        'leads to "b.stairwell"'
    )
    assert divergence.suggestion == '"b.stairwell"'  # a node, never a choice of another node


def test_a_moved_start_is_named_at_the_first_step(story_dir: Path, saved: SaveFile) -> None:
    manifest = story_dir / "story.yaml"
    manifest.write_text(manifest.read_text().replace("start: a.hall", "start: a.classroom"))
    result = replay(story_dir, saved)
    assert result.divergence is not None
    assert result.divergence.step == 1
    assert result.divergence.reason == (
        'the save was at node "a.hall", but the story now starts at "a.classroom"'
    )


def test_choice_no_longer_available_is_reported(story_dir: Path, saved: SaveFile) -> None:
    edit(story_dir, "one", "if: not has('bat')", "if: not has('bat') and noise > 3")
    divergence = replay(story_dir, saved).divergence
    assert divergence is not None and divergence.step == 2
    assert (
        divergence.reason == 'choice "take-bat" is not available there now (its condition is false)'
    )
    assert divergence.available == ("back",)


def test_changed_effect_warns_naming_the_first_step_that_differs(
    story_dir: Path, saved: SaveFile
) -> None:
    edit(story_dir, "one", "do: [{give: bat}, {rejoin: ms-park}]", "do: [{give: bat}]")
    result = replay(story_dir, saved)
    assert result.divergence is None and not result.is_exact
    assert result.first_differing_step == 2
    assert any(w.startswith("step 2: the state after it differs") for w in result.warnings)


def test_check_passes_after_a_harmless_edit_and_fails_after_a_rename(
    story_dir: Path, saved: SaveFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "run.yaml"
    write_save(path, saved)
    edit(story_dir, "one", TAKE_BAT, "      - {id: hide, text: Hide., goto: a.hall}\n" + TAKE_BAT)
    assert main(["replay", str(path), "--story", str(story_dir), "--check"]) == 0
    assert capsys.readouterr() == ("", "")
    edit(story_dir, "one", "id: take-bat", "id: take-the-bat")
    assert main(["replay", str(path), "--story", str(story_dir), "--check"]) == 1
    err = capsys.readouterr().err
    assert f'{path}: step 2 (episode 1, node "a.classroom"): choice "take-bat"' in err


def test_replay_of_a_broken_save_shows_what_matches_and_how_to_play_on(
    story_dir: Path, saved: SaveFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "run.yaml"
    write_save(path, saved)
    before = path.read_bytes()
    edit(story_dir, "one", "id: take-bat", "id: take-the-bat")
    assert main(["replay", str(path), "--story", str(story_dir), "--plain"]) == 1
    out, err = capsys.readouterr()
    assert "Step 1 of 1 (a.hall)" in out and "Step 2" not in out
    assert 'did you mean "take-the-bat"?' in err
    assert "the first 1 step still match the story" in err
    hyosan = shlex.join(program_words())  # the command that runs this hyosan, as printed
    assert f"{hyosan} replay {path} --branch-at 1 --story {story_dir}" in err
    assert path.read_bytes() == before


def test_branching_past_the_last_matching_step_is_refused(
    story_dir: Path, saved: SaveFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "run.yaml"
    write_save(path, saved)
    edit(story_dir, "one", "id: take-bat", "id: take-the-bat")
    assert main(["replay", str(path), "--story", str(story_dir), "--branch-at", "3"]) == 1
    assert (
        "cannot branch at step 3: the story no longer replays past step 1"
        in capsys.readouterr().err
    )
    assert main(["replay", str(path), "--story", str(story_dir), "--branch-at", "1"]) == 0
    assert (tmp_path / "run-branch-1.yaml").is_file()
