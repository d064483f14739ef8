"""`hyosan explore`: every reachable state, endings with witnesses, softlocks, dead choices."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.tools.explore
from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import is_ending, replay_steps
from engine.tools.explore import Explorer
from engine.tools.randomtest import random_playthroughs

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = FIXTURES / "example"
SOFTLOCK = FIXTURES / "tools_softlock"
DEAD_CHOICE = FIXTURES / "tools_dead_choice"
FLAG_ENDING = FIXTURES / "tools_flag_ending"


def explore_json(run_cli: Callable[..., Any], *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("explore", *args, "--format", "json")
    return result.code, json.loads(result.out)


def steps_of(witness: list[dict[str, str]]) -> list[str]:
    return [f"{s['node']}:{s['choice']}" for s in witness]


def test_loop_with_no_way_out_is_a_softlock_with_the_path_into_it(run_cli: Any) -> None:
    code, out = explore_json(run_cli, str(SOFTLOCK))
    assert code == 1
    assert out["complete"] is True
    [lock] = out["softlocks"]
    assert lock["node"] == "cellar"
    assert lock["kind"] == "no way out"
    assert steps_of(lock["witness"]) == ["hall:go-on", "stairs:cellar"]


def test_softlock_is_printed_with_its_path(run_cli: Any) -> None:
    result = run_cli("explore", str(SOFTLOCK))
    assert result.code == 1
    assert "cellar: choices remain, but no path from here reaches an ending" in result.out
    assert "hall:go-on > stairs:cellar" in result.out


def _without_unconditional_choices(story: Story, node_id: str) -> Story:
    # `hyosan check` refuses such a node (E053), so build it in memory to test the search.
    node = story.nodes[node_id]
    kept = tuple(c for c in node.choices if c.condition is not None)
    nodes = dict(story.nodes)
    nodes[node_id] = dataclasses.replace(node, choices=kept, choice_map={c.id: c for c in kept})
    return dataclasses.replace(story, nodes=nodes)


def test_state_with_no_available_choice_is_a_softlock() -> None:
    story = _without_unconditional_choices(load_story(SOFTLOCK), "cellar")
    explorer = Explorer(story)
    explorer.run()
    result = explorer.result()
    [lock] = result.softlocks
    assert (lock.node, lock.kind) == ("cellar", "no choice")
    assert lock.witness == (("hall", "go-on"), ("stairs", "cellar"))


def test_choice_no_state_can_take_is_listed_with_its_condition(run_cli: Any) -> None:
    code, out = explore_json(run_cli, str(DEAD_CHOICE))
    assert code == 0  # nothing is stuck
    assert out["never_available"] == [
        {
            "node": "vault",
            "choice": "open",
            "condition": "knows_code and alarm < 3",
            "node_reached": True,
        }
    ]
    rich = next(e for e in out["endings"] if e["id"] == "rich")
    assert rich["reached"] is False
    assert rich["witness"] is None
    assert out["unreached_nodes"] == ["treasure"]


def test_strict_fails_on_a_dead_choice_or_unreached_ending(run_cli: Any) -> None:
    assert run_cli("explore", str(DEAD_CHOICE), "--strict").code == 1
    assert run_cli("explore", str(FLAG_ENDING), "--strict").code == 0


def test_ending_reachable_only_through_a_flag_gets_a_witness_that_sets_it(
    run_cli: Any,
) -> None:
    code, out = explore_json(run_cli, str(FLAG_ENDING))
    assert code == 0
    escaped = next(e for e in out["endings"] if e["id"] == "escaped")
    assert escaped["reached"] is True
    assert steps_of(escaped["witness"]) == ["yard:hut", "path:onward", "gate:unlock"]
    assert out["never_available"] == []


def test_final_rosters_tell_apart_who_survives(run_cli: Any) -> None:
    _, out = explore_json(run_cli, str(FLAG_ENDING), "--rosters")
    rosters = sorted((r["survivors"], r["roster"]) for r in out["final_rosters"])
    assert rosters == [(1, {"su-hyeok": "dead"}), (2, {})]


def test_every_ending_of_the_example_has_a_witness_save_that_replays(
    run_cli: Any, tmp_path: Path
) -> None:
    replay = pytest.importorskip("engine.replay")
    saves = pytest.importorskip("engine.saves.files")
    code, out = explore_json(run_cli, str(EXAMPLE), "--witnesses", str(tmp_path))
    assert code == 0
    story = load_story(EXAMPLE)
    assert {e["id"] for e in out["endings"] if e["reached"]} == {"rescued", "lost", "stairs"}
    for ending in out["endings"]:
        save = saves.read_save(Path(ending["save"]))
        result = replay.replay_save(story, save)
        assert result.is_exact, ending["id"]
        assert story.nodes[result.states[-1].node].ending.id == ending["id"]


def test_states_differing_only_in_turn_are_one_state() -> None:
    # The cellar can be groped around forever; without turn in the state, that is 1 state.
    explorer = Explorer(load_story(SOFTLOCK))
    explorer.run()
    assert explorer.result().complete
    assert explorer.states == 6


def test_unread_values_merge_states_without_changing_findings() -> None:
    story = load_story(FLAG_ENDING)
    merged, exact = Explorer(story, rosters=True), Explorer(story, exact=True)
    merged.run()
    exact.run()
    a, b = merged.result(), exact.result()
    assert a.merged and not b.merged
    assert merged.states < exact.states  # has_key no longer matters at the endings
    assert [(e.id, e.witness) for e in a.endings] == [(e.id, e.witness) for e in b.endings]
    assert sorted(r.roster for r in a.final_rosters) == sorted(r.roster for r in b.final_rosters)
    assert a.never_available == b.never_available


@pytest.mark.parametrize(
    "folder", [EXAMPLE, SOFTLOCK, DEAD_CHOICE, FLAG_ENDING, FIXTURES / "tools_map"], ids=str
)
def test_merged_and_exact_searches_find_the_same_things(folder: Path) -> None:
    story = load_story(folder)
    merged, exact = Explorer(story, rosters=True), Explorer(story, exact=True)
    merged.run()
    exact.run()
    a, b = merged.result(), exact.result()
    assert merged.states <= exact.states
    assert [(e.id, e.witness and len(e.witness)) for e in a.endings] == [
        (e.id, e.witness and len(e.witness)) for e in b.endings
    ]
    assert {(s.node, s.kind) for s in a.softlocks} == {(s.node, s.kind) for s in b.softlocks}
    assert a.never_available == b.never_available
    assert a.unreached_nodes == b.unreached_nodes
    assert {r.roster for r in a.final_rosters} == {r.roster for r in b.final_rosters}


def test_the_bound_stops_the_search_and_says_how_to_raise_it(run_cli: Any) -> None:
    result = run_cli("explore", str(EXAMPLE), "--max-states", "10", "--search", "states")
    assert result.code == 1
    assert "INCOMPLETE" in result.out
    assert f"hyosan explore {EXAMPLE} --search states --max-states 100" in result.out
    assert "Or search by sets, which has no bound on states: --search sets" in result.out
    code, out = explore_json(run_cli, str(EXAMPLE), "--max-states", "10", "--search", "states")
    assert (code, out["complete"], out["stopped"], out["states"]) == (1, False, "bound", 10)


def test_the_bound_stops_the_default_search_by_sets_after_that_many_steps(run_cli: Any) -> None:
    result = run_cli("explore", str(EXAMPLE), "--max-states", "10")
    assert result.code == 1
    assert "INCOMPLETE: stopped at the --max-states bound" in result.out
    assert "The search stopped after 10 steps" in result.out
    assert f"Raise the bound: hyosan explore {EXAMPLE} --max-states 100" in result.out
    code, out = explore_json(run_cli, str(EXAMPLE), "--max-states", "10")
    assert (code, out["complete"], out["stopped"], out["symbolic"]) == (1, False, "bound", True)


def test_ctrl_c_prints_what_was_found_so_far(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real_step, calls = engine.tools.explore.step, [0]

    def interrupted_step(*args: Any) -> Any:
        calls[0] += 1
        if calls[0] > 20:
            raise KeyboardInterrupt
        return real_step(*args)

    monkeypatch.setattr(engine.tools.explore, "step", interrupted_step)
    result = run_cli("explore", str(EXAMPLE), "--search", "states")
    assert result.code == 130
    assert "INCOMPLETE: interrupted" in result.out
    assert "Interrupted: the lists above hold what was found so far." in result.out


def test_explore_loads_branches_given_on_the_command_line(run_cli: Any, tmp_path: Path) -> None:
    branch = tmp_path / "exit.yaml"
    branch.write_text(
        "branch: exit\nnodes:\n  out2:\n    text: Out.\n    ending: {id: out2, title: Out}\n"
        "add_choices:\n  cellar:\n    - {id: dig, text: Dig., goto: out2}\n"
    )
    code, out = explore_json(run_cli, str(SOFTLOCK), "--branch", str(branch))
    assert code == 0
    assert out["softlocks"] == []


def test_a_story_with_errors_is_reported_not_explored(run_cli: Any) -> None:
    result = run_cli("explore", str(FIXTURES / "broken" / "E030-unknown-goto"))
    assert result.code == 1
    assert "E030" in result.err


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_runs_never_find_an_ending_exploration_missed(seed: int) -> None:
    story = load_story(EXAMPLE)
    explorer = Explorer(story, seed)
    explorer.run()
    found = {e.id for e in explorer.result().endings if e.witness is not None}
    runs = random_playthroughs(story, 1, seed)
    assert set(runs.endings) <= found
    for ending in explorer.result().endings:
        if ending.witness is not None:
            assert is_ending(story, replay_steps(story, seed, ending.witness)[-1])


def test_witnesses_into_a_file_is_refused_before_searching(run_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    result = run_cli("explore", str(EXAMPLE), "--witnesses", str(target))
    assert result.code == 1
    assert f"{target}: not a folder" in result.err
    assert result.out == ""


LAB = FIXTURES / "explore_lab"


def test_two_processes_report_exactly_what_one_process_reports(run_cli: Any) -> None:
    _, one = explore_json(run_cli, str(LAB), "--search", "states")
    _, two = explore_json(run_cli, str(LAB), "--jobs", "2")
    for report in (one, two):
        del report["seconds"], report["states_per_second"]
    assert one == two
    assert one["complete"] and one["states"] > 100


def test_the_time_limit_stops_the_search_and_says_so(run_cli: Any) -> None:
    for jobs in ("1", "2"):
        result = run_cli("explore", str(LAB), "--max-seconds", "0.000001", "--jobs", jobs)
        assert result.code == 1
        assert "INCOMPLETE: stopped at the --max-seconds limit" in result.out
        code, out = explore_json(run_cli, str(LAB), "--max-seconds", "0.000001", "--jobs", jobs)
        assert (code, out["complete"], out["stopped"]) == (1, False, "time")


def test_a_time_limit_that_is_not_a_number_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("explore", str(LAB), "--max-seconds", "soon")
    assert result.code == 2
    assert "'soon' is not a number of seconds" in result.err
    assert run_cli("explore", str(LAB), "--jobs", "-1").code == 2


def test_jobs_0_uses_one_process_per_core_and_finds_the_same(run_cli: Any) -> None:
    _, one = explore_json(run_cli, str(LAB), "--search", "states")
    _, each = explore_json(run_cli, str(LAB), "--jobs", "0")
    for report in (one, each):
        del report["seconds"], report["states_per_second"]
    assert one == each


def test_a_parallel_search_asked_to_stop_keeps_what_it_found() -> None:
    from engine.tools.explore_parallel import explore_parallel

    story = load_story(LAB)
    calls = [0]

    def after_three_levels() -> bool:
        calls[0] += 1
        return calls[0] > 3

    search = explore_parallel(story, jobs=2, until=after_three_levels)
    result = search.result()
    assert (result.complete, result.stopped) == (False, "interrupted")
    assert 1 < result.states < 150
    assert result.softlocks == []  # loops are only judged on a complete search


def test_progress_line_shows_the_rate_and_the_time_left_to_the_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import time

    from engine.cli._progress import Progress

    class Search:
        states, transitions, frontier = 500, 900, 10

    show = Progress(time.monotonic() - 2.0, max_states=1000, max_seconds=None)
    show(Search())
    err = capsys.readouterr().err
    assert "500 states, 900 transitions, 10 to expand" in err
    assert "250 states/s" in err or "249 states/s" in err
    assert "at most 2 s left" in err
    limited = Progress(time.monotonic() - 2.0, max_states=10**9, max_seconds=5.0)
    limited(Search())  # type: ignore[arg-type]
    assert "at most 3 s left" in capsys.readouterr().err
