"""`hyosan consequences`: every figure on a story where each finding is known
(tests/fixtures/consequences_lab/story.yaml lists them), the reports, the bundled story."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import load_story
from engine.runtime.conditions import constant
from engine.runtime.model import Choice, Story, frozen
from engine.runtime.rules import initial_state
from engine.tools.consequences import Consequences, analyse
from engine.tools.outcomes import OutcomeWalk, StateGraph
from engine.tools.reconverge import reconverges
from engine.tools.weak_spots import bite_sites, decision_nodes, single_option_chains, write_only

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LAB = FIXTURES / "consequences_lab"


@pytest.fixture(scope="module")
def lab() -> Story:
    return load_story(LAB)


@pytest.fixture(scope="module")
def found(lab: Story) -> Consequences:
    return analyse(lab)


def lab_json(run_cli: Callable[..., Any], *args: str) -> dict[str, Any]:
    result = run_cli("consequences", str(LAB), "--format", "json", *args)
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def test_write_only_flags_and_counters_are_those_no_condition_reads(lab: Story) -> None:
    found = {(w.kind, w.name): w.places for w in write_only(lab)}
    assert found == {
        ("flag", "noted"): ("lab.start:read_sign",),
        ("counter", "score"): ("lab.gate:knock",),
    }


def test_a_flag_read_only_by_a_text_piece_is_not_write_only(lab: Story) -> None:
    assert "seen_sign" not in {w.name for w in write_only(lab)}


def test_single_option_nodes_come_in_chains_longest_first(lab: Story) -> None:
    nodes = decision_nodes(lab)
    assert len(nodes) == 12  # every node but the two endings
    chains = single_option_chains(lab, nodes)
    assert chains[0] == ("lab.corridor", "lab.stairs", "lab.landing")
    assert sorted(chains[1:]) == [("lab.bite",), ("lab.left",), ("lab.right",)]


def test_options_that_meet_in_the_same_state_two_steps_on_are_cosmetic(lab: Story) -> None:
    at_hall = initial_state(lab)._replace(node="lab.hall")
    assert reconverges(lab, at_hall, 3) == "lab.gate"
    assert reconverges(lab, at_hall, 2) == "lab.gate"
    assert reconverges(lab, at_hall, 1) is None


def test_only_the_cosmetic_node_reconverges(found: Consequences) -> None:
    assert [r.node for r in found.reconvergence if r.cosmetic] == ["lab.hall"]
    assert len(found.reconvergence) == found.multi_option_nodes == 6
    assert {r.node for r in found.reconvergence} >= {"lab.gate", "lab.bridge", "lab.scratch"}


def test_a_shorter_window_finds_no_reconvergence(lab: Story) -> None:
    assert not [r for r in analyse(lab, steps=1).reconvergence if r.cosmetic]


def test_turning_point_alternatives_that_do_and_do_not_change_the_outcome(
    found: Consequences,
) -> None:
    verdicts = {(a.point, a.choice): a.verdict for a in found.canon_alternatives}
    assert verdicts == {("TP-gate", "knock"): "same", ("TP-bridge", "jump"): "changes"}
    jump = next(a for a in found.canon_alternatives if a.choice == "jump")
    assert jump.reach is not None and jump.canon_reach is not None
    assert jump.reach.endings == jump.canon_reach.endings == ("stay", "run")
    assert not jump.reach.truncated


def test_following_the_canon_after_an_alternative_shows_whether_it_ends_elsewhere(
    found: Consequences,
) -> None:
    differs = {a.choice: a.continuation_differs for a in found.canon_alternatives}
    assert differs == {"knock": False, "jump": True}


def test_alternatives_are_also_judged_in_every_explored_state(found: Consequences) -> None:
    tallies = {(t.point, t.choice): (t.changes, t.same, t.unknown) for t in found.tallies}
    assert tallies == {("TP-gate", "knock"): (0, 1, 0), ("TP-bridge", "jump"): (1, 0, 0)}


def test_bites_resolved_by_script_and_by_the_clock(found: Consequences) -> None:
    bites = {(b.place, b.who): b.clock_path for b in found.bites}
    assert bites == {("lab.bite (on entry)", "ana"): None, ("lab.scratch:tend", "bo"): ("lab.end",)}


def test_a_bite_killed_after_the_incubation_is_resolved_by_the_clock(lab: Story) -> None:
    # Ana's bite lasts 3 steps: the mercy one step later resolves it; with 1 step it cannot.
    short = dataclasses.replace(lab, incubation=1)
    [ana] = [b for b in bite_sites(short) if b.who == "ana"]
    assert ana.clock_path == ("lab.bite",)


def _with_a_way_never_open(story: Story) -> Story:
    """The lab with a choice at lab.bite that skips the mercy but is never available:
    the text alone says the clock may strike first; no run ever lets it."""
    node = story.nodes["lab.bite"]
    never = Choice("wait", "Wait.", constant(False, node.pos), (), "lab.scratch", node.id, node.pos)
    choices = (*node.choices, never)
    changed = dataclasses.replace(
        node, choices=choices, choice_map={c.id: c for c in choices}, unconditional=False
    )
    return dataclasses.replace(story, nodes=frozen({**story.nodes, node.id: changed}))


def test_a_complete_exploration_clears_bites_the_clock_never_resolves(lab: Story) -> None:
    story = _with_a_way_never_open(lab)
    [ana] = [b for b in bite_sites(story) if b.who == "ana"]
    assert ana.clock_path == ("lab.bite", "lab.scratch", "lab.end")
    assert not ana.scripted
    bites = {b.who: b for b in analyse(story).bites}
    assert bites["ana"].never_by_clock and bites["ana"].scripted
    assert not bites["bo"].scripted  # the clock does turn Bo
    bounded = {b.who: b for b in analyse(story, max_states=5).bites}
    assert not bounded["ana"].scripted  # an incomplete exploration proves nothing


def test_turnings_are_told_apart_by_cause(found: Consequences) -> None:
    assert (found.turnings_canon.clock, found.turnings_canon.scripted) == (1, 0)
    assert found.turnings_canon.sites == (("lab.end", "stay", "bo", 1),)
    assert found.turnings_explored.scripted == 1  # jumping turns Cy
    assert found.turnings_explored.clock == 4  # Bo, tended, at both endings, Cy turned or not


def test_the_menu_lists_the_canon_choice_first_at_one_of_two_declared_decisions(
    found: Consequences,
) -> None:
    order = found.canon_order
    assert order.places == (("lab.gate", "wait", 1, 2), ("lab.bridge", "cross", 2, 2))
    assert order.first == 1
    assert order.undeclared == 4  # lab.start, lab.hall, lab.scratch, lab.end


def test_the_canon_listed_first_figure_in_text_markdown_and_json(
    run_cli: Callable[..., Any],
) -> None:
    text = run_cli("consequences", str(LAB)).out
    assert "Canon choice listed first:" in text
    assert "1 of 2 decisions with a declared canon (50.0%); 4 without one" in text
    offenders = text.split("menu lists the canon choice first (the menu gives the canon away):")
    assert offenders[1].split("\n\n")[0].strip() == "lab.gate:wait: 1st of 2 options"
    markdown = run_cli("consequences", str(LAB), "--format", "markdown").out
    assert (
        "| Canon choice listed first | 1 of 2 decisions with a declared canon (50.0%); "
        "4 without one |" in markdown
    )
    assert "- `lab.gate:wait`: 1st of 2 options" in markdown
    data = lab_json(run_cli)
    assert data["summary"]["canon_listed_first"] == {
        "decisions": 2,
        "first": 1,
        "share": 0.5,
        "undeclared": 4,
    }
    assert data["canon_order"] == [
        {"node": "lab.gate", "canon": "wait", "position": 1, "options": 2},
        {"node": "lab.bridge", "canon": "cross", "position": 2, "options": 2},
    ]


def test_turnings_by_clock_and_by_script_in_the_json_report(run_cli: Callable[..., Any]) -> None:
    explored = lab_json(run_cli)["summary"]["turnings"]["explored"]
    assert (explored["clock"], explored["scripted"], explored["clock_share"]) == (4, 1, 0.8)


def test_each_choice_reach_counts_endings_and_final_rosters(found: Consequences) -> None:
    reach = {(r.node, r.choice): r.reach for r in found.reach}
    assert reach[("lab.end", "stay")].endings == ("stay",)
    assert reach[("lab.end", "run")].endings == ("run",)
    assert reach[("lab.start", "go")].rosters == 4  # Cy turned or not, Bo turned or not
    assert reach[("lab.bridge", "jump")].rosters == 2
    assert not any(r.truncated for r in reach.values())


def test_outcome_sets_cross_loops(lab: Story) -> None:
    graph = StateGraph(lab)
    graph.states = 5
    for src, dst in ((0, 1), (0, 4), (1, 2), (2, 1), (2, 3)):
        graph.src.append(src)
        graph.dst.append(dst)
        graph.via.append(0)
    graph.outcome_of.update({3: 0, 4: 1})
    graph.outcomes.update({("stay", ()): 0, ("run", ()): 1})
    walk = OutcomeWalk(graph, [])
    seen = {}
    for component in walk.components():
        for state in component.members:
            seen[state] = component.outcomes
    assert walk.comp[1] == walk.comp[2] != walk.comp[3]
    assert seen[1] == seen[2] == walk.outcome_bit(0)
    assert seen[0] == walk.outcome_bit(0) | walk.outcome_bit(1)


def test_a_bounded_exploration_says_what_it_does_not_know(run_cli: Callable[..., Any]) -> None:
    data = lab_json(run_cli, "--max-states", "8")
    assert data["exploration"]["complete"] is False
    assert data["summary"]["turning_point_alternatives"]["canon_path"]["unknown"] >= 1
    text = run_cli("consequences", str(LAB), "--max-states", "8").out
    assert "INCOMPLETE: stopped at the --max-states bound of 8" in text
    assert "Raise the bound for exact figures: hyosan consequences" in text


def test_the_json_report_holds_every_figure_and_its_offenders(
    run_cli: Callable[..., Any],
) -> None:
    data = lab_json(run_cli)
    summary = data["summary"]
    assert data["exploration"] == {
        "states": data["exploration"]["states"],
        "transitions": data["exploration"]["transitions"],
        "complete": True,
        "max_states": 200_000,
        "outcomes": 8,
    }
    assert (summary["decision_nodes"], summary["single_option_nodes"]) == (12, 6)
    assert summary["single_option_share"] == 0.5
    assert (summary["reconvergence_tested"], summary["reconverging_nodes"]) == (6, 1)
    assert summary["write_only"] == 2
    tps = summary["turning_point_alternatives"]
    assert tps["canon_path"] == {"changes": 1, "same": 1, "unknown": 0, "share": 0.5}
    assert tps["explored"]["share"] == 0.5
    assert tps["canon_continuation"] == {"differs": 1, "alternatives": 2, "share": 0.5}
    assert summary["turnings"]["canon_path"]["clock_share"] == 1.0
    assert summary["bites"] == {"sites": 2, "scripted": 1, "share": 0.5}
    assert data["single_option_chains"][0] == ["lab.corridor", "lab.stairs", "lab.landing"]
    assert [r["node"] for r in data["reconvergence"] if r["cosmetic"]] == ["lab.hall"]
    assert {w["name"] for w in data["write_only"]} == {"noted", "score"}
    assert {a["choice"]: a["verdict"] for a in data["canon_alternatives"]} == {
        "knock": "same",
        "jump": "changes",
    }
    assert [b["clock_path"] for b in data["bites"] if not b["scripted"]] == [["lab.end"]]
    first = data["reach"][0]
    assert set(first) == {"node", "choice", "taken", "endings", "rosters", "truncated"}


def test_the_text_report_prints_the_summary_and_the_offenders(
    run_cli: Callable[..., Any],
) -> None:
    result = run_cli("consequences", str(LAB))
    assert result.code == 0
    out = result.out
    assert "Single-option decision nodes:" in out and "6 of 12 (50.0%)" in out
    assert "1 of 6 tested (16.7%)" in out
    assert "lab.hall: the options meet at lab.gate" in out
    assert "flag noted: written at lab.start:read_sign" in out
    assert "TP-gate at lab.gate (step 3): knock: the same outcomes as wait (canon)" in out
    assert "lab.scratch:tend: bo (incubation 1): the clock may strike first, along lab.end" in out
    assert "lab.end:run: 1 ending, 4 rosters" in out


def test_the_markdown_report_has_a_summary_table(run_cli: Callable[..., Any]) -> None:
    result = run_cli("consequences", str(LAB), "--format", "markdown", "--steps", "1")
    assert result.code == 0
    assert "| Single-option decision nodes | 6 of 12 (50.0%) |" in result.out
    assert "| Multi-option nodes reconverging (1 step) | 0 of 6 tested (0.0%) |" in result.out
    assert "| `lab.bridge` | `jump` | 2 | 2 |" in result.out


def test_the_bundled_story_runs_through_a_bounded_analysis(run_cli: Callable[..., Any]) -> None:
    result = run_cli("consequences", "--max-states", "20000", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["exploration"]["states"] == 20_000
    assert data["exploration"]["complete"] is False
    assert data["summary"]["decision_nodes"] > 200
    assert data["summary"]["turning_point_alternatives"]["canon_path"]["unknown"] > 0


def test_a_cure_on_every_path_resolves_a_bite_and_check_warns_w106(tmp_path: Path) -> None:
    from engine.tools.lint import weak_spot_warnings

    (tmp_path / "story.yaml").write_text(
        "id: cured\nstart: a\ncast:\n  bo: {name: Bo}\nepisodes: [one.yaml]\n", encoding="utf-8"
    )
    one = """episode: 1
