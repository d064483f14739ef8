"""Exhaustive exploration: every distinct reachable state, with witnesses.

Owns: `Explorer` (a breadth-first search over every distinct reachable state, with a
shortest witness path to each ending and softlock) and its `ExploreResult`. Every
transition goes through `rules.step`, so the search sees exactly what a player would.
No printing, no clock, no file: it works from the compiled story; `engine.cli.explore`
runs it and `engine.report.explore` presents the results.

Two states are the same state when everything that can change what happens next is
equal: the node, the episode, each character's status, place, incubation left and hidden
bite, the inventory, flags, counters, visited nodes the story asks about, the generator,
the pending `$resume` target and who just turned. The turn number, the log and the path
are left out: they differ on every path and (unless a condition reads `turn`) never
change what is possible. The generator is part of the state because `chance` effects
depend on it; since every draw moves it by a fixed step, it only records how many draws
were made, so paths with as many draws merge.

Values no later condition can read are left out too (`engine.tools.relevance`): states
that differ only in them have the same futures. That is what makes the bundled story
(about 1.6 million states) finish; `Explorer(..., exact=True)` turns it off.

Other tools build on the search (`engine.tools.reach`, `engine.tools.consequences`): it
can start from any state (`start`), keep variables a question reads (`keep`), report
every transition to an `Observer`, and stop early (`run(until=...)`).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.runtime.conditions import Var
from engine.runtime.events import Event
from engine.runtime.model import Choice, Node, Story
from engine.runtime.rules import available_choices, initial_state, step, survivors
from engine.runtime.state import GameState
from engine.tools.findings import (
    EndingReport,
    ExploreResult,
    FinalRoster,
    NeverAvailable,
    Softlock,
    Steps,
)
from engine.tools.relevance import Projection, Relevance

__all__ = [
    "EndingReport",
    "ExploreResult",
    "Explorer",
    "FinalRoster",
    "NeverAvailable",
    "Observer",
    "Softlock",
    "Steps",
]

_Key = tuple[Any, ...]
_ENDED, _STUCK = 1, 2
Observer = Callable[[int, int, Choice, GameState, list[Event]], None]
"""Told of every transition kept: (from state, to state, choice, new state, events);
the new state carries no log or path."""


@dataclass
class _RosterGroup:
    survivors: int
    first: int
    states: int = 0
    endings: set[str] = field(default_factory=set)


class Explorer:
    """A breadth-first search over the reachable states of `story` from `seed`.

    Call `run()` (it can be interrupted with KeyboardInterrupt and resumed), then
    `result()`. States are stored as compact keys whose parts are interned, with a
    parent pointer each, so a shortest witness path is rebuilt on demand.
    """

    def __init__(
        self,
        story: Story,
        seed: int = 0,
        max_states: int | None = None,
        *,
        exact: bool = False,
        start: GameState | None = None,
        keep: frozenset[Var] = frozenset(),
        observe: Observer | None = None,
    ) -> None:
        """`start`: search from this state instead of the start of the story (witnesses
        are then paths from it); `keep`: variables never merged away (a question's
        reads); `observe`: called for every transition."""
        self.story = story
        self.seed = seed
        self.max_states = max_states
        self._relevance = Relevance(story, keep)
        self._observe = observe
        self.reads_turn = self._relevance.reads_turn
        self.merges = not exact
        self.transitions = 0
        self.stopped: str | None = None
        self._keys: dict[_Key, int] = {}
        # Per state, by number: how it was first reached (arrays keep a million states small).
        self._parent = array("i")
        self._depth = array("i")
        self._choice: list[str] = []
        self._node: list[str] = []
        self._ids: dict[Any, int] = {}
        self._last_roster: tuple[Any, ...] | None = None
        self._last_roster_id = 0
        self._projections: dict[tuple[str, str | None], Projection] = {}
        self._frontier: deque[tuple[int, GameState]] = deque()
        self._taken: set[tuple[str, str]] = set()
        self._expanded_nodes: set[str] = set()
        self._endings: dict[str, list[int]] = {}  # ending id -> [first state, count]
        self._softlocks: dict[str, list[int]] = {}  # node id -> [first state, count]
        self._outcome = bytearray()  # per state: 0 playing, _ENDED at an ending, _STUCK
        self._edge_from = array("i")  # every transition, as state numbers
        self._edge_to = array("i")
        self._rosters: dict[tuple[tuple[str, str], ...], _RosterGroup] = {}
        first = initial_state(story, seed) if start is None else start
        self._start = first._replace(log=None, path=None)
        self._add(self._start, -1, "", 0)

    @property
    def states(self) -> int:
        return len(self._keys)

    @property
    def frontier(self) -> int:
        return len(self._frontier)

    @property
    def finished(self) -> bool:
        """Every reachable state was expanded (the search is complete)."""
        return not self._frontier and self.stopped is None

    def number_of(self, state: GameState) -> int:
        """The number of `state` in the search (-1 when the search did not reach it)."""
        return self._keys.get(self._key(state), -1)

    def unexpanded(self) -> list[int]:
        """States whose choices were not all followed (when the bound stops the search)."""
        return [index for index, _state in self._frontier]

    def run(
        self,
        progress: Callable[[Explorer], None] | None = None,
        every: int = 4096,
        until: Callable[[], bool] | None = None,
    ) -> None:
        """Expand states until none is left, the bound is hit or `until()` says so (asked
        after every state); call `progress` now and then."""
        expanded = 0
        while self._frontier and self.stopped != "bound" and not (until and until()):
            index, state = self._frontier[0]
            self._expand(index, state)
            if self.stopped == "bound":
                break  # its choices were not all followed: it stays in the frontier
            self._frontier.popleft()
            expanded += 1
            if progress is not None and expanded % every == 0:
                progress(self)

    def _projection(self, node: str, resume: str | None) -> Projection:
        found = self._projections.get((node, resume))
        if found is None:
            found = self._relevance.projection(node, resume)
            self._projections[(node, resume)] = found
        return found

    def _key(self, s: GameState) -> _Key:
        # Parts become small ints, so the key hashes fast and equal parts are stored once.
        ids = self._ids
        if s.roster is not self._last_roster:
            roster = s.roster  # every part of a CharState can change what happens next
            self._last_roster, self._last_roster_id = roster, ids.setdefault(roster, len(ids))
        flags, counters, inventory, visited = s.flags, s.counters, s.inventory, s.visited
        if self.merges:
            keep = self._projection(s.node, s.resume)
            flags, visited = flags & keep.flags, visited & keep.visited
            counters, inventory = keep.counters(counters), keep.items(inventory)
        rest = (
            ids.setdefault(inventory, len(ids)),
            ids.setdefault(flags, len(ids)),
            ids.setdefault(counters, len(ids)),
            ids.setdefault(visited, len(ids)),
            s.rng,
            s.just_turned,
            s.turn if self.reads_turn else 0,
        )
        return (s.node, s.episode, s.resume, self._last_roster_id, ids.setdefault(rest, len(ids)))

    def _add(self, state: GameState, parent: int, choice: str, depth: int) -> int:
        """The number of `state` (new or seen before); -1 when the bound stops it."""
        key = self._key(state)
        index = self._keys.get(key, -1)
        if index >= 0:
            return index
        if self.max_states is not None and len(self._keys) >= self.max_states:
            self.stopped = "bound"
            return -1
        index = len(self._node)
        self._parent.append(parent)
        self._depth.append(depth)
        self._choice.append(choice)
        self._node.append(state.node)
        self._outcome.append(0)
        self._keys[key] = index
        self._frontier.append((index, state))
        return index

    def _expand(self, index: int, state: GameState) -> None:
        node = self.story.nodes[state.node]
        self._expanded_nodes.add(node.id)
        if node.ending is not None:
            self._outcome[index] = _ENDED
            self._record_ending(index, state, node)
            return
        choices = available_choices(self.story, state)
        if not choices:
            self._outcome[index] = _STUCK
            self._count(self._softlocks, node.id, index)
            return
        depth = self._depth[index] + 1
        for choice in choices:
            self._taken.add((node.id, choice.id))
            new_state, events = step(self.story, state, choice.id)
            self.transitions += 1
            bare = GameState._make((*new_state[:11], None, None))  # no log or path to keep
            child = self._add(bare, index, choice.id, depth)
            if child >= 0:
                self._edge_from.append(index)
                self._edge_to.append(child)
                if self._observe is not None:
                    self._observe(index, child, choice, bare, events)

    @staticmethod
    def _count(table: dict[str, list[int]], name: str, index: int) -> None:
        entry = table.setdefault(name, [index, 0])
        entry[1] += 1

    def _record_ending(self, index: int, state: GameState, node: Node) -> None:
        assert node.ending is not None
        self._count(self._endings, node.ending.id, index)
        roster = tuple((c.status, c.place) for c in state.roster)
        group = self._rosters.get(roster)
        if group is None:
            group = self._rosters[roster] = _RosterGroup(survivors(state), index)
        group.states += 1
        group.endings.add(node.ending.id)

    def witness(self, index: int) -> Steps:
        """The steps from the start to the state numbered `index` (a shortest path)."""
        steps: list[tuple[str, str]] = []
        while self._parent[index] >= 0:
            parent = self._parent[index]
            steps.append((self._node[parent], self._choice[index]))
            index = parent
        return tuple(reversed(steps))

    def result(self, interrupted: bool = False) -> ExploreResult:
        """What was found so far; complete only when the search ran to the end."""
        stopped = "interrupted" if interrupted and self._frontier else self.stopped
        story = self.story
        return ExploreResult(
            story=story.id,
            seed=self.seed,
            states=self.states,
            transitions=self.transitions,
            complete=stopped is None and not self._frontier,
            stopped=stopped,
            reads_turn=self.reads_turn,
            merged=self.merges,
            endings=[self._ending_report(n) for n in story.endings()],
            softlocks=self._softlock_reports(stopped is None and not self._frontier),
            never_available=self._never_available(),
            unreached_nodes=[n for n in story.nodes if n not in self._expanded_nodes],
            final_rosters=self._final_rosters(),
            max_depth=max(self._depth, default=0),
        )

    def _softlock_reports(self, complete: bool) -> list[Softlock]:
        found = [
            Softlock(node, "no choice", count, self.witness(first))
            for node, (first, count) in self._softlocks.items()
        ]
        if not complete:  # a loop may yet have a way out among the states not seen
            return found
        traps: dict[str, list[int]] = {}
        can_end = self._can_end()
        for index, ok in enumerate(can_end):
            if not ok and self._outcome[index] != _STUCK:
                self._count(traps, self._node[index], index)
        found += [
            Softlock(node, "no way out", count, self.witness(first))
            for node, (first, count) in traps.items()
        ]
        return sorted(found, key=lambda s: len(s.witness))

    def _can_end(self) -> bytearray:
        """1 for every state from which some path reaches an ending."""
        can_end = bytearray(1 if outcome == _ENDED else 0 for outcome in self._outcome)
        changed = True
        while changed:  # most edges point to later states, so few passes are needed
            changed = False
            edges = zip(reversed(self._edge_from), reversed(self._edge_to), strict=True)
            for parent, child in edges:
                if can_end[child] and not can_end[parent]:
                    can_end[parent] = 1
                    changed = True
        return can_end

    def _ending_report(self, node: Node) -> EndingReport:
        assert node.ending is not None
        found = self._endings.get(node.ending.id)
        if found is None:
            return EndingReport(node.ending.id, node.id, node.ending.title, 0, None, None)
        witness = self.witness(found[0])
        final = self._start
        for _node, choice in witness:
            final = step(self.story, final, choice)[0]
        return EndingReport(
            node.ending.id, node.id, node.ending.title, found[1], witness, survivors(final)
        )

    def _never_available(self) -> list[NeverAvailable]:
        return [
            NeverAvailable(
                node.id,
                choice.id,
                choice.condition.source if choice.condition else None,
                node.id in self._expanded_nodes,
            )
            for node in self.story.nodes.values()
            for choice in node.choices
            if (node.id, choice.id) not in self._taken
        ]

    def _final_rosters(self) -> list[FinalRoster]:
        rosters = [
            FinalRoster(roster, g.survivors, g.states, tuple(sorted(g.endings)), g.first)
            for roster, g in self._rosters.items()
        ]
        return sorted(rosters, key=lambda r: (-r.survivors, -r.states, r.endings))
