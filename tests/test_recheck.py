"""`hyosan check --watch`'s checks: the weak-spot warnings after each edit are exactly
those of a fresh check, and are found again only when an edit can change them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import edit

from engine.compiler.loader import check_story
from engine.tools.lint import weak_spot_warnings
from engine.tools.recheck import Rechecker

FIXTURE = Path(__file__).parent / "fixtures" / "incremental"


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HYOSAN_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "story"
    shutil.copytree(FIXTURE, target)
    return target


def _check(checker: Rechecker, root: Path) -> list[str]:
    """The rechecker's warnings, held to a fresh check's."""
    story, _diagnostics, warnings = checker.check()
    fresh, _ = check_story(root)
    expected = weak_spot_warnings(fresh) if fresh is not None else []
    assert [w.render() for w in warnings] == [w.render() for w in expected]
    assert (story is None) == (fresh is None)
    return [w.render() for w in warnings]


def test_a_prose_edit_keeps_the_weak_spots_without_finding_them_again(story: Path) -> None:
    checker = Rechecker(story)
    first = _check(checker, story)
    assert any("W103" in w and "gate_shut" in w for w in first)
    edit(story / "episodes/two.yaml", "text: Dawn comes.", "text: Dawn comes, grey.")
    assert _check(checker, story) == first
    assert checker.warnings_reused


def test_a_text_piece_that_reads_a_flag_clears_its_write_only_warning(story: Path) -> None:
    checker = Rechecker(story)
    assert any("gate_shut" in w for w in _check(checker, story))
    edit(
        story / "episodes/two.yaml",
        "      - if: lamp_lit\n",
        "      - if: gate_shut\n        text: The gate stands shut behind.\n      - if: lamp_lit\n",
    )
    assert not any("gate_shut" in w for w in _check(checker, story))
    assert not checker.warnings_reused


def test_a_text_that_starts_showing_a_counter_clears_its_write_only_warning(
    story: Path,
) -> None:
    one = story / "episodes/one.yaml"
    edit(one, ': trust {trust}."', '."')
    edit(one, 'if: "trust > 0", ', "")
    checker = Rechecker(story)
    assert any("W104" in w and '"trust"' in w for w in _check(checker, story))
    # Prose alone changes: the story's shape is the same, what its text reads is not.
    edit(one, 'counting them."', 'counting them, trust {trust}."')
    assert not any("W104" in w for w in _check(checker, story))
    assert not checker.warnings_reused
    assert checker.workspace.graph_checked is False  # the whole-story checks were replayed


def test_structural_edits_find_the_weak_spots_again_each_time(story: Path) -> None:
    checker = Rechecker(story)
    _check(checker, story)
    two = story / "episodes/two.yaml"
    edits = [
        ("goto: two.lost}", "goto: two.dawn}"),  # the graph changes
        ("text: Dawn comes.", "text: Dawn comes, grey."),  # prose again
        ("{id: hide, text: Hide., goto: two.dawn}", "{id: hide, text: Hide., goto: two.nowhere}"),
        ("goto: two.nowhere}", "goto: two.lost}"),  # fixed, and the graph changed back
    ]
    reused = []
    for old, new in edits:
        edit(two, old, new)
        _check(checker, story)
        reused.append(checker.warnings_reused)
    assert reused == [False, True, False, False]
