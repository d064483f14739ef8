"""`hyosan map`: the story graph as DOT and Mermaid, clusters, marks, paths, rendering."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import engine.cli.map as map_command
from engine.compiler.loader import load_story
from engine.runtime.canon import canon_steps
from engine.runtime.rules import replay_steps
from engine.saves.files import write_save
from engine.saves.format import make_save

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = FIXTURES / "example"
MAP = FIXTURES / "tools_map"

# Every line a Mermaid flowchart from `hyosan map` may hold.
_ID = r"[A-Za-z0-9_]+"
_LABEL = r'"[^"\n]*"'
_MERMAID_LINES = [
    re.compile(rf"^  subgraph ep\d+\[{_LABEL}\]$"),
    re.compile(r"^  end$"),
    re.compile(
        rf"^ {{2,4}}{_ID}(\[{_LABEL}\]|\{{\{{{_LABEL}\}}\}}|\(\[{_LABEL}\]\)|\(\({_LABEL}\)\))$"
    ),
    re.compile(rf"^  {_ID} -->(\|{_LABEL}\|)? {_ID}$"),
    re.compile(rf"^  classDef {_ID} [a-z\-]+:[^ ]+( [^ ]+)*$"),
    re.compile(rf"^  class {_ID}(,{_ID})* {_ID}$"),
    re.compile(r"^  linkStyle \d+(,\d+)* [a-z\-]+:.+$"),
]


def test_dot_clusters_nodes_by_episode(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--format", "dot").out
    assert out.startswith("digraph story {")
    for number in (1, 2, 5):
        assert f"subgraph cluster_ep{number} {{" in out
    assert 'label="Episode 1: Class <3> & \\"friends\\"";' in out
    cluster_1 = out.split("subgraph cluster_ep1 {")[1].split("}")[0]
    assert '"a-b" [' in cluster_1 and '"ep2.roof" [' not in cluster_1
    # shared.turned belongs to no episode: outside every cluster
    assert '\n  "shared.turned" [' in out


def test_dot_marks_turning_points_endings_and_unreachable_nodes(run_cli: Any) -> None:
    out = run_cli("map", str(MAP)).out
    start = next(line for line in out.splitlines() if line.strip().startswith('"ep1.start" ['))
    assert 'shape="hexagon"' in start
    assert 'TP-1: The \\"first\\" choice | or not' in start
    safe = next(line for line in out.splitlines() if line.strip().startswith('"ep2.safe" ['))
    assert 'fillcolor="#ffd54f"' in safe  # the show's ending is gold
    lost = next(line for line in out.splitlines() if line.strip().startswith('"ep2.lost" ['))
    assert 'fillcolor="#f6c1c1"' in lost
    attic = next(line for line in out.splitlines() if line.strip().startswith('"ep1.attic" ['))
    assert "(unreachable)" in attic and 'color="#d62728"' in attic


def test_canon_path_is_highlighted(run_cli: Any) -> None:
    story = load_story(MAP)
    assert canon_steps(story) == (("ep1.start", "stay"), ("a-b", "onward"), ("ep2.roof", "wave"))
    out = run_cli("map", str(MAP)).out
    assert '"ep1.start" -> "a-b" [label="stay", color="#1f5fbf", penwidth="3"];' in out
    assert '"ep1.start" -> "a_b" [label="run"];' in out
    assert '"a_b" -> "ep1.start" [label="back", style="dashed"];' in out


def test_run_path_is_highlighted_from_a_save(run_cli: Any, tmp_path: Path) -> None:
    story = load_story(MAP)
    steps = (("ep1.start", "run"), ("a_b", "end"))
    save = make_save(story, 0, replay_steps(story, 0, steps), "run")
    write_save(tmp_path / "run.yaml", save)
    result = run_cli("map", str(MAP), "--run", str(tmp_path / "run.yaml"))
    assert result.code == 0
    assert '"ep1.start" -> "a_b" [label="run", color="#2a9d3a", penwidth="3"];' in result.out
    assert '"a_b" -> "ep2.lost" [label="end", color="#2a9d3a", penwidth="3"];' in result.out
    mermaid = run_cli("map", str(MAP), "--run", str(tmp_path / "run.yaml"), "--format", "mermaid")
    assert "class n_ep1_start,n_a_b_2,n_ep2_lost run" in mermaid.out


def test_run_from_another_story_is_refused(run_cli: Any, tmp_path: Path) -> None:
    story = load_story(EXAMPLE)
    save = make_save(story, 0, replay_steps(story, 0, (("one.hall", "lab"),)), "x")
    write_save(tmp_path / "x.yaml", save)
    result = run_cli("map", str(MAP), "--run", str(tmp_path / "x.yaml"))
    assert result.code == 1
    assert 'this is a save of story "example", not "tools-map"' in result.err


def test_mermaid_is_valid_flowchart_syntax(run_cli: Any) -> None:
    for story in (MAP, EXAMPLE):
        out = run_cli("map", str(story), "--format", "mermaid").out
        lines = out.splitlines()
        assert lines[0] == "flowchart TD"
        for line in lines[1:]:
            assert any(p.match(line) for p in _MERMAID_LINES), line
        assert lines.count("  end") == sum(1 for x in lines if x.startswith("  subgraph "))


def test_mermaid_ids_are_sanitised_and_distinct(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--format", "mermaid").out
    assert '    n_a_b["a-b"]' in out
    assert '    n_a_b_2["a_b"]' in out
    assert '  n__resume(("$resume<br/>back to where play was going"))' in out
    assert '  n_ep1_start -->|"run"| n_a_b_2' in out


def test_mermaid_labels_are_quoted_and_escaped(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--format", "mermaid").out
    assert 'subgraph ep1["Episode 1: Class #lt;3#gt; #amp; #quot;friends#quot;"]' in out
    assert "TP-1: The #quot;first#quot; choice #124; or not" in out


def test_mermaid_marks_endings_and_unreachable_nodes(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--format", "mermaid").out
    assert "  class n_ep2_safe canonEnding" in out
    assert "  class n_ep2_lost,n_side_room ending" in out
    assert "  class n_ep1_attic unreachable" in out
    assert "  class n_ep1_start turningPoint" in out


def test_output_file_and_markdown_fence(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("map", str(EXAMPLE), "-o", str(tmp_path / "map.md"))
    assert result.code == 0
    text = (tmp_path / "map.md").read_text()
    assert text.startswith("```mermaid\nflowchart TD\n") and text.endswith("```\n")
    run_cli("map", str(EXAMPLE), "-o", str(tmp_path / "map.dot"))
    assert (tmp_path / "map.dot").read_text().startswith("digraph story {")


def test_svg_without_graphviz_says_what_to_do(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(map_command.shutil, "which", lambda name: None)
    result = run_cli("map", str(EXAMPLE), "--format", "svg")
    assert result.code == 1
    assert (
        "hyosan: error: Graphviz's dot is not installed; use --format dot and render "
        "elsewhere, or apt-get install graphviz" in result.err
    )


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("story", [MAP, EXAMPLE], ids=["tools_map", "example"])
def test_dot_output_parses_with_graphviz(run_cli: Any, story: Path) -> None:
    out = run_cli("map", str(story), "--format", "dot").out
    done = subprocess.run(["dot", "-Tcanon"], input=out.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_renders_through_graphviz(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("map", str(MAP), "-o", str(tmp_path / "map.svg"))
    assert result.code == 0
    assert "<svg" in (tmp_path / "map.svg").read_text()
