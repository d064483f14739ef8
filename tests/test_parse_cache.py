"""The parse cache makes loading faster and never different."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.compiler.loader import check_story
from engine.runtime.state import initial_state, state_digest

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
BROKEN_TAG = Path(__file__).parent / "fixtures" / "broken" / "E007-python-tag"


def _load(path: Path) -> tuple[str, list[str]]:
    story, diagnostics = check_story(path)
    digest = state_digest(story, initial_state(story, 1)) if story else ""
    return digest, [d.render() for d in diagnostics]


def test_a_story_loads_the_same_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYOSAN_CACHE", str(tmp_path / "cache"))
    first = _load(EXAMPLE)
    assert any((tmp_path / "cache").iterdir()), "the clean files were cached"
    assert _load(EXAMPLE) == first
    monkeypatch.setenv("HYOSAN_CACHE", "off")
    assert _load(EXAMPLE) == first


def test_a_damaged_cache_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("HYOSAN_CACHE", str(cache))
    first = _load(EXAMPLE)
    for entry in cache.iterdir():
        entry.write_bytes(b"\x00garbage")
    assert _load(EXAMPLE) == first


def test_files_with_problems_are_never_cached_so_problems_are_always_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYOSAN_CACHE", str(tmp_path / "cache"))
    story = tmp_path / "story"
    shutil.copytree(BROKEN_TAG, story)
    first = _load(story)
    assert any("E007" in d for d in first[1])
    assert _load(story) == first


def test_an_edited_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYOSAN_CACHE", str(tmp_path / "cache"))
    story = tmp_path / "story"
    shutil.copytree(EXAMPLE, story)
    _load(story)
    episode = story / "episodes" / "two.yaml"
    episode.write_text(episode.read_text().replace("goto: two.lost", "goto: two.lots"))
    _, diagnostics = _load(story)
    assert any("E030" in d and "two.lots" in d for d in diagnostics)
