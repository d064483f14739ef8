"""The explorer merges states that differ only in characters no later step reads.

By default (`Explorer(story)`, `hyosan explore`) a character's status and place leave
the state key wherever no later condition or effect reads them; the census
(`rosters=True`, `hyosan explore --rosters`) keeps every character and counts the final
rosters. Both must find the same endings, the same softlocks and the same completeness
on every fixture story, and the default search never needs more states.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, replay_steps, step
from engine.tools.explore import Explorer
from engine.tools.explore_key import StateKeys, bare
from engine.tools.findings import ExploreResult
from engine.tools.relevance import Relevance

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FATES = FIXTURES / "explore_fates"
SURVIVORS = FIXTURES / "explore_survivors"


def _explores_completely(path: Path) -> bool:
    """Fixture stories that load and whose census search completes within a bound."""
    if not (path / "story.yaml").is_file():
        return False
    try:
        story = load_story(path)
    except Exception:  # a fixture of broken stories: nothing to explore
        return False
    explorer = Explorer(story, max_states=50_000, rosters=True)
    explorer.run()
    return explorer.finished


COMPLETE = sorted(p.name for p in FIXTURES.iterdir() if _explores_completely(p))


def explored(story: Story, rosters: bool) -> tuple[Explorer, ExploreResult]:
    explorer = Explorer(story, rosters=rosters)
    explorer.run()
    return explorer, explorer.result()


def ends_at(story: Story, witness: Any) -> str | None:
    final = story.nodes[replay_steps(story, 0, witness)[-1].node]
    return final.ending.id if final.ending is not None else None


def states_per_node(explorer: Explorer) -> Counter[str]:
    return Counter(explorer.node_ids[n] for n in explorer._node)


def test_the_fixtures_compared_include_the_fates_story() -> None:
    assert {"explore_fates", "explore_survivors", "explore_lab"} <= set(COMPLETE)
    assert len(COMPLETE) >= 8


@pytest.mark.parametrize("name", COMPLETE)
def test_merging_characters_finds_what_the_census_finds(name: str) -> None:
    story = load_story(FIXTURES / name)
    _, merged = explored(story, rosters=False)
    _, census = explored(story, rosters=True)
    assert merged.complete and census.complete
    assert merged.states <= census.states
    reached = {e.id: e.witness is not None for e in merged.endings}
    assert reached == {e.id: e.witness is not None for e in census.endings}
    for ending in merged.endings:
        if ending.witness is not None:
            assert ends_at(story, ending.witness) == ending.id
    locks = {(s.node, s.kind) for s in merged.softlocks}
    assert locks == {(s.node, s.kind) for s in census.softlocks}
    assert merged.never_available == census.never_available
    assert merged.unreached_nodes == census.unreached_nodes
    assert merged.final_rosters is None and census.final_rosters is not None


@pytest.mark.parametrize("name", COMPLETE)
def test_states_the_key_merges_have_the_same_futures(name: str) -> None:
    # Every state the census reaches (every character kept) is keyed both ways; states
    # with the same merged key must offer the same choices, lead to states with the same
    # merged keys and end alike: then they have the same futures, step for step.
    story = load_story(FIXTURES / name)
    census = StateKeys(story, Relevance(story, census=True), merges=True)
    merged = StateKeys(story, Relevance(story), merges=True)
    seen, todo = set(), [bare(initial_state(story))]
    futures: dict[int, tuple[object, ...]] = {}
    while todo:
        state = todo.pop()
        if (key := census.key(state)) in seen:
            continue
        seen.add(key)
        node = story.nodes[state.node]
        ending = node.ending.id if node.ending is not None else None
        children = []
        for choice in [] if ending else available_choices(story, state):
            child = bare(step(story, state, choice.id)[0])
            children.append((choice.id, merged.key(child)))
            todo.append(child)
        future = (ending, tuple(children))
        assert futures.setdefault(merged.key(state), future) == future, state.node
    assert len(futures) <= len(seen)


def test_a_fate_only_text_reads_is_merged_away() -> None:
    story = load_story(FATES)
    merged, census = explored(story, False)[0], explored(story, True)[0]
    # Dae lives or dies at the crossing; afterwards only the hallway's text asks.
    assert states_per_node(census)["hallway"] == 2
    assert states_per_node(merged)["hallway"] == 1
    assert merged.states < census.states


def test_a_fate_a_later_condition_reads_is_kept_apart() -> None:
    story = load_story(FATES)
    merged = explored(story, False)[0]
    # Eun lives or dies on the stairs; the door's `if: alive('eun')` reads it.
    per_node = states_per_node(merged)
    assert per_node["landing"] == 2 and per_node["door"] == 2
    result = merged.result()
    assert {e.id for e in result.endings if e.witness is not None} == {"out", "caught"}


def test_fates_only_survivors_reads_merge_when_as_many_survive() -> None:
    story = load_story(SURVIVORS)
    merged, census = explored(story, False)[0], explored(story, True)[0]
    # At the gate: Dae lost, Eun lost (two survive: one state), both lost, nobody lost.
    assert states_per_node(census)["gate"] == 4
    assert states_per_node(merged)["gate"] == 3
    # In the hall, where Dae can still be killed, who was lost is kept.
    assert states_per_node(merged)["hall"] == states_per_node(census)["hall"] == 3
    reached = {e.id for e in merged.result().endings if e.witness is not None}
    assert reached == {"out", "over"}


def test_explore_says_final_rosters_were_not_counted_and_how_to_count_them(
    run_cli: Any,
) -> None:
    text = run_cli("explore", str(FATES))
    assert text.code == 0
    assert "Final rosters: not counted" in text.out and "--rosters" in text.out
    data = json.loads(run_cli("explore", str(FATES), "--format", "json").out)
    assert data["final_rosters"] is None
    assert "--rosters" in data["final_rosters_note"]


def test_explore_rosters_counts_the_final_rosters(run_cli: Any) -> None:
    data = json.loads(run_cli("explore", str(FATES), "--rosters", "--format", "json").out)
    assert data["final_rosters_note"] is None
    rosters = sorted((r["survivors"], sorted(r["roster"].items())) for r in data["final_rosters"])
    assert rosters == [
        (1, [("dae", "dead"), ("eun", "dead")]),
        (1, [("dae", "dead"), ("fin", "zombie, separated")]),
        (2, [("dae", "dead")]),
        (2, [("eun", "dead")]),
        (2, [("fin", "zombie, separated")]),
        (3, []),
    ]
    assert "Final rosters: 6 distinct" in run_cli("explore", str(FATES), "--rosters").out
