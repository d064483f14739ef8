"""`hyosan map`: the story graph as DOT, Mermaid and SVG: clusters, human titles, marks,
paths, a legend, the ledger's percentages on the edges, rendering with or without Graphviz."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import engine.cli.map as map_command
from engine.compiler.loader import load_story
from engine.export.graph import percent
from engine.runtime.canon import canon_steps
from engine.runtime.rules import replay_steps
from engine.saves.files import write_save
from engine.saves.format import make_save
from engine.tools.ledger import compute_ledger

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = FIXTURES / "example"
MAP = FIXTURES / "tools_map"
LEDGER = FIXTURES / "ledger_small"
NO_LEDGER = ("--ledger-runs", "0")
SVG = "{http://www.w3.org/2000/svg}"

# Every line a Mermaid flowchart from `hyosan map` may hold.
_ID = r"[A-Za-z0-9_]+"
_LABEL = r'"[^"\n]*"'
_MERMAID_LINES = [
    re.compile(rf"^  subgraph (ep\d+|legend)\[{_LABEL}\]$"),
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
    out = run_cli("map", str(MAP), "--format", "dot", *NO_LEDGER).out
    assert out.startswith("digraph story {")
    for number in (1, 2, 5):
        assert f"subgraph cluster_ep{number} {{" in out
    assert 'label="Episode 1: Class <3> & \\"friends\\"";' in out
    cluster_1 = out.split("subgraph cluster_ep1 {")[1].split("}")[0]
    assert '"a-b" [' in cluster_1 and '"ep2.roof" [' not in cluster_1
    # shared.turned belongs to no episode: outside every cluster
    assert '\n  "shared.turned" [' in out


def test_dot_marks_turning_points_endings_and_unreachable_nodes(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), *NO_LEDGER).out
    start = next(line for line in out.splitlines() if line.strip().startswith('"ep1.start" ['))
    assert 'shape="hexagon"' in start
    assert 'label="The \\"first\\" choice | or not\\nTP-1 · ep1.start"' in start
    safe = next(line for line in out.splitlines() if line.strip().startswith('"ep2.safe" ['))
    assert 'fillcolor="#ffd54f"' in safe  # the show's ending is gold
    lost = next(line for line in out.splitlines() if line.strip().startswith('"ep2.lost" ['))
    assert 'fillcolor="#f6c1c1"' in lost
    attic = next(line for line in out.splitlines() if line.strip().startswith('"ep1.attic" ['))
    assert "(unreachable)" in attic and 'color="#d62728"' in attic


def test_canon_path_is_highlighted(run_cli: Any) -> None:
    story = load_story(MAP)
    assert canon_steps(story) == (("ep1.start", "stay"), ("a-b", "onward"), ("ep2.roof", "wave"))
    out = run_cli("map", str(MAP), *NO_LEDGER).out
    assert (
        '"ep1.start" -> "a-b" [label="stay", color="#1f5fbf", penwidth="3", tooltip="Stay."];'
        in out
    )
    assert '"ep1.start" -> "a_b" [label="run", tooltip="Run."];' in out
    assert '"a_b" -> "ep1.start" [label="back", style="dashed", tooltip="Back."];' in out


def test_run_path_is_highlighted_from_a_save(run_cli: Any, tmp_path: Path) -> None:
    story = load_story(MAP)
    steps = (("ep1.start", "run"), ("a_b", "end"))
    save = make_save(story, 0, replay_steps(story, 0, steps), "run")
    write_save(tmp_path / "run.yaml", save)
    result = run_cli("map", str(MAP), "--run", str(tmp_path / "run.yaml"), *NO_LEDGER)
    assert result.code == 0
    green = 'color="#2a9d3a", penwidth="3"'
    assert f'"ep1.start" -> "a_b" [label="run", {green}, tooltip="Run."];' in result.out
    assert f'"a_b" -> "ep2.lost" [label="end", {green}, tooltip="End."];' in result.out
    mermaid = run_cli(
        "map", str(MAP), "--run", str(tmp_path / "run.yaml"), "--format", "mermaid", *NO_LEDGER
    )
    assert "class legend_run,n_ep1_start,n_a_b_2,n_ep2_lost run" in mermaid.out


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
    out = run_cli("map", str(MAP), "--format", "mermaid", *NO_LEDGER).out
    assert '    n_a_b["A corridor.<br/>a-b"]' in out
    assert '    n_a_b_2["Another corridor.<br/>a_b"]' in out
    assert '  n__resume(("$resume<br/>back to where play was going"))' in out
    assert '  n_ep1_start -->|"run"| n_a_b_2' in out


def test_mermaid_labels_are_quoted_and_escaped(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--format", "mermaid").out
    assert 'subgraph ep1["Episode 1: Class #lt;3#gt; #amp; #quot;friends#quot;"]' in out
    assert "The #quot;first#quot; choice #124; or not<br/>TP-1 · ep1.start" in out


def test_mermaid_marks_endings_and_unreachable_nodes(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--format", "mermaid").out
    assert "  class legend_canon_ending,n_ep2_safe canonEnding" in out
    assert "  class legend_ending,n_ep2_lost,n_side_room ending" in out
    assert "  class legend_unreachable,n_ep1_attic unreachable" in out
    assert "  class legend_turning_point,n_ep1_start turningPoint" in out


def test_output_file_and_markdown_fence(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("map", str(EXAMPLE), "-o", str(tmp_path / "map.md"))
    assert result.code == 0
    text = (tmp_path / "map.md").read_text()
    assert text.startswith("```mermaid\nflowchart TD\n") and text.endswith("```\n")
    run_cli("map", str(EXAMPLE), "-o", str(tmp_path / "map.dot"))
    assert (tmp_path / "map.dot").read_text().startswith("digraph story {")


def test_png_without_graphviz_says_what_to_do(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(map_command.shutil, "which", lambda name: None)
    result = run_cli("map", str(EXAMPLE), "-o", str(tmp_path / "map.png"), *NO_LEDGER)
    assert result.code == 1
    assert (
        "hyosan: error: Graphviz's dot is not installed; use --format svg (built in), or "
        "--format dot and render elsewhere, or apt-get install graphviz" in result.err
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


# --- human titles, legend, the ledger's percentages, SVG without Graphviz, --run SLOT ---


def _line_of(out: str, node: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(f'"{node}" ['))


def test_nodes_show_human_titles_with_the_id_second_and_as_tooltip(run_cli: Any) -> None:
    out = run_cli("map", str(LEDGER), *NO_LEDGER).out
    gate = _line_of(out, "one.gate")
    assert 'label="The gate\\nTP-1 · one.gate"' in gate and 'tooltip="one.gate"' in gate
    assert 'label="The hall is empty.\\none.hall"' in _line_of(out, "one.hall")
    assert 'label="The Cellar\\nEnding · two.cellar"' in _line_of(out, "two.cellar")


def test_a_long_scene_is_titled_by_its_first_words_past_a_heading_without_emphasis(
    run_cli: Any, tmp_path: Path
) -> None:
    story = tmp_path / "story"
    shutil.copytree(LEDGER, story)
    hall = story / "episodes" / "one.yaml"
    hall.write_text(
        hall.read_text().replace(
            "text: The hall is empty.",
            'text: "ELSEWHERE — THE HALL\\n\\nThe *hall* is empty, and the lights flicker."',
        )
    )
    out = run_cli("map", str(story), *NO_LEDGER).out
    assert 'label="The hall is empty, and the…\\none.hall"' in _line_of(out, "one.hall")


def test_dot_has_a_legend_of_what_the_map_holds(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), *NO_LEDGER).out
    legend = out.split("subgraph cluster_legend {")[1]
    for meaning in (
        "a turning point",
        "the canon's ending",
        "another ending",
        "a node no run can reach",
        "the path of the canon",
        "a choice with a condition",
    ):
        assert meaning in legend
    assert "--run" not in legend and "simulated players" not in legend  # not on this map


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_edges_carry_the_share_of_simulated_players(run_cli: Any, fmt: str) -> None:
    out = run_cli("map", str(LEDGER), "--format", fmt, "--ledger-runs", "300").out
    ledger = compute_ledger(load_story(LEDGER), 300)
    for node, choice in (("one.gate", "wait"), ("one.gate", "leave"), ("two.stairs", "reach")):
        share = ledger.share(node, choice)
        assert share is not None
        assert f"{choice} · {percent(share)}" in out
    assert "the share of simulated players who took the choice there" in out


def test_a_nodes_only_choice_carries_no_percentage(run_cli: Any) -> None:
    out = run_cli("map", str(MAP), "--ledger-runs", "100").out
    assert '"a-b" -> "ep2.roof" [label="onward", ' in out  # always 100%: left out
    assert re.search(r'"ep1.start" -> "a-b" \[label="stay · \d+%"', out)


def test_svg_is_drawn_without_graphviz(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(map_command.shutil, "which", lambda name: None)
    result = run_cli("map", str(LEDGER), "--format", "svg", "--ledger-runs", "200")
    assert result.code == 0
    assert "drawn with the built-in SVG writer" in result.err
    root = ET.fromstring(result.out)
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "The gate" in texts and "Legend" in texts
    assert any(t and t.startswith("wait · ") and t.endswith("%") for t in texts)
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert "one.gate" in tooltips and "Reach down for Ji-min." in tooltips
    written = run_cli("map", str(LEDGER), "-o", str(tmp_path / "map.svg"), *NO_LEDGER)
    assert written.code == 0
    assert ET.parse(tmp_path / "map.svg").getroot().tag == f"{SVG}svg"


def test_svg_through_the_shell_is_not_empty(tmp_path: Path) -> None:
    hyosan = Path(sys.executable).with_name("hyosan")
    target = tmp_path / "map.svg"
    done = subprocess.run(
        f"'{hyosan}' map '{LEDGER}' --format svg --ledger-runs 0 > '{target}'",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "<svg" in target.read_text()


def test_run_takes_a_slot_name(run_cli: Any, tmp_path: Path) -> None:
    story = load_story(MAP)
    steps = (("ep1.start", "run"), ("a_b", "end"))
    write_save(tmp_path / "mine.yaml", make_save(story, 0, replay_steps(story, 0, steps), "run"))
    result = run_cli("map", str(MAP), "--run", "mine", "--saves-dir", str(tmp_path), *NO_LEDGER)
    assert result.code == 0, result.err
    assert '"a_b" -> "ep2.lost" [label="end", color="#2a9d3a"' in result.out
    missing = run_cli("map", str(MAP), "--run", "nope", "--saves-dir", str(tmp_path), *NO_LEDGER)
    assert missing.code == 1 and "Traceback" not in missing.err
    assert "mine" in missing.err  # the slots that exist are named


def test_help_shows_examples(run_cli: Any) -> None:
    out = run_cli("map", "--help").out
    assert "examples:" in out
    assert "hyosan map --format svg > map.svg" in out
    assert "hyosan map --run autosave -o run.svg" in out