nodes:
  a:
    text: Bo is bitten.
    do: [{bite: bo}]
    choices:
      - {id: cure, text: Use the serum., do: [{cure: bo}], goto: b}
      - {id: wait, text: Wait., goto: b}
  b:
    text: Later.
    choices:
      - {id: go_on, text: Go on., do: [{cure: bo}], goto: c}
  c:
    text: Later still.
    choices:
      - {id: go_on, text: Go on., goto: d}
  d:
    text: The door.
    choices:
      - {id: go_on, text: Go on., goto: end}
  end:
    text: The end.
    ending: {id: end, title: End}
"""
    (tmp_path / "one.yaml").write_text(one, encoding="utf-8")
    story = load_story(tmp_path)
    [bite] = bite_sites(story)
    assert bite.clock_path is None  # cured at once, or one step later within 3
    [warning] = [w for w in weak_spot_warnings(story) if w.code == "W106"]
    assert (warning.pos.line, warning.pos.col) == (5, 11)  # the bite: key
    assert 'the bite of "bo" at a (on entry) is always resolved by script' in warning.message
    (tmp_path / "one.yaml").write_text(one.replace("do: [{cure: bo}], goto: c", "goto: c"))
    [bite] = bite_sites(load_story(tmp_path))
    assert bite.clock_path == ("a", "b", "c")  # waiting, then going on: the clock decides
    assert not [w for w in weak_spot_warnings(load_story(tmp_path)) if w.code == "W106"]
