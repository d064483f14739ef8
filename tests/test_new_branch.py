"""`hyosan new-branch`: a branch skeleton that passes `hyosan check` as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import check_story, load_story
from engine.compiler.schema import SCHEMA_PATH
from engine.tools.explore import Explorer

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """A copy of the example story to write branches into."""
    folder = tmp_path / "story"
    shutil.copytree(FIXTURES / "example", folder)
    return folder


def test_skeleton_passes_check_and_its_ending_is_reachable(run_cli: Any, story: Path) -> None:
    result = run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story))
    assert result.code == 0
    assert f"wrote {story / 'branches' / 'what-if.yaml'}" in result.out
    checked = run_cli("check", str(story))
    assert checked.code == 0
    assert "0 errors, " in checked.out
    explorer = Explorer(load_story(story))
    explorer.run()
    endings = {e.id: e.witness for e in explorer.result().endings}
    assert endings["what-if"] is not None
    assert ("two.roof", "what-if") in endings["what-if"]


def test_skeleton_has_the_branch_structure(run_cli: Any, story: Path) -> None:
    run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story))
    loaded = load_story(story)
    added = loaded.nodes["two.roof"].choice_map["what-if"]
    assert added.goto == "what-if.start"
    start = loaded.nodes["what-if.start"]
    assert start.episode == 2  # the episode of the node it starts from
    assert {c.goto for c in start.choices} == {"two.rescued", "what-if.end"}  # canon/first
    assert loaded.nodes["what-if.end"].ending is not None
    assert "what_if_taken" in loaded.flags


def test_first_line_points_editors_at_the_schema(run_cli: Any, story: Path) -> None:
    run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story))
    path = story / "branches" / "what-if.yaml"
    lines = path.read_text().splitlines()
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", lines[0])
    assert match is not None
    ref = match.group(1)
    target = Path(ref.removeprefix("file://")) if ref.startswith("file://") else path.parent / ref
    assert target.resolve() == SCHEMA_PATH
    assert "hyosan schema > story.schema.json" in lines[2]


def test_schema_reference_is_relative_inside_the_repository(run_cli: Any) -> None:
    from engine.cli.new_branch import schema_reference

    repo_story = SCHEMA_PATH.parent.parent.parent / "story" / "branches" / "x.yaml"
    assert schema_reference(repo_story) == "../../engine/data/story.schema.json"


def test_never_overwrites_a_file(run_cli: Any, story: Path) -> None:
    path = story / "branches" / "extra.yaml"
    before = path.read_text()
    result = run_cli("new-branch", "extra", "--at", "two.roof", "--story", str(story))
    assert result.code == 1
    assert "already exists; new-branch never overwrites a file" in result.err
    assert path.read_text() == before


def test_unknown_node_suggests_the_closest(run_cli: Any, story: Path) -> None:
    result = run_cli("new-branch", "x", "--at", "two.rof", "--story", str(story))
    assert result.code == 1
    assert 'there is no node "two.rof"' in result.err
    assert 'did you mean "two.roof"?' in result.err
    assert not (story / "branches" / "x.yaml").exists()


def test_an_ending_cannot_start_a_branch(run_cli: Any, story: Path) -> None:
    result = run_cli("new-branch", "x", "--at", "two.lost", "--story", str(story))
    assert result.code == 1
    assert '"two.lost" is an ending' in result.err


def test_a_bad_name_is_a_usage_error(run_cli: Any, story: Path) -> None:
    result = run_cli("new-branch", "../evil", "--at", "two.roof", "--story", str(story))
    assert result.code == 2
    assert "cannot be a branch name" in result.err


def test_out_elsewhere_needs_branch_flag_and_then_checks(
    run_cli: Any, story: Path, tmp_path: Path
) -> None:
    out = tmp_path / "drafts" / "side.yaml"
    result = run_cli(
        "new-branch", "side", "--at", "one.lab", "--story", str(story), "--out", str(out)
    )
    assert result.code == 0
    assert f"--branch {out}" in result.out
    assert check_story(story, [out])[0] is not None
    assert "side.start" not in load_story(story).nodes  # not loaded without --branch


def test_ids_that_are_taken_get_another_name(run_cli: Any, story: Path, tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    assert (
        run_cli(
            "new-branch", "stairs", "--at", "two.start", "--story", str(story), "--out", str(first)
        ).code
        == 0
    )
    # "stairs" is already a choice at two.start and an ending id, from the example's branch
    args = ["new-branch", "stairs", "--at", "two.start", "--story", str(story)]
    assert run_cli(*args, "--branch", str(first), "--out", str(second)).code == 0
    assert check_story(story, [first, second])[0] is not None


@pytest.mark.parametrize(
    "node",
    [
        "one.hall",
        "one.lab",
        "one.scratch",
        "one.isak_turns",
        "shared.turned",
        "two.start",
        "two.roof",
    ],
)
def test_a_skeleton_at_any_node_passes_check(
    run_cli: Any, story: Path, tmp_path: Path, node: str
) -> None:
    out = tmp_path / f"{node}.yaml"
    assert (
        run_cli("new-branch", "b", "--at", node, "--story", str(story), "--out", str(out)).code == 0
    )
    loaded, diagnostics = check_story(story, [out])
    assert loaded is not None, [d.render() for d in diagnostics]
    assert [d for d in diagnostics if d.pos.path.endswith(f"{node}.yaml")] == []


def test_schema_reference_is_relative_for_a_story_anywhere(run_cli: Any, story: Path) -> None:
    run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story))
    path = story / "branches" / "what-if.yaml"
    ref = path.read_text().splitlines()[0].split("$schema=")[1]
    assert not ref.startswith("file:") and not Path(ref).is_absolute()
    assert (path.parent / ref).resolve() == SCHEMA_PATH


def test_schema_reference_prefers_the_storys_own_copy(run_cli: Any, story: Path) -> None:
    (story / "story.schema.json").write_text("{}", encoding="utf-8")
    run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story))
    first = (story / "branches" / "what-if.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../story.schema.json"


def test_the_branch_flag_is_read_so_check_gives_no_weak_spot_for_it(
    run_cli: Any, story: Path
) -> None:
    run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story))
    checked = run_cli("check", str(story))
    assert checked.code == 0
    assert "what_if_taken" not in checked.out
