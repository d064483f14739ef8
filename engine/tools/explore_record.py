"""What a search over states keeps, and how its findings are built from it.

Owns: `SearchRecord`, the compact record of a breadth-first search (per state, by
number: its parent, the choice that reached it, its node, its depth and outcome; every
transition as two state numbers; the endings, softlocks and, in census mode, the final
rosters seen) and the
`ExploreResult` built from it. The single-process search (`engine.tools.explore`) and
the search on several processes (`engine.tools.explore_parallel`) fill the same record,
so their findings are built by the same code.

Compactness: per state 4 + 4 + 4 + 4 + 1 bytes in arrays; a witness is rebuilt on demand
by following parents. Choices are kept as their position at their node.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from engine.runtime.model import Node, Story
from engine.runtime.rules import step, survivors
from engine.runtime.state import GameState
from engine.tools.findings import (
    EndingReport,
    ExploreResult,
    FinalRoster,
    NeverAvailable,
    Softlock,
    Steps,
)

__all__ = [
    "ENDED",
    "STUCK",
    "RosterGroup",
    "SearchRecord",
    "completion",
    "final_roster_key",
    "never_available",
]

ENDED, STUCK = 1, 2
FinalKey = tuple[tuple[str, str], ...]


_PAIRS: dict[tuple[str, str], tuple[str, str]] = {}


def completion(stopped: str | None, pending: bool, interrupted: bool) -> tuple[str | None, bool]:
    """Why a search stopped ("interrupted" when asked so and work was left) and whether
    it is complete (it ran to its end with nothing left): both searches report this."""
    if interrupted and pending:
        stopped = "interrupted"
    return stopped, stopped is None and not pending


def never_available(
    story: Story, taken: set[tuple[str, str]], expanded: set[str]
) -> list[NeverAvailable]:
    """The choices no search step took, in story order, given the (node, choice) pairs
    taken and the nodes expanded (also the search by sets' list)."""
    return [
        NeverAvailable(
            node.id,
            choice.id,
            choice.condition.source if choice.condition else None,
            node.id in expanded,
        )
        for node in story.nodes.values()
        for choice in node.choices
        if (node.id, choice.id) not in taken
    ]


def final_roster_key(state: GameState) -> FinalKey:
    """A roster as the final-roster census counts it: (status, place) per character.
    Equal pairs are shared: tens of thousands of rosters then cost little."""
    pairs = _PAIRS
    return tuple(
        pairs.setdefault(pair, pair) for pair in ((c.status, c.place) for c in state.roster)
    )


@dataclass
class RosterGroup:
    survivors: int
    first: int
    states: int = 0
    endings: set[str] = field(default_factory=set)


class SearchRecord:
    """The record of a search over `story` from `start`; see the module docstring."""

    def __init__(
        self, story: Story, seed: int, start: GameState, merges: bool, census: bool = True
    ) -> None:
        """`census`: count the final rosters (the search then keeps every character)."""
        self.story = story
        self.seed = seed
        self.merges = merges
        self.census = census
        self.reads_turn = False
        self.node_ids: tuple[str, ...] = tuple(story.nodes)
        self.transitions = 0
        self.stopped: str | None = None
        self.pending = False  # some reached state is not expanded yet
        self._start = start
        self._parent = array("i")
        self._depth = array("i")
        self._choice = array("I")  # position of the choice at the parent's node
        self._node = array("i")
        self._outcome = bytearray()  # per state: 0 playing, ENDED at an ending, STUCK
        self._edge_from = array("i")  # every transition kept, as state numbers
        self._edge_to = array("i")
        self._taken: set[tuple[str, str]] = set()
        self._expanded_nodes: set[str] = set()
        self._endings: dict[str, list[int]] = {}  # ending id -> [first state, count]
        self._softlocks: dict[str, list[int]] = {}  # node id -> [first state, count]
        self._rosters: dict[FinalKey, RosterGroup] = {}

    @property
    def states(self) -> int:
        return len(self._parent)

    def has_pending(self) -> bool:
        """Some reached state is not expanded yet."""
        return self.pending

    @staticmethod
    def count(table: dict[str, list[int]], name: str, index: int) -> None:
        entry = table.setdefault(name, [index, 0])
        entry[1] += 1

    def record_ending(self, index: int, state: GameState, node: Node) -> None:
        assert node.ending is not None
        self.record_final(index, node.ending.id, final_roster_key(state), survivors(state))

    def record_final(self, index: int, ending: str, roster: FinalKey, alive: int) -> None:
        """The state numbered `index` is at `ending` with this final roster."""
        self._outcome[index] = ENDED
        self.count(self._endings, ending, index)
        if not self.census:
            return
        group = self._rosters.get(roster)
        if group is None:
            group = self._rosters[roster] = RosterGroup(alive, index)
        group.states += 1
        group.endings.add(ending)

    def record_stuck(self, index: int, node: str) -> None:
        self._outcome[index] = STUCK
        self.count(self._softlocks, node, index)

    def witness(self, index: int) -> Steps:
        """The steps from the start to the state numbered `index` (a shortest path)."""
        steps: list[tuple[str, str]] = []
        nodes, ids = self.story.nodes, self.node_ids
        while self._parent[index] >= 0:
            parent = self._parent[index]
            node = nodes[ids[self._node[parent]]]
            steps.append((node.id, node.choices[self._choice[index]].id))
            index = parent
        return tuple(reversed(steps))

    def result(self, interrupted: bool = False) -> ExploreResult:
        """What was found so far; complete only when the search ran to the end."""
        stopped, complete = completion(self.stopped, self.has_pending(), interrupted)
        story = self.story
        return ExploreResult(
            story=story.id,
            seed=self.seed,
            states=self.states,
            transitions=self.transitions,
            complete=complete,
            stopped=stopped,
            reads_turn=self.reads_turn,
            merged=self.merges,
            endings=[self._ending_report(n) for n in story.endings()],
            softlocks=self._softlock_reports(complete),
            never_available=self._never_available(),
            unreached_nodes=[n for n in story.nodes if n not in self._expanded_nodes],
            final_rosters=self._final_rosters() if self.census else None,
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
        outcome, ids, nodes = self._outcome, self.node_ids, self._node
        for index in range(len(can_end)):
            if not can_end[index] and outcome[index] != STUCK:
                self.count(traps, ids[nodes[index]], index)
        found += [
            Softlock(node, "no way out", count, self.witness(first))
            for node, (first, count) in traps.items()
        ]
        return sorted(found, key=lambda s: len(s.witness))

    def _can_end(self) -> bytearray:
        """1 for every state from which some path reaches an ending."""
        can_end = self._outcome.translate(bytes(1 if b == ENDED else 0 for b in range(256)))
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
        return never_available(self.story, self._taken, self._expanded_nodes)

    def _final_rosters(self) -> list[FinalRoster]:
        rosters = [
            FinalRoster(roster, g.survivors, g.states, tuple(sorted(g.endings)), g.first)
            for roster, g in self._rosters.items()
        ]
        return sorted(rosters, key=lambda r: (-r.survivors, -r.states, r.endings))
