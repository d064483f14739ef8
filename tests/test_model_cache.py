"""The compiled-story cache: an unchanged story loads without being compiled again, and
the story it gives plays, renders and reports exactly as a fresh compilation."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from helpers import plain

from engine.compiler import modelcache
from engine.compiler.loader import check_story
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, render_text, step
from engine.runtime.state import state_digest

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "example"
LANG_LAB = FIXTURES / "lang_lab"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HYOSAN_CACHE", str(folder))
    return folder


def _walks(story: Story, runs: int = 30) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    """Seeded random runs: each step's state digest, node text and choices offered."""
    out = []
    for seed in range(runs):
        pick = random.Random(seed)
        state = initial_state(story, seed)
        seen = []
        for _ in range(200):
            node = story.nodes[state.node]
            offered = available_choices(story, state)
            seen.append(
                (
                    state_digest(story, state),
                    render_text(node, state),
                    tuple(c.text for c in offered),
                )
            )
            if is_ending(story, state) or not offered:
                break
            state, _ = step(story, state, pick.choice(offered).id)
        out.append(seen)
    return out


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(source, target)
    return target


@pytest.mark.parametrize("fixture", [EXAMPLE, LANG_LAB], ids=["example", "lang_lab"])
def test_a_story_from_the_compiled_cache_plays_exactly_as_a_fresh_one(
    fixture: Path, cache: Path, tmp_path: Path
) -> None:
    story_dir = _copy(fixture, tmp_path)
    fresh, fresh_diags = check_story(story_dir)
    assert fresh is not None
    assert modelcache.lookup(story_dir, ()) is not None, "the compiled story was stored"
    cached, cached_diags = check_story(story_dir)
    assert cached is not None and cached is not fresh
    assert [d.render() for d in cached_diags] == [d.render() for d in fresh_diags]
    assert cached.fingerprint == fresh.fingerprint
    assert _walks(cached) == _walks(fresh)


def test_an_edited_episode_file_is_compiled_again(cache: Path, tmp_path: Path) -> None:
    story_dir = _copy(EXAMPLE, tmp_path)
    before, _ = check_story(story_dir)
    assert before is not None
    episode = story_dir / "episodes" / "one.yaml"
    text = episode.read_text()
    assert "The hall is quiet." in text
    episode.write_text(text.replace("The hall is quiet.", "The hall is rewritten.", 1))
    after, _ = check_story(story_dir)
    assert after is not None
    assert after.fingerprint != before.fingerprint
    shown = render_text(after.nodes[after.start], initial_state(after, 0))
    assert "The hall is rewritten." in shown


def test_a_branch_file_dropped_into_branches_changes_the_story(cache: Path, tmp_path: Path) -> None:
    story_dir = _copy(EXAMPLE, tmp_path)
    shutil.rmtree(story_dir / "branches")
    before, _ = check_story(story_dir)
    assert before is not None and "extra" not in "".join(before.branch_files)
    shutil.copytree(EXAMPLE / "branches", story_dir / "branches")  # the folder is new
    after, _ = check_story(story_dir)
    assert after is not None
    assert after.branch_files == ("branches/extra.yaml",)
    (story_dir / "branches" / "extra.yaml").unlink()  # the folder stays, emptied
    again, _ = check_story(story_dir)
    assert again is not None and again.branch_files == ()


def test_warnings_come_back_from_the_cache(cache: Path, tmp_path: Path) -> None:
    story_dir = _copy(EXAMPLE, tmp_path)
    episode = story_dir / "episodes" / "two.yaml"
    episode.write_text(
        episode.read_text().replace(
            "nodes:\n",
            "nodes:\n  two.lonely:\n    text: Nobody comes here.\n"
            "    choices:\n      - {id: back, text: Back, goto: one.hall}\n",
            1,
        )
    )
    _, first = check_story(story_dir)
    assert any(d.code == "W101" for d in first)
    assert modelcache.lookup(story_dir, ()) is not None
    _, second = check_story(story_dir)
    assert [d.render() for d in second] == [d.render() for d in first]


def test_a_story_with_errors_is_never_cached(cache: Path, tmp_path: Path) -> None:
    story_dir = _copy(FIXTURES / "broken" / "E007-python-tag", tmp_path)
    story, diagnostics = check_story(story_dir)
    assert story is None and diagnostics
    assert modelcache.lookup(story_dir, ()) is None
    assert check_story(story_dir)[1] == diagnostics


def test_messages_name_files_from_where_the_command_runs(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story_dir = _copy(EXAMPLE, tmp_path)
    places = [(tmp_path, "story"), (story_dir / "episodes", "..")]
    for folder, root in places * 2:  # the second round comes from the cache
        monkeypatch.chdir(folder)
        story, _ = check_story(root)
        assert story is not None
        monkeypatch.setenv("HYOSAN_CACHE", "off")
        fresh, _ = check_story(root)
        monkeypatch.setenv("HYOSAN_CACHE", str(cache))
        assert fresh is not None
        assert story.nodes[story.start].pos == fresh.nodes[fresh.start].pos


def test_a_damaged_compiled_entry_is_ignored(cache: Path, tmp_path: Path) -> None:
    story_dir = _copy(EXAMPLE, tmp_path)
    fresh, _ = check_story(story_dir)
    assert fresh is not None
    entries = list((cache / "models").iterdir())
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:100])
    again, _ = check_story(story_dir)
    assert again is not None and _walks(again, 5) == _walks(fresh, 5)


def test_no_compiled_story_is_stored_when_the_cache_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYOSAN_CACHE", "off")
    story_dir = _copy(EXAMPLE, tmp_path)
    assert check_story(story_dir)[0] is not None
    assert modelcache.lookup(story_dir, ()) is None


def test_an_editor_buffer_is_never_answered_from_the_cache(cache: Path, tmp_path: Path) -> None:
    story_dir = _copy(EXAMPLE, tmp_path)
    assert check_story(story_dir)[0] is not None
    episode = story_dir / "episodes" / "one.yaml"
    broken = episode.read_bytes().replace(b"goto: ", b"goto: nowhere-", 1)
    story, diagnostics = check_story(story_dir, overlay={os.path.realpath(episode): broken})
    assert story is None and any(d.code == "E030" for d in diagnostics)


def test_every_node_of_the_bundled_story_comes_back_from_the_cache_field_for_field(
    cache: Path, tmp_path: Path
) -> None:
    story_dir = _copy(Path(__file__).parent.parent / "story", tmp_path)
    fresh, _ = check_story(story_dir)
    cached, _ = check_story(story_dir)
    assert fresh is not None and cached is not None and cached is not fresh
    assert plain(cached.nodes) == plain(fresh.nodes)  # every choice, effect, position
    assert plain(cached.canon) == plain(fresh.canon)
    assert plain(cached.episodes) == plain(fresh.episodes)


def test_a_story_compiled_by_one_process_loads_from_the_cache_in_the_next(
    cache: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    story_dir = _copy(EXAMPLE, tmp_path)
    check_story(story_dir)  # stored by this process
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from engine.compiler import modelcache; "
            "print('hit' if modelcache.lookup(sys.argv[1], ()) else 'miss')",
            str(story_dir),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HYOSAN_CACHE": str(cache)},
    )
    assert found.stdout.strip() == "hit"
