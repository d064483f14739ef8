"""The compact explorer finds exactly what the plain search finds, on every fixture story.

The reference keeps every character (it counts final rosters), so it is compared with
the explorer's census mode (`rosters=True`); `tests/test_explore_fates.py` compares the
default mode, which merges characters no later step reads, with the census.

`Reference` below is the exploration as it was before the state key was packed: a
breadth-first search keyed by plain tuples (node, episode, resume, the whole roster,
the projected inventory, flags, counters and visited nodes, the generator, who just
turned, the turn when read, and any other field of the state), with its own parent
table. Every finding a user reads must be equal: states, transitions, endings with
their counts and witnesses, softlocks, choices never available, unreached nodes,
final rosters, and the same under a `--max-states` bound cut anywhere.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, step, survivors
from engine.runtime.state import GameState
from engine.tools.explore import Explorer
from engine.tools.explore_parallel import explore_parallel
from engine.tools.findings import ExploreResult
from engine.tools.relevance import Relevance

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STORIES = [
    "example",
    "tools_softlock",
    "tools_dead_choice",
    "tools_flag_ending",
    "tools_map",
    "explore_lab",
    "consequences_lab",
    "causes_flags",
    "play_basic",
    "explore_fates",
]
_HISTORY = ("log", "path")


class Reference:
    """The plain search: tuple keys, lists, no packing (see the module docstring)."""

    def __init__(self, story: Story, max_states: int | None = None) -> None:
        self.story, self.max_states = story, max_states
        self.relevance = Relevance(story)
        self.keys: dict[tuple[Any, ...], int] = {}
        self.parent: list[int] = []
        self.via: list[tuple[str, str]] = []
        self.node: list[str] = []
        self.depth: list[int] = []
        self.stopped: str | None = None
        self.transitions = 0
        self.edges: list[tuple[int, int]] = []
        self.outcome: list[str] = []
        self.expanded: set[str] = set()
        self.taken: set[tuple[str, str]] = set()
        self.endings: list[tuple[int, str, GameState]] = []
        self.frontier: deque[tuple[int, GameState]] = deque()
        self.add(self.bare(initial_state(story, 0)), -1, ("", ""))

    @staticmethod
    def bare(state: GameState) -> GameState:
        return state._replace(**dict.fromkeys(_HISTORY))

    def key(self, s: GameState) -> tuple[Any, ...]:
        keep = self.relevance.projection(s.node, s.resume)
        extra = tuple(v for f, v in zip(s._fields, s, strict=True) if f not in _KNOWN)
        return (
            s.node,
            s.episode,
            s.resume,
            s.roster,
            keep.items(s.inventory),
            s.flags & keep.flags,
            keep.counters(s.counters),
            s.visited & keep.visited,
            s.rng,
            s.just_turned,
            s.turn if self.relevance.reads_turn else 0,
            extra,
        )

    def add(self, state: GameState, parent: int, via: tuple[str, str]) -> int:
        key = self.key(state)
        if key in self.keys:
            return self.keys[key]
        if self.max_states is not None and len(self.keys) >= self.max_states:
            self.stopped = "bound"
            return -1
        index = self.keys[key] = len(self.parent)
        self.parent.append(parent)
        self.via.append(via)
        self.node.append(state.node)
        self.depth.append(self.depth[parent] + 1 if parent >= 0 else 0)
        self.outcome.append("")
        self.frontier.append((index, state))
        return index

    def run(self) -> None:
        while self.frontier and self.stopped is None:
            index, state = self.frontier[0]
            node = self.story.nodes[state.node]
            self.expanded.add(node.id)
            if node.ending is not None:
                self.outcome[index] = "ended"
                self.endings.append((index, node.ending.id, state))
            elif not (choices := available_choices(self.story, state)):
                self.outcome[index] = "stuck"
            else:
                for choice in choices:
                    self.taken.add((node.id, choice.id))
                    new, _events = step(self.story, state, choice.id)
                    self.transitions += 1
                    child = self.add(self.bare(new), index, (node.id, choice.id))
                    if child >= 0:
                        self.edges.append((index, child))
                if self.stopped:
                    break  # the state stays unexpanded
            self.frontier.popleft()

    def witness(self, index: int) -> tuple[tuple[str, str], ...]:
        steps = []
        while self.parent[index] >= 0:
            steps.append(self.via[index])
            index = self.parent[index]
        return tuple(reversed(steps))


def reference_findings(story: Story, max_states: int | None = None) -> dict[str, Any]:
    ref = Reference(story, max_states)
    ref.run()
    complete = not ref.frontier and ref.stopped is None
    can_end = {i for i, o in enumerate(ref.outcome) if o == "ended"}
    changed = True
    while changed:
        changed = False
        for parent, child in ref.edges:
            if child in can_end and parent not in can_end:
                can_end.add(parent)
                changed = True
    locks: dict[tuple[str, str], list[int]] = {}
    for index, outcome in enumerate(ref.outcome):
        if outcome == "stuck":
            locks.setdefault((ref.node[index], "no choice"), []).append(index)
        elif complete and index not in can_end:
            locks.setdefault((ref.node[index], "no way out"), []).append(index)
    endings: dict[str, list[int]] = {}
    rosters: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for index, ending, state in ref.endings:
        endings.setdefault(ending, []).append(index)
        roster = tuple((c.status, c.place) for c in state.roster)
        group = rosters.setdefault(roster, [survivors(state), 0, set(), index])
        group[1] += 1
        group[2].add(ending)
    return {
        "states": len(ref.parent),
        "transitions": ref.transitions,
        "complete": complete,
        "max_depth": max(ref.depth),
        "endings": {e: (len(ix), ref.witness(ix[0])) for e, ix in endings.items()},
        "softlocks": {k: (len(ix), ref.witness(ix[0])) for k, ix in locks.items()},
        "never_available": sorted(
            (n.id, c.id)
            for n in story.nodes.values()
            for c in n.choices
            if (n.id, c.id) not in ref.taken
        ),
        "unreached": sorted(set(story.nodes) - ref.expanded),
        "rosters": {
            r: (g[0], g[1], tuple(sorted(g[2])), ref.witness(g[3])) for r, g in rosters.items()
        },
    }


def findings(result: ExploreResult, witness: Any) -> dict[str, Any]:
    return {
        "states": result.states,
        "transitions": result.transitions,
        "complete": result.complete,
        "max_depth": result.max_depth,
        "endings": {e.id: (e.states, e.witness) for e in result.endings if e.witness is not None},
        "softlocks": {(s.node, s.kind): (s.states, s.witness) for s in result.softlocks},
        "never_available": sorted((n.node, n.choice) for n in result.never_available),
        "unreached": sorted(result.unreached_nodes),
        "rosters": {
            r.roster: (r.survivors, r.states, r.endings, witness(r.first_state))
            for r in result.final_rosters
        },
    }


_KNOWN = frozenset(
    {"node", "turn", "episode", "roster", "inventory", "flags", "counters", "visited", "rng"}
    | {"resume", "just_turned", *_HISTORY}
)


@pytest.mark.parametrize("name", STORIES)
def test_compact_explorer_finds_what_the_plain_search_finds(name: str) -> None:
    story = load_story(FIXTURES / name)
    explorer = Explorer(story, rosters=True)
    explorer.run()
    assert findings(explorer.result(), explorer.witness) == reference_findings(story)


BOUNDED = ["example", "explore_lab", "consequences_lab", "tools_flag_ending"]


@pytest.mark.parametrize("name", BOUNDED)
def test_a_bound_cuts_both_searches_at_the_same_state(name: str) -> None:
    story = load_story(FIXTURES / name)
    total = reference_findings(story)["states"]
    for bound in sorted({1, 2, 3, total // 3, total // 2, total - 1, total}):
        explorer = Explorer(story, max_states=max(bound, 1), rosters=True)
        explorer.run()
        got = findings(explorer.result(), explorer.witness)
        assert got == reference_findings(story, max(bound, 1)), bound


@pytest.mark.parametrize("rosters", [False, True])
@pytest.mark.parametrize("name", STORIES)
def test_the_search_on_two_processes_finds_exactly_the_same(name: str, rosters: bool) -> None:
    story = load_story(FIXTURES / name)
    explorer = Explorer(story, rosters=rosters)
    explorer.run()
    for jobs in (2, 3):
        found = explore_parallel(story, jobs=jobs, rosters=rosters).result()
        assert found == explorer.result(), jobs


@pytest.mark.parametrize("name", BOUNDED)
def test_a_bound_cuts_the_parallel_search_at_the_same_state(name: str) -> None:
    story = load_story(FIXTURES / name)
    total = reference_findings(story)["states"]
    for bound in sorted({1, 2, 3, total // 3, total // 2, total - 1, total, total + 1}):
        explorer = Explorer(story, max_states=max(bound, 1))
        explorer.run()
        search = explore_parallel(story, max_states=max(bound, 1), jobs=2)
        assert search.result() == explorer.result(), bound
