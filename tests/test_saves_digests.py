"""Saves across story edits: digests that cover only what a run depends on, old saves
that keep their own digests, and the branch files a run was played with.

Scheme 2 digests (engine/saves/digest.py) leave out every character and counter a run
has not changed, so adding one to the story leaves old saves' digests valid. Saves of
format 1 are migrated on reading and checked with the scheme they were written with.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import load_story
from engine.replay import replay_save
from engine.runtime.canon import canon_path
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.runtime.state import GameState, state_digest
from engine.saves.files import write_save
from engine.saves.format import SaveFile, dump_save, make_save
from engine.saves.parse import parse_save

FIXTURES = Path(__file__).parent / "fixtures"
RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]
SEED = 7
NOW = "2024-05-01T12:00:00Z"


@pytest.fixture
def story_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "saves_story", tmp_path / "story"))


def play(story: Story, choices: list[str], seed: int = SEED) -> list[GameState]:
    states = [initial_state(story, seed)]
    for choice in choices:
        states.append(step(story, states[-1], choice)[0])
    return states


def add_to_manifest(story_dir: Path, old: str, new: str) -> None:
    manifest = story_dir / "story.yaml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))


def digest_warnings(save: SaveFile, story: Story) -> list[str]:
    return [w for w in replay_save(story, save).warnings if "differs from the saved" in w]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("counters:\n", "counters:\n  courage: {start: 2}\n"),
        ("cast:\n", "cast:\n  cheol-su: {name: Cheol-su, role: student}\n"),
        ("items:\n", "items:\n  rope: {name: Rope}\n"),
        ("flags:\n", "flags:\n  alarm: The alarm rang.\n"),
    ],
    ids=["counter", "character", "item", "flag"],
)
def test_adding_to_the_story_keeps_old_saves_digests_valid(
    story_dir: Path, old: str, new: str
) -> None:
    save = make_save(load_story(story_dir), SEED, play(load_story(story_dir), RUN), "run", now=NOW)
    add_to_manifest(story_dir, old, new)
    edited = load_story(story_dir)
    result = replay_save(edited, save)
    assert result.divergence is None
    assert digest_warnings(save, edited) == []
    assert result.first_differing_step is None


def format_1_text(story: Story, states: list[GameState]) -> str:
    """The save as the format-1 writer wrote it: scheme-1 digests, no branch list."""
    save = make_save(story, SEED, states, "run", now=NOW)
    text = dump_save(save).replace("format: 2\n", "format: 1\n")
    text = text.replace("branches: []\ndigest_scheme: 2\n", "")
    for saved, state in zip(save.steps, states[1:], strict=True):
        text = text.replace(saved.digest, state_digest(story, state), 1)
    return text


def test_a_format_1_save_loads_and_replays_with_its_own_digests(story_dir: Path) -> None:
    story = load_story(story_dir)
    text = format_1_text(story, play(story, RUN))
    assert "format: 1\n" in text and "digest_scheme" not in text
    old = parse_save(text, "old.yaml")
    assert (old.format, old.digest_scheme, old.branches) == (2, 1, ())
    result = replay_save(story, old)
    assert result.divergence is None and result.warnings == []


def test_a_save_records_the_branch_files_it_was_played_with(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(FIXTURES / "example", tmp_path / "story"))
    story = load_story(folder)
    assert story.branch_files == ("branches/extra.yaml",)
    save = make_save(story, 0, [initial_state(story, 0)], None, now=NOW)
    assert save.branches == ("branches/extra.yaml",)
    assert 'branches: ["branches/extra.yaml"]\n' in dump_save(save)
    assert parse_save(dump_save(save), "x.yaml").branches == ("branches/extra.yaml",)


def _branch_run(story: Story) -> list[GameState]:
    """The canon path up to node two.start, then the branch's added choice there."""
    states = canon_path(story)
    states = states[: [s.node for s in states].index("two.start") + 1]
    return [*states, step(story, states[-1], "stairs")[0]]


def test_replay_says_clearly_when_a_branch_file_is_missing(tmp_path: Path, run_cli: Any) -> None:
    folder = Path(shutil.copytree(FIXTURES / "example", tmp_path / "story"))
    story = load_story(folder)
    save_path = tmp_path / "run.yaml"
    write_save(save_path, make_save(story, 0, _branch_run(story), None, now=NOW))
    (folder / "branches" / "extra.yaml").unlink()
    result = replay_save(load_story(folder), parse_save(save_path.read_text(), "run.yaml"))
    assert result.divergence is not None
    assert "branch file branches/extra.yaml, which is not loaded now" in result.divergence.reason
    assert any("played with the branch file branches/extra.yaml" in w for w in result.warnings)
    shown = run_cli("replay", str(save_path), "--story", str(folder), "--plain")
    assert shown.code == 1
    assert "branches/extra.yaml" in shown.err
