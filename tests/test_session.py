"""A play session: choosing, undo and redo, the autosave, saving to and loading slots."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import ChoiceError
from engine.saves.files import read_save
from engine.saves.format import SaveError
from engine.session import Session

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "play_basic"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


def test_each_choice_is_written_to_the_run_file_and_the_autosave(
    story: Story, tmp_path: Path
) -> None:
    session = Session(story, 7, tmp_path)
    session.choose("office")
    session.choose("bar")
    save = read_save(tmp_path / "autosave.yaml")
    assert [(s.node, s.choice) for s in save.steps] == [("hall", "office"), ("lab", "bar")]
    assert save.seed == 7 and save.story_id == "play-basic"
    assert save.slot is not None and save.slot.startswith("play-basic-2")  # the run's name
    run = read_save(tmp_path / f"{save.slot}.yaml")  # the run's own file
    assert run.steps == save.steps and run.slot == save.slot
    assert (tmp_path / "autosave.bak.yaml").is_file()  # the previous autosave is kept
    assert len(read_save(tmp_path / "autosave.bak.yaml").steps) == 1


def test_a_named_run_gets_its_own_file_and_the_autosave_follows(
    story: Story, tmp_path: Path
) -> None:
    session = Session(story, 1, tmp_path, slot="evening")
    session.choose("lab")
    assert read_save(tmp_path / "evening.yaml").slot == "evening"
    assert read_save(tmp_path / "autosave.yaml").slot == "evening"
    assert session.resume_target() == "autosave"


def test_a_new_run_never_takes_a_name_that_holds_another_run(story: Story, tmp_path: Path) -> None:
    first = Session(story, 1, tmp_path, slot="evening")
    first.choose("lab")
    first.close()
    second = Session(story, 2, tmp_path, slot="evening")
    second.choose("office")
    assert [s.choice for s in read_save(tmp_path / "evening.yaml").steps] == ["lab"]
    assert [s.choice for s in read_save(tmp_path / "evening-2.yaml").steps] == ["office"]
    assert any("evening-2" in note for note in second.take_notes())


def test_undo_goes_back_one_choice_at_a_time_and_redo_returns(story: Story, tmp_path: Path) -> None:
    session = Session(story, 1, tmp_path)
    for choice in ("lab", "wait", "up"):
        session.choose(choice)
    assert session.state.node == "roof"
    assert session.undo() and session.undo() and session.undo()
    assert session.state.node == "hall" and not session.undo()
    assert session.redo() is not None and session.redo() is not None
    assert session.state.node == "stairs"
    # An undo never shortens a save: the files keep the run as far as it went.
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 3
    assert len(read_save(tmp_path / f"{session.slot}.yaml").steps) == 3


def test_a_different_choice_after_undo_forgets_redo(story: Story, tmp_path: Path) -> None:
    session = Session(story, 1, tmp_path)
    session.choose("lab")
    session.choose("wait")
    session.undo()
    session.undo()
    session.choose("lab")  # the same choice as undone: redo still holds "wait"
    assert session.can_redo
    session.choose("bar")
    assert not session.can_redo and session.redo() is None


def test_an_unavailable_choice_changes_nothing(story: Story, tmp_path: Path) -> None:
    session = Session(story, 1, tmp_path)
    with pytest.raises(ChoiceError):
        session.choose("fly")
    assert session.turn == 0 and not (tmp_path / "autosave.yaml").exists()


def test_save_then_load_a_slot_replays_the_run(story: Story, tmp_path: Path) -> None:
    session = Session(story, 3, tmp_path)
    session.choose("office")
    path = session.save("before-roof")
    assert path == tmp_path / "before-roof.yaml"
    session.choose("bar")
    session.choose("up")
    assert session.load("before-roof") == []
    assert session.state.node == "lab" and session.turn == 1 and session.seed == 3
    assert not session.can_redo


def test_load_by_path_and_bad_names_give_save_errors(story: Story, tmp_path: Path) -> None:
    session = Session(story, 3, tmp_path)
    session.choose("lab")
    copy = tmp_path / "elsewhere" / "run.yaml"
    copy.parent.mkdir()
    copy.write_text((tmp_path / "autosave.yaml").read_text())
    session.undo()
    session.load(str(copy))
    assert session.turn == 1
    with pytest.raises(SaveError):
        session.load("no-such-slot")
    with pytest.raises(SaveError):
        session.save("../escape")


def test_a_save_of_another_story_is_refused(story: Story, tmp_path: Path) -> None:
    other = load_story(Path(__file__).resolve().parent / "fixtures" / "example")
    Session(other, 1, tmp_path, slot="theirs").autosave()
    session = Session(story, 1, tmp_path)
    with pytest.raises(SaveError, match="example"):
        session.load("theirs")
    assert session.turn == 0


def test_a_failed_autosave_keeps_the_choice_and_reports(story: Story, tmp_path: Path) -> None:
    (tmp_path / "autosave.yaml").write_text("not a save at all: [")
    session = Session(story, 1, tmp_path)
    session.choose("lab")
    assert session.turn == 1
    assert session.autosave_error and "will not overwrite" in session.autosave_error
    assert (tmp_path / "autosave.yaml").read_text() == "not a save at all: ["


def _runs(folder: Path) -> dict[str, tuple[object, ...]]:
    return {p.name: read_save(p).steps for p in folder.glob("*.yaml") if ".bak." not in p.name}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["choose", "undo", "redo", "new"]), max_size=14),
    st.lists(st.integers(0, 9), min_size=1, max_size=14),
)
def test_any_mix_of_moves_never_cuts_or_loses_a_saved_run(
    story: Story, tmp_path_factory: pytest.TempPathFactory, moves: list[str], picks: list[int]
) -> None:
    folder = tmp_path_factory.mktemp("mix")
    session = Session(story, 5, folder)
    seen: dict[str, tuple[object, ...]] = {}
    for number, move in enumerate(moves):
        if move == "choose" and session.choices():
            options = session.choices()
            session.choose(options[picks[number % len(picks)] % len(options)].id)
        elif move == "undo":
            session.undo()
        elif move == "redo":
            session.redo()
        elif move == "new":
            session.restart(number)
        now = _runs(folder)
        every_run = list(now.values())
        for name, steps in seen.items():  # a run file only ever grows; none disappears
            if name == "autosave.yaml":
                assert any(run[: len(steps)] == steps for run in every_run)
            else:
                assert now[name][: len(steps)] == steps
        seen = now
    session.close()  # let go of the run file, so the fresh session may continue in it
    if session.turn:
        fresh = Session(story, 0, folder)
        fresh.load("autosave")  # the autosave follows the current run, as far as it went
        assert fresh.states[: len(session.states)] == session.states
        assert fresh.slot == session.slot
