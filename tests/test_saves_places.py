"""Where saves go and how a SAVE argument is found; resume lines that work as printed;
reads that stay bounded whatever the file is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.cli import _saves
from engine.compiler.loader import load_story
from engine.saves.files import MAX_SAVE_BYTES, read_save, write_save
from engine.saves.format import SaveError, make_save
from engine.saves.places import SavesFolder, find_save, project_saves_dir, saves_folder
from engine.session import Session

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "play_basic"
HYOSAN = Path(sys.executable).with_name("hyosan")


def test_saves_go_to_the_users_data_folder_per_story_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("HYOSAN_SAVES", raising=False)
    folder = saves_folder("my-story")
    assert folder.path == tmp_path / "data" / "hyosan" / "saves" / "my-story"
    assert folder.fallback == project_saves_dir() == ROOT / "saves"  # a checkout's old folder
    monkeypatch.setenv("HYOSAN_SAVES", str(tmp_path / "env"))
    assert saves_folder("my-story") == SavesFolder(tmp_path / "env")
    assert saves_folder("my-story", tmp_path / "opt") == SavesFolder(tmp_path / "opt")


def test_a_slot_missing_from_the_saves_folder_is_found_in_the_old_one_and_said_so(
    tmp_path: Path,
) -> None:
    new, old = tmp_path / "new", tmp_path / "old"
    story = load_story(FIXTURE)
    write_save(old / "mine.yaml", make_save(story, 1, [Session(story, 1, new).state], "mine"))
    found = find_save(SavesFolder(new, old), "mine")
    assert found.path == old / "mine.yaml"
    assert found.note and "from the old saves folder" in found.note and str(new) in found.note
    write_save(new / "mine.yaml", make_save(story, 2, [Session(story, 2, new).state], "mine"))
    assert find_save(SavesFolder(new, old), "mine").path == new / "mine.yaml"
    assert find_save(SavesFolder(new, old), str(old / "mine.yaml")).note is None
    assert find_save(SavesFolder(new, old), "missing").path == new / "missing.yaml"


def test_every_command_finds_slots_the_same_way(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    story = load_story(FIXTURE)
    session = Session(story, 4, tmp_path)
    session.choose("lab")
    session.save("mine")
    session.close()
    monkeypatch.setenv("HYOSAN_SAVES", str(tmp_path))
    story_args = ("--story", str(FIXTURE))
    assert run_cli("replay", "mine", "--check", *story_args).code == 0
    assert run_cli("compare", "mine", *story_args).code == 0
    assert "->" in run_cli("map", str(FIXTURE), "--run", "mine").out
    monkeypatch.delenv("HYOSAN_SAVES")
    elsewhere = tmp_path / "elsewhere"
    assert run_cli("replay", "mine", "--check", *story_args, "--saves-dir", str(tmp_path)).code == 0
    missing = run_cli("replay", "mine", "--check", *story_args, "--saves-dir", str(elsewhere))
    assert missing.code == 1 and "no such save file" in missing.err


@pytest.mark.skipif(not HYOSAN.exists(), reason="needs the installed hyosan script")
def test_play_with_another_story_saves_in_that_storys_own_folder(tmp_path: Path) -> None:
    story = tmp_path / "mystory"
    shutil.copytree(FIXTURE, story)
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("HYOSAN_SAVES", None)
    done = subprocess.run(
        [str(HYOSAN), "play", "--plain", "--story", str(story)],
        input="1\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    saves = tmp_path / "data" / "hyosan" / "saves" / "play-basic"
    assert len(read_save(saves / "autosave.yaml").steps) == 1
    assert not list(story.rglob("*.yaml.*")) and not (story / "saves").exists()
    assert not (ROOT / "story" / "saves").exists()


def test_the_resume_line_names_a_command_that_works_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "venv" / "bin" / "hyosan"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script), "play"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert _saves.program_words() == [str(script)]  # not on PATH: its absolute path
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin")
    assert _saves.program_words() == ["hyosan"]  # on PATH: the plain name
    monkeypatch.setattr(sys, "argv", [str(ROOT / "engine" / "__main__.py")])
    assert _saves.program_words() == [str(Path(sys.executable).absolute()), "-m", "engine"]


def test_a_device_a_pipe_or_a_huge_file_is_refused_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    if Path("/dev/zero").exists():
        with pytest.raises(SaveError, match="larger than 8 MiB"):
            read_save(Path("/dev/zero"))
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)
        with pytest.raises(SaveError, match="empty"):  # no writer: does not wait for one
            read_save(fifo)
    huge = tmp_path / "autosave.yaml"
    with huge.open("wb") as out:
        out.write(b"format: 1\n" + b"#" * (MAX_SAVE_BYTES + 10))
    with pytest.raises(SaveError, match="larger than"):
        read_save(huge)
    story = load_story(FIXTURE)
    session = Session(story, 1, tmp_path)
    session.choose("lab")  # the run file is written; the huge autosave is left alone
    assert session.autosave_error and "will not overwrite" in session.autosave_error
    assert huge.stat().st_size > MAX_SAVE_BYTES
