"""The save file: what it holds, how it is written, slot names, the saves folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step, survivors
from engine.runtime.state import GameState
from engine.saves.digest import run_digest
from engine.saves.files import (
    backup_path,
    list_slots,
    read_save,
    resolve_save,
    slot_path,
    write_save,
)
from engine.saves.format import FORMAT_VERSION, SavedStep, SaveError, SaveFile, dump_save, make_save
from engine.saves.parse import parse_save

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
NOW = "2024-05-01T12:00:00Z"
LATER = "2024-05-01T12:30:00Z"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


def play(story: Story, choices: list[str], seed: int = 0) -> list[GameState]:
    states = [initial_state(story, seed)]
    for choice in choices:
        states.append(step(story, states[-1], choice)[0])
    return states


RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]


def test_save_records_story_seed_and_each_step_by_id(story: Story) -> None:
    states = play(story, RUN, seed=7)
    save = make_save(story, 7, states, "mine", now=NOW)
    assert save.format == FORMAT_VERSION == 2
    assert (save.story_id, save.fingerprint, save.seed) == ("saves-story", story.fingerprint, 7)
    assert [(s.node, s.choice) for s in save.steps] == states[-1].steps()
    assert [s.digest for s in save.steps] == [run_digest(story, s) for s in states[1:]]
    assert (save.slot, save.created, save.updated) == ("mine", NOW, NOW)
    assert (save.episode, save.ending) == (2, "roof")
    assert save.survivors == survivors(states[-1]) > 0


def test_save_keeps_its_creation_time_and_updates_the_other(story: Story) -> None:
    save = make_save(story, 0, play(story, ["stairs"]), "s", created=NOW, now=LATER)
    assert (save.created, save.updated) == (NOW, LATER)


def test_save_of_an_unfinished_run_has_no_ending(story: Story) -> None:
    save = make_save(story, 0, play(story, ["classroom"]), None, now=NOW)
    assert save.ending is None and save.episode == 1 and save.slot is None


def test_save_text_is_readable_yaml_that_reads_back_equal(story: Story) -> None:
    save = make_save(story, 3, play(story, RUN, seed=3), "mine", now=NOW)
    text = dump_save(save)
    assert "format: 2\n" in text and "story: saves-story\n" in text
    assert "branches: []\ndigest_scheme: 2\n" in text
    assert "  - {node: a.hall, choice: classroom, digest: " in text
    assert text.endswith(f"end: {len(RUN)}\n")
    assert parse_save(text, "x.yaml") == save


def test_ids_that_yaml_would_misread_are_quoted() -> None:
    save = SaveFile(2, "yes", "0123456789012345", 0, (SavedStep("on", "12", "e" * 16),), "null",
                    NOW, NOW, 1, 0, "true", ("branches/no.yaml", "/x/on.yaml"))  # fmt: skip
    assert parse_save(dump_save(save), "x.yaml") == save


def test_write_then_read_gives_the_same_save_and_names_its_file(
    story: Story, tmp_path: Path
) -> None:
    save = make_save(story, 0, play(story, RUN), "mine", now=NOW)
    path = tmp_path / "mine.yaml"
    write_save(path, save)
    loaded = read_save(path)
    assert loaded == save and loaded.source == str(path)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]  # no temporary file left


def test_write_with_backup_keeps_the_previous_copy(story: Story, tmp_path: Path) -> None:
    path = tmp_path / "autosave.yaml"
    first = make_save(story, 0, play(story, ["classroom"]), "autosave", now=NOW)
    second = make_save(story, 0, play(story, ["classroom", "back"]), "autosave", now=LATER)
    write_save(path, first, backup=True)
    assert not backup_path(path).exists()
    write_save(path, second, backup=True)
    assert backup_path(path) == tmp_path / "autosave.bak.yaml"
    assert read_save(backup_path(path)) == first
    assert read_save(path) == second


def test_write_never_overwrites_a_damaged_file(story: Story, tmp_path: Path) -> None:
    path = tmp_path / "autosave.yaml"
    path.write_bytes(b"format: 1\nstory: [oops\n")
    with pytest.raises(SaveError, match="will not overwrite") as caught:
        write_save(path, make_save(story, 0, play(story, []), "autosave"), backup=True)
    assert str(path) in caught.value.message
    assert path.read_bytes() == b"format: 1\nstory: [oops\n"
    assert not backup_path(path).exists()


def test_write_into_a_missing_folder_creates_it(story: Story, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "saves" / "a.yaml"
    write_save(path, make_save(story, 0, play(story, []), "a"))
    assert read_save(path).steps == ()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_write_to_a_read_only_folder_is_a_clear_error(story: Story, tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(SaveError, match="cannot write the save"):
            write_save(tmp_path / "a.yaml", make_save(story, 0, play(story, []), "a"))
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.parametrize("slot", ["autosave", "run-2", "my_run.v2", "A1", "canon.yaml"])
def test_slot_names_of_letters_digits_and_dashes_stay_in_the_saves_folder(
    slot: str, tmp_path: Path
) -> None:
    path = slot_path(tmp_path, slot)
    assert path.parent == tmp_path and path.suffix == ".yaml"


@pytest.mark.parametrize(
    ("slot", "problem"),
    [
        ("", "cannot be empty"),
        ("..", 'cannot hold ".."'),
        ("../escape", '"/"'),
        ("a/b", '"/"'),
        ("a\\b", '"/"'),
        ("/etc/passwd", "not an absolute path"),
        ("run\n2", "control characters"),
        ("tab\there", "control characters"),
        (".hidden", 'cannot start with "."'),
        ("run 2", "only ASCII letters"),
        ("séoul", "only ASCII letters"),
        ("x" * 101, "at most 100"),
        ("autosave.bak", "backups"),
    ],
)
def test_slot_names_that_could_escape_or_confuse_are_refused(
    slot: str, problem: str, tmp_path: Path
) -> None:
    with pytest.raises(SaveError, match=problem.replace(".", r"\.")):
        slot_path(tmp_path, slot)


def test_load_target_is_a_path_when_it_looks_like_one(tmp_path: Path) -> None:
    assert resolve_save(tmp_path, "saves/canon.yaml") == Path("saves/canon.yaml")
    assert resolve_save(tmp_path, "mine") == tmp_path / "mine.yaml"
    with pytest.raises(SaveError):
        resolve_save(tmp_path, "..")


def test_list_slots_is_newest_first_and_shows_damaged_files(story: Story, tmp_path: Path) -> None:
    states = play(story, ["classroom"])
    write_save(tmp_path / "old.yaml", make_save(story, 0, states, "old", now=NOW))
    write_save(tmp_path / "new.yaml", make_save(story, 0, states, "new", now=LATER))
    write_save(tmp_path / "new.yaml", make_save(story, 0, states, "new", now=LATER), backup=True)
    (tmp_path / "broken.yaml").write_text("format: [")
    (tmp_path / ".new.yaml.abc.tmp").write_text("partial")
    listed = list_slots(tmp_path)
    names = [path.name for path, _ in listed]
    # the damaged file is dated by its modification time (today), the saves by `updated`
    assert names == ["broken.yaml", "new.yaml", "old.yaml"]  # no backup, no temporary file
    assert isinstance(dict((p.name, s) for p, s in listed)["broken.yaml"], SaveError)
    assert list_slots(tmp_path / "missing") == []
