"""The search by sets (`hyosan explore --symbolic`) finds what the state search finds.

It holds the reachable states as sets (decision diagrams) and steps a whole set at once
where its members agree on everything the step reads. Its findings must be the state
search's on every fixture story that search completes: the endings reached and the
length of their shortest witnesses, the softlocks of both kinds, the choices never
available, the nodes never reached, the depth. Its witnesses must replay.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.runtime.rules import replay_steps
from engine.tools.explore import Explorer
from engine.tools.findings import ExploreResult
from engine.tools.symbolic import SymbolicExplorer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MANY = FIXTURES / "explore_many_fates"
WIDE = FIXTURES / "explore_wide_counter"  # a counter wider than sets code: states only


def _complete_fixtures() -> list[Path]:
    """Fixture stories that load and that the state search explores completely."""
    found = []
    for path in sorted(FIXTURES.iterdir()):
        if not (path / "story.yaml").is_file() or path == WIDE:
            continue
        try:
            story = load_story(path)
        except Exception:  # a fixture of broken stories: nothing to explore
            continue
        explorer = Explorer(story, max_states=100_000)
        explorer.run()
        if explorer.result().complete:
            found.append(path)
    return found


def _findings(result: ExploreResult) -> dict[str, object]:
    return {
        "complete": result.complete,
        "endings": [(e.id, e.witness is not None, len(e.witness or ())) for e in result.endings],
        "softlocks": sorted((s.node, s.kind, len(s.witness)) for s in result.softlocks),
        "never_available": result.never_available,
        "unreached": result.unreached_nodes,
        "depth": result.max_depth,
    }


def _symbolic(path: Path) -> ExploreResult:
    explorer = SymbolicExplorer(load_story(path))
    explorer.run()
    return explorer.result()


COMPLETE = _complete_fixtures()


def test_the_equivalence_covers_the_stories_that_matter() -> None:
    names = {p.name for p in COMPLETE}
    assert {
        "explore_fates",
        "explore_survivors",
        "tools_softlock",
        "explore_many_fates",
        "explore_late_bite",
    } <= names


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.name)
def test_search_by_sets_finds_what_the_state_search_finds(path: Path) -> None:
    story = load_story(path)
    states = Explorer(story, max_states=100_000)
    states.run()
    by_sets = _symbolic(path)
    assert _findings(by_sets) == _findings(states.result())
    assert by_sets.symbolic and by_sets.final_rosters is None


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.name)
def test_witnesses_of_the_search_by_sets_replay(path: Path) -> None:
    story = load_story(path)
    result = _symbolic(path)
    for ending in result.endings:
        if ending.witness is not None:
            assert replay_steps(story, 0, ending.witness)[-1].node == ending.node
    for softlock in result.softlocks:
        assert replay_steps(story, 0, softlock.witness)[-1].node == softlock.node


def test_a_loop_with_no_way_out_is_found_by_the_search_by_sets() -> None:
    result = _symbolic(MANY)
    traps = {s.node for s in result.softlocks if s.kind == "no way out"}
    assert traps == {"pit", "ledge"}
    assert [c.choice for c in result.never_available] == ["up"]


def test_search_by_sets_finishes_where_the_bounded_state_search_stops() -> None:
    story = load_story(MANY)
    states = Explorer(story, max_states=20_000)
    states.run()
    assert not states.result().complete
    by_sets = _symbolic(MANY)
    assert by_sets.complete
    assert by_sets.transitions < 200  # a set of rosters is stepped once, not per roster
    assert {e.id for e in by_sets.endings if e.witness} == {"out", "over"}


def test_a_bite_on_one_way_in_is_not_carried_to_the_states_of_the_other_way() -> None:
    # The shed's set is first reached by the short way (Fin bitten), then by the long
    # way (Fin not): those must go on to the calm ending, not turn Fin by the clock.
    result = _symbolic(FIXTURES / "explore_late_bite")
    calm = next(e for e in result.endings if e.id == "calm")
    assert calm.witness == (
        ("gate", "long"),
        ("lane", "walk"),
        ("shed", "wait"),
        ("yard", "cross"),
    )


def test_characters_no_step_names_again_count_only_as_survivors_or_not() -> None:
    # Ara lost to the dark and Ara sent ahead are one state at the gate, which only
    # counts who is with the group: as many states as the state search keeps.
    story = load_story(FIXTURES / "explore_counted")
    states = Explorer(story)
    states.run()
    by_sets = SymbolicExplorer(story)
    by_sets.run()
    assert by_sets.states == states.result().states == 7
    gate = [g for g in by_sets.reached if g[0] == "gate"]
    assert sum(by_sets.reached_in(g) for g in gate) == 2  # Ara with the group, or not


def test_a_dimension_gets_more_variables_as_its_values_come() -> None:
    explorer = SymbolicExplorer(load_story(MANY))
    explorer.run()
    widened = {d for d, _name in explorer.widenings}
    assert widened, "the fixture's fates must need more than one variable"
    assert all(len(explorer.vars[d]) > 1 for d in widened)
    # the flags, with two values, never need a second variable
    assert all(len(explorer.vars[d]) == 1 for d in explorer.dims if d[0] == "f")


def test_survivor_count_splits_the_set_where_survivors_is_read() -> None:
    result = _symbolic(MANY)
    out = next(e for e in result.endings if e.id == "out")
    assert out.survivors == 10  # the shortest way out keeps exactly the ten it needs


def _hyosan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_explore_symbolic_from_the_command_line_reports_sets() -> None:
    done = _hyosan("explore", str(MANY), "--symbolic")
    assert done.returncode == 1, done.stderr  # the story has a trap: a softlock
    assert "searched as sets of states, --search sets" in done.stdout
    assert "pit: choices remain, but no path from here reaches an ending" in done.stdout
    assert "Traceback" not in done.stderr
    assert done.stderr == ""  # nothing from the diagram library either


def test_explore_symbolic_json_says_how_it_searched() -> None:
    done = _hyosan("explore", str(FIXTURES / "explore_fates"), "--symbolic", "--format", "json")
    report = json.loads(done.stdout)
    assert report["symbolic"] is True and report["complete"] is True
    assert report["final_rosters"] is None


def test_explore_symbolic_stops_at_the_bound_on_its_steps() -> None:
    # The rules lab takes far more steps than the bound: the search by sets stops at
    # the --max-states bound (on the steps it takes), as a story with no end would.
    done = _hyosan("explore", str(FIXTURES / "rules_lab"), "--symbolic", "--max-states", "5000")
    assert done.returncode == 1, done.stderr
    assert "INCOMPLETE: stopped at the --max-states bound" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize("extra", [["--exact"], ["--jobs", "2"]])
def test_explore_by_sets_refuses_what_it_cannot_do(extra: list[str]) -> None:
    done = _hyosan("explore", str(FIXTURES / "explore_fates"), "--search", "sets", *extra)
    assert done.returncode == 2, done.stdout
    assert f"--search sets cannot be combined with {extra[0]}" in done.stderr
    assert "Traceback" not in done.stderr


# --- the final-roster census by sets, and the search by sets as the default ---


def _census(result: ExploreResult) -> list[tuple[object, ...]]:
    assert result.final_rosters is not None
    return sorted((r.roster, r.survivors, r.states, r.endings) for r in result.final_rosters)


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.name)
def test_final_rosters_by_sets_are_the_state_search_census(path: Path) -> None:
    story = load_story(path)
    states = Explorer(story, max_states=100_000, rosters=True)
    states.run()
    if not states.result().complete:
        pytest.skip("the state search's census does not finish within its bound")
    by_sets = SymbolicExplorer(story, rosters=True)
    by_sets.run()
    result = by_sets.result()
    assert _census(result) == _census(states.result())
    assert result.roster_count == len(states.result().final_rosters or [])
    assert _findings(result) == _findings(states.result())


def test_the_census_counts_every_roster_and_lists_those_with_most_survivors() -> None:
    from engine.report.explore import explore_text
    from engine.tools.symbolic_rosters import census

    story = load_story(FIXTURES / "explore_fates")
    search = SymbolicExplorer(story, rosters=True)
    search.run()
    everyone = search.result().final_rosters or []
    assert len(everyone) > 3
    top = census(search, listed=2)
    assert top.distinct == len(everyone)
    most = sorted((r.survivors for r in everyone), reverse=True)
    assert sorted((r.survivors for r in top.listed), reverse=True) == most[:2]
    result = search.result()
    result.final_rosters, result.distinct_rosters = top.listed, top.distinct
    text = explore_text(story, result, 1.0, {}, 100, "")
    assert f"Final rosters: {len(everyone)} distinct (the 2 listed have the most survivors)" in text


def test_plain_explore_searches_by_sets_and_counts_rosters_there() -> None:
    done = _hyosan("explore", str(FIXTURES / "explore_fates"), "--rosters", "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert report["symbolic"] is True and report["complete"] is True
    assert report["final_roster_count"] == len(report["final_rosters"]) > 3
    states = _hyosan(
        "explore",
        str(FIXTURES / "explore_fates"),
        "--rosters",
        "--search",
        "states",
        "--format",
        "json",
    )
    assert json.loads(states.stdout)["final_rosters"] == report["final_rosters"]


@pytest.mark.parametrize("extra", [["--exact"], ["--jobs", "2"]])
def test_what_only_the_state_search_does_switches_to_it(extra: list[str]) -> None:
    done = _hyosan("explore", str(FIXTURES / "explore_fates"), *extra, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["symbolic"] is False


def test_a_value_too_wide_for_sets_falls_back_to_the_state_search() -> None:
    wide = WIDE
    done = _hyosan("explore", str(wide))
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout.splitlines()[0]
    assert "searched one state at a time: the counter 'steps' takes more than 63" in done.stderr
    refused = _hyosan("explore", str(wide), "--search", "sets")
    assert refused.returncode == 1
    assert "the search by sets stopped: the counter 'steps' takes more than 63" in refused.stderr
    assert "explore with --search states" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize("search", ["sets", "states"])
def test_the_memory_bound_stops_either_search_and_says_so(search: str) -> None:
    lab = str(FIXTURES / "explore_lab")
    done = _hyosan("explore", lab, "--search", search, "--max-memory", "1")
    assert done.returncode == 1, done.stderr
    assert "INCOMPLETE: stopped at the --max-memory bound" in done.stdout
    assert "The search stopped at the --max-memory bound" in done.stdout
    report = json.loads(
        _hyosan("explore", lab, "--search", search, "--max-memory", "1", "--format", "json").stdout
    )
    assert (report["complete"], report["stopped"]) == (False, "memory")
    assert _hyosan("explore", lab, "--search", search, "--max-memory", "0").returncode == 0


def test_a_memory_bound_that_is_not_a_number_is_a_usage_error() -> None:
    done = _hyosan("explore", str(FIXTURES / "explore_lab"), "--max-memory", "lots")
    assert done.returncode == 2
    assert "'lots' is not a whole number of MB" in done.stderr


def test_a_census_of_thousands_lists_the_rosters_with_most_survivors_as_states_do() -> None:
    story = load_story(MANY)
    states = Explorer(story, max_states=1_000_000, rosters=True)
    gc.disable()  # as the command does: a search of millions of tuples makes no cycles
    try:
        states.run()
    finally:
        gc.enable()
    everyone = states.result().final_rosters or []
    by_sets = SymbolicExplorer(story, rosters=True)
    by_sets.run()
    result = by_sets.result()
    listed = result.final_rosters or []
    assert result.roster_count == len(everyone) > len(listed) == 1000
    known = {r.roster: (r.survivors, r.states, r.endings) for r in everyone}
    assert all(known[r.roster] == (r.survivors, r.states, r.endings) for r in listed)
    fewest = min(r.survivors for r in listed)
    assert all(
        r.survivors <= fewest for r in everyone if r.roster not in {x.roster for x in listed}
    )
