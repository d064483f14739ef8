"""Per choice, the outcomes it still allows; per turning point, whether its alternatives
change them.

Owns: `judge`, one walk over the explored state graph (`engine.tools.outcomes`) that
gives every choice taken its **reach** (the endings and the distinct final rosters of
every outcome reachable just after taking it, in any explored state) and judges every
turning-point alternative met in an explored state.

**A turning-point alternative changes the ending or the final roster** at a state where
the turning point's canon choice is offered when the set of outcomes (ending id, final
roster) reachable after taking it differs from the set reachable after the canon choice
at the same state. It is **the same** when the two sets are equal (certainly so when
both choices lead to one state, or to states that can reach each other), and
**unknown** when the exploration stopped before one of the two futures was fully seen.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from typing import NamedTuple

from engine.runtime.model import Story
from engine.tools.outcomes import OutcomeWalk, StateGraph

__all__ = ["CHANGES", "SAME", "UNKNOWN", "Judged", "Reach", "Verdict", "judge"]

CHANGES, SAME, UNKNOWN = "changes", "same", "unknown"


class Reach(NamedTuple):
    """What is still possible after a choice: the ending ids and how many distinct
    final rosters (`truncated`: the exploration did not see all of it)."""

    endings: tuple[str, ...]
    rosters: int
    truncated: bool


class Verdict(NamedTuple):
    """One turning-point alternative judged at one state."""

    state: int
    choice: int  # the alternative's story-wide choice number
    verdict: str  # CHANGES, SAME or UNKNOWN
    reach: Reach
    canon: Reach


class Judged(NamedTuple):
    """`choices`: the reach of every choice taken (by choice number); `tallies`: per
    alternative's choice number, [changes, same, unknown] over every explored state;
    `watched`: the verdicts at the states asked for."""

    choices: dict[int, tuple[int, Reach]]  # choice number -> (times taken, reach)
    tallies: dict[int, list[int]]
    watched: list[Verdict]


class _Decoder:
    """Turns an outcome set into its endings and its number of distinct rosters."""

    def __init__(self, story: Story, graph: StateGraph, walk: OutcomeWalk) -> None:
        self.walk = walk
        count = len(graph.outcomes)
        self.ending = [""] * count
        self.roster = [0] * count
        rosters: dict[object, int] = {}
        for (ending, roster), number in graph.outcomes.items():
            self.ending[number] = ending
            self.roster[number] = rosters.setdefault(roster, len(rosters))
        order = [n.ending.id for n in story.endings() if n.ending is not None]
        self.order = {ending: i for i, ending in enumerate(order)}

    def reach(self, bits: int, truncated: bool) -> Reach:
        text = bin(bits)
        top = len(text) - 1
        endings: set[str] = set()
        rosters: set[int] = set()
        k = text.find("1", 2)
        while k >= 0:
            outcome = self.walk.outcome_at(top - k)
            endings.add(self.ending[outcome])
            rosters.add(self.roster[outcome])
            k = text.find("1", k + 1)
        ordered = tuple(sorted(endings, key=lambda e: self.order.get(e, len(self.order))))
        return Reach(ordered, len(rosters), truncated)


def _verdict(walk: OutcomeWalk, alternative: int, canon: int) -> str:
    if alternative == canon or walk.comp[alternative] == walk.comp[canon]:
        return SAME
    if walk.truncated(alternative) or walk.truncated(canon):
        return UNKNOWN
    return CHANGES if walk.outcomes_of(alternative) != walk.outcomes_of(canon) else SAME


class _Judge:
    def __init__(self, story: Story, graph: StateGraph, walk: OutcomeWalk) -> None:
        self.graph, self.walk = graph, walk
        self.decoder = _Decoder(story, graph, walk)
        count = len(graph.choices)
        self.union = [0] * count
        self.last: list[int | None] = [None] * count
        self.cut = bytearray(count)
        self.taken = array("i", [0]) * count
        self.canon: dict[str, int] = {}
        for node in story.turning_points():
            assert node.turning_point is not None
            number = graph.choice_number.get((node.id, node.turning_point.canon))
            if number is not None:
                self.canon[node.id] = number
        self.tallies: dict[int, list[int]] = {}
        self.watched: list[Verdict] = []

    def state(self, state: int, watched: bool) -> None:
        walk, via, dst = self.walk, self.graph.via, self.graph.dst
        low, high = walk.offsets[state], walk.offsets[state + 1]
        for j in range(low, high):
            number, bits = via[j], walk.outcomes_of(dst[j])
            self.taken[number] += 1
            if bits is not self.last[number]:
                self.union[number] |= bits
                self.last[number] = bits
            if not self.cut[number] and walk.truncated(dst[j]):
                self.cut[number] = 1
        if low < high:
            canon = self.canon.get(self.graph.choices[via[low]][0])
            if canon is not None:
                self.turning_point(state, range(low, high), canon, watched)

    def turning_point(self, state: int, edges: range, canon: int, watched: bool) -> None:
        via, dst, walk = self.graph.via, self.graph.dst, self.walk
        target = next((dst[j] for j in edges if via[j] == canon), None)
        if target is None:
            return  # the canon choice is not offered here: nothing to hold them to
        for j in edges:
            if via[j] == canon:
                continue
            verdict = _verdict(walk, dst[j], target)
            tally = self.tallies.setdefault(via[j], [0, 0, 0])
            tally[(CHANGES, SAME, UNKNOWN).index(verdict)] += 1
            if watched:
                decode = self.decoder.reach
                mine = decode(walk.outcomes_of(dst[j]), walk.truncated(dst[j]))
                theirs = decode(walk.outcomes_of(target), walk.truncated(target))
                self.watched.append(Verdict(state, via[j], verdict, mine, theirs))


def judge(
    story: Story, graph: StateGraph, walk: OutcomeWalk, watch: Mapping[int, object]
) -> Judged:
    """Walk every component once; `watch`: states whose verdicts to keep in detail."""
    judge = _Judge(story, graph, walk)
    for component in walk.components():
        for state in component.members:
            judge.state(state, state in watch)
    choices = {
        number: (taken, judge.decoder.reach(judge.union[number], bool(judge.cut[number])))
        for number, taken in enumerate(judge.taken)
        if taken
    }
    return Judged(choices, judge.tallies, judge.watched)
