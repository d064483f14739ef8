"""`hyosan check --watch`'s checks: the weak-spot warnings after each edit are exactly
those of a fresh check, and are found again only when an edit can change them."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import edit, plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.compiler.incremental import Workspace
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


# --- any sequence of edits ---------------------------------------------------------------
# Edits to what the prose, the conditions, the effects and the declarations say (the
# property test of tests/test_incremental_check.py edits the graph and the files).


def _sub(path: Path, pattern: str, new: str) -> None:
    path.write_text(re.sub(pattern, new, path.read_text(), count=1))


def _condition(root: Path, k: int) -> None:
    _sub(root / "episodes/one.yaml", r"trust > \d+", f"trust > {k % 3}")


def _effect(root: Path, k: int) -> None:
    _sub(
        root / "episodes/one.yaml", r"\{add: \{trust: -?\d+\}\}", f"{{add: {{trust: {k % 3 - 1}}}}}"
    )


def _drop_effect(root: Path, k: int) -> None:
    _sub(root / "episodes/one.yaml", r", \{add: \{trust: -?\d+\}\}", "")


def _gate_effect(root: Path, k: int) -> None:
    path = root / "episodes/one.yaml"
    text = path.read_text()
    shut, bare = "Shut the gate., do: [{set: gate_shut}],", "Shut the gate.,"
    path.write_text(text.replace(shut, bare) if shut in text else text.replace(bare, shut))


def _template(root: Path, k: int) -> None:
    new = "text: Dawn comes." if k % 2 else 'text: "Dawn comes {trust}."'
    _sub(root / "episodes/two.yaml", r"text: \"?Dawn comes[^\n]*", new)


def _piece_condition(root: Path, k: int) -> None:
    flag = ["lamp_lit", "gate_shut", "lamp_lit"][k % 3]
    _sub(root / "episodes/two.yaml", r"- if: \w+\n", f"- if: {flag}\n")


def _counter_bounds(root: Path, k: int) -> None:
    new = f"trust: {{start: {k % 3}, min: 0, max: {5 + k % 2}}}"
    _sub(root / "story.yaml", r"trust: \{start: \d+, min: 0, max: \d+\}", new)


def _cast_name(root: Path, k: int) -> None:
    name = ["On-jo", "Onjo", "On-jo Nam"][k % 3]
    _sub(root / "story.yaml", r"on-jo: \{name: [^,]+,", f"on-jo: {{name: {name},")


def _item_condition(root: Path, k: int) -> None:
    _sub(
        root / "episodes/one.yaml",
        r"(not )?has\('lamp'\)",
        "has('lamp')" if k % 2 else "not has('lamp')",
    )


def _unless(root: Path, k: int) -> None:
    extra = ' unless: "trust > 3", disabled_text: Too trusting.,' if k % 2 else ""
    pattern = r"\{id: onward, text: Walk on\.,( unless: \"[^\"]*\", disabled_text: [^,]+,)?"
    _sub(root / "episodes/one.yaml", pattern, "{id: onward, text: Walk on.," + extra)


def _once(root: Path, k: int) -> None:
    extra = " once: true," if k % 2 else ""
    _sub(
        root / "episodes/one.yaml",
        r"\{id: back, text: Go back\.,( once: true,)?",
        "{id: back, text: Go back.," + extra,
    )


def _start(root: Path, k: int) -> None:
    _sub(
        root / "story.yaml",
        r"start: [\w.]+",
        f"start: {['one.gate', 'one.stalls', 'one.gaet'][k % 3]}",
    )


def _reorder(root: Path, k: int) -> None:
    path = root / "episodes/one.yaml"
    text = path.read_text()
    first, last = text.index("  one.gate:"), text.index("  one.alley:")
    path.write_text(text[:first] + text[last:] + text[first:last])


def _visits(root: Path, k: int) -> None:
    _sub(
        root / "episodes/two.yaml",
        r"visits\('one\.stalls'\) >= \d+",
        f"visits('one.stalls') >= {k % 3}",
    )


def _prose(root: Path, k: int) -> None:
    alley = ["A narrow alley.", "A very narrow alley.", "A dark alley."][k % 3]
    _sub(root / "episodes/one.yaml", r"A [a-z ]*alley\.", alley)


EDITS: list[Callable[[Path, int], None]] = [
    _condition,
    _effect,
    _drop_effect,
    _gate_effect,
    _template,
    _piece_condition,
    _counter_bounds,
    _cast_name,
    _item_condition,
    _unless,
    _once,
    _start,
    _reorder,
    _visits,
    _prose,
]


def _same_as_fresh(workspace: Workspace, checker: Rechecker, root: Path) -> None:
    story, diagnostics = workspace.check()
    fresh, expected = check_story(root)
    assert [d.render() for d in diagnostics] == [d.render() for d in expected]
    assert (story is None) == (fresh is None)
    if story is not None and fresh is not None:
        assert plain(story.nodes) == plain(fresh.nodes)
        assert story.fingerprint == fresh.fingerprint
    _story, again, warnings = checker.check()
    assert [d.render() for d in again] == [d.render() for d in expected]
    want = weak_spot_warnings(fresh) if fresh is not None else []
    assert [w.render() for w in warnings] == [w.render() for w in want]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 30)), min_size=1, max_size=8))
def test_any_sequence_of_edits_to_conditions_effects_and_declarations_checks_as_afresh(
    edits: list[tuple[Callable[[Path, int], None], int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "story"
        shutil.copytree(FIXTURE, root)
        workspace, checker = Workspace(root), Rechecker(root)
        _same_as_fresh(workspace, checker, root)
        for change, k in edits:
            change(root, k)
            _same_as_fresh(workspace, checker, root)
