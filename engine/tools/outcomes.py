"""The explored state graph and, for every state, the outcomes still reachable from it.

Owns: `StateGraph` (an `Explorer` observer that keeps every transition with the choice
taken, the outcome of every ending state, the turnings seen, and a few sample states
per node) and `OutcomeWalk` (the graph's strongly connected components, sinks first,
each with the set of outcomes reachable from its states).

An **outcome** is a pair (ending id, final roster): the roster is each character's
(status, place) at the ending, as in `hyosan explore`'s final rosters. The sets are
computed backwards over the state graph: its strongly connected components (Tarjan's
algorithm, iterative) come out sinks first, so one pass gives every component the union
of its own outcomes and its successors' sets. A set is a Python int used as a bitset; a
set is dropped as soon as no component still to come needs it, so the whole bundled
story (1.6 million states, 160,000 outcomes) needs a few hundred MB beyond the
exploration. Outcomes are numbered from the last found to the first, so the small sets
deep in the graph stay small ints.

A state whose choices were not all followed (the exploration stopped at its bound) has
an unknown future: every state that can reach one is marked `truncated`, and its set is
only what the explored part shows.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.runtime.events import Event, Kind
from engine.runtime.model import Choice, Story
from engine.runtime.state import GameState

__all__ = ["CLOCK_MARK", "Component", "OutcomeWalk", "Roster", "StateGraph", "is_clock_turning"]

Roster = tuple[tuple[str, str], ...]
CLOCK_MARK = "(incubation ran out)"
"""How the log and the events mark a turning caused by the infection clock."""


def is_clock_turning(event: Event) -> bool:
    """True for a turning the infection clock caused (not a scripted `turn:`)."""
    return event.kind == Kind.TURNED and event.detail.endswith(CLOCK_MARK)


@dataclass
class StateGraph:
    """What an exploration saw, kept for the consequence analysis.

    Pass `observe` to `Explorer(..., observe=graph.observe)`. Choices are numbered
    story-wide (`choice_number`, `choices`); states by the explorer's numbers.
    `clock_sites` counts the turnings the clock caused, per (node, choice, character)
    of the step they happened in; `scripted_turnings` counts the others.
    """

    story: Story
    samples_per_node: int = 3
    choices: list[tuple[str, str]] = field(default_factory=list)
    choice_number: dict[tuple[str, str], int] = field(default_factory=dict)
    src: array[int] = field(default_factory=lambda: array("i"))
    dst: array[int] = field(default_factory=lambda: array("i"))
    via: array[int] = field(default_factory=lambda: array("i"))
    outcome_of: dict[int, int] = field(default_factory=dict)  # ending state -> outcome
    outcomes: dict[tuple[str, Roster], int] = field(default_factory=dict)
    samples: dict[str, list[GameState]] = field(default_factory=dict)
    clock_sites: dict[tuple[str, str, str], int] = field(default_factory=dict)
    scripted_turnings: int = 0
    states: int = 1  # the start state is number 0

    def __post_init__(self) -> None:
        for node in self.story.nodes.values():
            for choice in node.choices:
                self.choice_number[(node.id, choice.id)] = len(self.choices)
                self.choices.append((node.id, choice.id))

    def add_sample(self, state: GameState) -> None:
        """Keep `state` as a sample of its node (the first few found are kept)."""
        kept = self.samples.setdefault(state.node, [])
        if len(kept) < self.samples_per_node:
            kept.append(state)

    def observe(
        self, parent: int, child: int, choice: Choice, state: GameState, events: list[Event]
    ) -> None:
        """The `Explorer` observer: one transition."""
        self.src.append(parent)
        self.dst.append(child)
        self.via.append(self.choice_number[(choice.node, choice.id)])
        for event in events:
            if is_clock_turning(event):
                site = (choice.node, choice.id, event.subject)
                self.clock_sites[site] = self.clock_sites.get(site, 0) + 1
            elif event.kind == Kind.TURNED:
                self.scripted_turnings += 1
        if child != self.states:
            return  # a state seen before
        self.states += 1
        self.add_sample(state)
        ending = self.story.nodes[state.node].ending
        if ending is not None:
            roster = tuple((c.status.value, str(c.place)) for c in state.roster)
            key = (ending.id, roster)
            self.outcome_of[child] = self.outcomes.setdefault(key, len(self.outcomes))


class Component(NamedTuple):
    """One strongly connected component of the state graph, met sinks first."""

    number: int
    members: Sequence[int]
    outcomes: int  # bitset: every outcome reachable from its states
    truncated: bool  # some state it can reach was never fully expanded


class OutcomeWalk:
    """Every component of `graph` with its reachable outcomes, sinks first.

    While a component is being looked at (between two steps of `components()`), the sets
    of its successors are still kept: `outcomes_of(state)` and `truncated(state)` answer
    for its members and for every state one transition away. Sets no component still
    needs are dropped, so memory holds only the sets of the boundary being walked.
    Bit `outcome_bit(o)` of a set stands for the outcome numbered `o`.
    """

    def __init__(self, graph: StateGraph, unexpanded: Iterable[int]) -> None:
        self.graph = graph
        self.total = len(graph.outcomes)
        self.offsets = _offsets(graph.states, graph.src)
        self.comp, self.count = _components(graph.states, self.offsets, graph.dst)
        self._open = set(unexpanded)
        self._sets: dict[int, int] = {}
        self._cut: dict[int, bool] = {}

    def outcome_bit(self, outcome: int) -> int:
        return 1 << (self.total - 1 - outcome)

    def outcome_at(self, bit_index: int) -> int:
        """The outcome number a set's bit `bit_index` stands for."""
        return self.total - 1 - bit_index

    def outcomes_of(self, state: int) -> int:
        return self._sets[self.comp[state]]

    def truncated(self, state: int) -> bool:
        return self._cut[self.comp[state]]

    def components(self) -> Iterator[Component]:
        """Every component, sinks first: each one's successors come before it."""
        comp, offsets, dst = self.comp, self.offsets, self.graph.dst
        starts, members = _group(comp, self.count)
        last_use = array("i", range(self.count))
        for parent in range(self.graph.states):
            c = comp[parent]
            for j in range(offsets[parent], offsets[parent + 1]):
                d = comp[dst[j]]
                if c > last_use[d]:
                    last_use[d] = c
        release: dict[int, list[int]] = {}
        for c in range(self.count):
            if last_use[c] > c:
                release.setdefault(last_use[c], []).append(c)
        for c in range(self.count):
            group = members[starts[c] : starts[c + 1]]
            bits, cut = self._merge(c, group)
            self._sets[c], self._cut[c] = bits, cut
            yield Component(c, group, bits, cut)
            for done in (c, *release.pop(c, ())):
                if last_use[done] == c:
                    del self._sets[done], self._cut[done]

    def _merge(self, number: int, group: Sequence[int]) -> tuple[int, bool]:
        """The outcome set and the cut mark of a component whose successors are known."""
        comp, offsets, dst = self.comp, self.offsets, self.graph.dst
        outcome_of = self.graph.outcome_of
        after: set[int] = set()
        bits = 0
        cut = False
        for w in group:
            if w in outcome_of:  # an ending state (one bit, made when needed: it may be big)
                bits |= self.outcome_bit(outcome_of[w])
            cut = cut or w in self._open
            for j in range(offsets[w], offsets[w + 1]):
                c = comp[dst[j]]
                if c != number:
                    after.add(c)
        for c in after:
            bits |= self._sets[c]
            cut = cut or self._cut[c]
        return bits, cut


