"""The parse cache makes loading faster and never different."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.compiler.loader import check_story
from engine.runtime.rules import initial_state
from engine.runtime.state import state_digest

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
    for entry in cache.rglob("*"):  # parsed files and compiled stories alike
        if entry.is_file():
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


def test_the_cache_forgets_the_least_recently_used_files_past_its_limit(tmp_path: Path) -> None:
    import os

    from engine.compiler.yamlcache import prune

    cache = tmp_path / "cache"
    cache.mkdir()
    for age in range(10):
        entry = cache / f"entry{age}"
        entry.write_bytes(b"x" * 1000)
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    prune(cache, limit=5000)
    left = sorted(p.name for p in cache.iterdir())
    assert sum((cache / name).stat().st_size for name in left) <= 5000
    assert "entry9" in left and "entry0" not in left  # the newest stay, the oldest go


def test_a_small_file_whose_aliases_expand_is_never_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("HYOSAN_CACHE", str(cache))
    lines = ["a: &a [" + ", ".join(["x"] * 50) + "]"]
    for level in range(1, 6):
        lines.append(
            f"l{level}: &l{level} ["
            + ", ".join(["*" + ("a" if level == 1 else f"l{level - 1}")] * 8)
            + "]"
        )
    story = tmp_path / "story"
    story.mkdir()
    (story / "story.yaml").write_text("\n".join(lines) + "\n")
    check_story(story)  # not a valid story; the file still parses
    assert not cache.exists() or not any(cache.iterdir())


def test_the_test_run_never_writes_to_the_user_cache_folder() -> None:
    import os
    import tempfile

    setting = os.environ.get("HYOSAN_CACHE", "")
    assert setting.startswith(tempfile.gettempdir()), setting


@pytest.mark.parametrize("damage", ["a string", (1, 2), (1, 2, 3, 4, "?"), 2.5])
def test_a_cache_entry_with_a_damaged_position_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    import marshal

    from engine.compiler.yamlcache import load_cached, store_cached
    from engine.compiler.yamlread import parse_text
    from engine.diagnostics import Diagnostics

    cache = tmp_path / "cache"
    monkeypatch.setenv("HYOSAN_CACHE", str(cache))
    data = b"a: 1\nb: [x, {c: 'y'}]\n"
    store_cached(data, parse_text(data.decode(), "x.yaml", Diagnostics()))
    assert load_cached(data, "x.yaml") is not None
    (entry,) = cache.iterdir()
    kind, line, col, entries = marshal.loads(entry.read_bytes())
    key, _, value = entries[0]
    entries[0] = (key, damage, value)
    entry.write_bytes(marshal.dumps((kind, line, col, entries)))
    assert load_cached(data, "x.yaml") is None
