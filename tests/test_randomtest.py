"""`hyosan randomtest`: seeded random playthroughs, coverage, survivor histogram, problems."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from engine.compiler.loader import load_story
from engine.tools.randomtest import random_playthroughs

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = FIXTURES / "example"


def randomtest_json(run_cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("randomtest", *args, "--format", "json")
    return result.code, json.loads(result.out)


def test_same_seed_gives_the_same_report(run_cli: Any) -> None:
    first = run_cli("randomtest", str(EXAMPLE), "-n", "50", "--seed", "7")
    second = run_cli("randomtest", str(EXAMPLE), "-n", "50", "--seed", "7")
    assert first.code == 0
    assert first.out == second.out


def test_every_run_ends_and_the_histogram_counts_every_run(run_cli: Any) -> None:
    code, out = randomtest_json(run_cli, str(EXAMPLE), "-n", "120", "--seed", "3")
    assert code == 0
    assert out["ok"] is True
    assert sum(out["survivors"].values()) == 120
    assert sum(out["endings"].values()) == 120


def test_least_used_mode_covers_every_choice_it_can_reach(run_cli: Any) -> None:
    code, out = randomtest_json(
        run_cli, str(EXAMPLE), "-n", "40", "--seed", "1", "--mode", "least-used"
    )
    assert code == 0
    assert out["coverage"]["endings"] == {"reached": 3, "total": 3, "never": []}
    # hide needs noise < 0, which never holds; the on_turn node is never routed to
    assert sorted(out["coverage"]["choices"]["never"]) == [
        "one.hall:hide",
        "shared.turned:drive-out",
        "shared.turned:put-down",
    ]
    assert out["coverage"]["nodes"]["never"] == ["shared.turned"]


def test_choice_no_run_can_take_shows_in_coverage(run_cli: Any) -> None:
    code, out = randomtest_json(run_cli, str(FIXTURES / "tools_dead_choice"), "-n", "10")
    assert code == 0
    assert out["coverage"]["choices"]["never"] == ["vault:open"]
    assert out["coverage"]["endings"]["never"] == ["rich"]


def test_a_run_stuck_in_a_loop_hits_the_step_limit(run_cli: Any) -> None:
    code, out = randomtest_json(
        run_cli, str(FIXTURES / "tools_softlock"), "-n", "30", "--max-steps", "40"
    )
    assert code == 1
    kinds = {p["kind"] for p in out["problems"]}
    assert kinds == {"step-limit"}
    problem = out["problems"][0]
    assert len(problem["steps"]) == 40
    assert problem["node"] == "cellar"


def test_problems_are_printed_with_the_runs_seed(run_cli: Any) -> None:
    result = run_cli(
        "randomtest", str(FIXTURES / "tools_softlock"), "-n", "30", "--max-steps", "40"
    )
    assert result.code == 1
    assert "step-limit at cellar: no ending after 40 steps" in result.err
    assert "(game seed" in result.err


def test_a_state_with_no_choice_is_a_softlock() -> None:
    story = load_story(FIXTURES / "tools_softlock")
    cellar = story.nodes["cellar"]
    kept = tuple(c for c in cellar.choices if c.condition is not None)
    nodes = {**story.nodes, "cellar": dataclasses.replace(cellar, choices=kept)}
    result = random_playthroughs(dataclasses.replace(story, nodes=nodes), 20, seed=0)
    assert result.problems
    assert {(p.kind, p.node) for p in result.problems} == {("softlock", "cellar")}


def test_a_bad_count_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("randomtest", str(EXAMPLE), "-n", "0")
    assert result.code == 2
    assert "must be 1 or more" in result.err


def test_text_report_shows_coverage_and_histogram(run_cli: Any) -> None:
    result = run_cli("randomtest", str(EXAMPLE), "-n", "30")
    assert result.code == 0
    assert "endings: 3/3 reached (100%)" in result.out
    assert "Survivors at the ending:" in result.out
    assert "No problems: every run reached an ending." in result.out