def _offsets(states: int, src: Sequence[int]) -> array[int]:
    """CSR offsets: the explorer expands states in order, so `src` never decreases."""
    offsets = array("i", [0]) * (states + 1)
    for parent in src:
        offsets[parent + 1] += 1
    for i in range(states):
        offsets[i + 1] += offsets[i]
    return offsets


def _group(comp: array[int], count: int) -> tuple[array[int], array[int]]:
    """The states of each component: members[starts[c]:starts[c + 1]]."""
    starts = array("i", [0]) * (count + 1)
    for c in comp:
        starts[c + 1] += 1
    for c in range(count):
        starts[c + 1] += starts[c]
    fill = array("i", starts)
    members = array("i", [0]) * len(comp)
    for state, c in enumerate(comp):
        members[fill[c]] = state
        fill[c] += 1
    return starts, members


def _components(n: int, offsets: array[int], dst: array[int]) -> tuple[array[int], int]:
    """Tarjan's strongly connected components, iteratively: each state's component,
    numbered in the order they complete (so every edge between two components goes
    from a higher number to a lower one), and how many there are."""
    index = array("i", [-1]) * n
    low = array("i", [0]) * n
    comp = array("i", [-1]) * n
    stack: list[int] = []
    counter = count = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        work = [[root, offsets[root]]]
        while work:
            frame = work[-1]
            v, i = frame
            if i < offsets[v + 1]:
                frame[1] = i + 1
                w = dst[i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    work.append([w, offsets[w]])
                elif comp[w] < 0 and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work and low[v] < low[work[-1][0]]:
                low[work[-1][0]] = low[v]
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    comp[w] = count
                    if w == v:
                        break
                count += 1
    return comp, count
