"""A run compared with the canon: turning points, the roster, and their causes.

Owns: `compare_run` (one run against the canon), `compare_runs` (two runs),
`episode_summary` (one episode's turning points and differences) and the data they
return. Causes come from `engine.canon.causes`; the canon path from `engine.canon.path`.
Pure: it takes a story and lists of states, and returns data; the reports (text,
markdown, JSON) are in `engine.report.compare`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.canon.causes import Cause, Tracer, TurningPointResult, turning_points
from engine.runtime.model import Node, Story
from engine.runtime.rules import is_ending
from engine.runtime.state import GameState

__all__ = [
    "Comparison",
    "EpisodeSummary",
    "RosterRow",
    "RunDiff",
    "compare_run",
    "compare_runs",
    "episode_summary",
]


@dataclass(frozen=True)
class RosterRow:
    character: str
    name: str
    yours: str
    show: str
    causes: tuple[Cause, ...] = ()

    @property
    def differs(self) -> bool:
        return self.yours != self.show

    def explain(self) -> str:
        """One sentence: "Gyeong-su is healthy where the show has zombie — because ..."."""
        head = f"{self.name} is {self.yours} where the show has {self.show}"
        if not self.causes:
            return head
        return head + " — " + "; ".join(c.describe() for c in self.causes)


@dataclass(frozen=True)
class Comparison:
    story_id: str
    episode: int
    ending: str | None
    ending_title: str | None
    show_ending: str | None
    steps: int
    turning_points: tuple[TurningPointResult, ...]
    roster: tuple[RosterRow, ...]

    @property
    def turning_point_score(self) -> float:
        if not self.turning_points:
            return 1.0
        return sum(tp.matches for tp in self.turning_points) / len(self.turning_points)

    @property
    def roster_score(self) -> float:
        if not self.roster:
            return 1.0
        return sum(not r.differs for r in self.roster) / len(self.roster)

    @property
    def fidelity(self) -> float:
        """Half turning points matched, half roster agreement (docs/compare.md)."""
        return (self.turning_point_score + self.roster_score) / 2


@dataclass(frozen=True)
class EpisodeSummary:
    episode: int
    title: str
    turning_points: tuple[TurningPointResult, ...]
    roster: tuple[RosterRow, ...]  # only the rows that differ from the show


@dataclass(frozen=True)
class RunDiff:
    first_difference: int | None  # 1-based step where the runs part, None if one extends the other
    shared_steps: int
    turning_points: tuple[tuple[str, str, str | None, str | None], ...]  # id, title, a, b
    roster: tuple[tuple[str, str, str, str], ...]  # character, name, status a, status b
    a: Comparison = field(repr=False)
    b: Comparison = field(repr=False)


def _reference(states: Sequence[GameState], story: Story) -> tuple[GameState, int]:
    """The state and episode the roster is compared at: the ending, or the end of the
    last finished episode, or the start (episode 0) when none is finished yet."""
    last = states[-1]
    if is_ending(story, last):
        return last, last.episode
    for before, after in zip(reversed(states[:-1]), reversed(states[1:]), strict=True):
        if after.episode != before.episode:
            return before, before.episode
    return states[0], 0


def _roster(
    story: Story, states: Sequence[GameState], reference: GameState, episode: int
) -> list[RosterRow]:
    tracer = Tracer(story, states) if len(states) > 1 else None
    rows = []
    for cid, char in zip(story.cast_ids, reference.roster, strict=True):
        show = story.canon_status(cid, episode) if episode else story.cast[cid].status
        causes: tuple[Cause, ...] = ()
        if char.status != show and tracer is not None:
            causes = tracer.trace(cid, reference.turn, episode)
        rows.append(RosterRow(cid, story.cast[cid].name, char.status, show, causes))
    return rows


def compare_run(story: Story, states: Sequence[GameState]) -> Comparison:
    """Compare a run (states[0] initial, one state per step) with the show."""
    if not states:
        raise ValueError("a run has at least its initial state")
    reference, episode = _reference(states, story)
    last = states[-1]
    ending_node: Node = story.nodes[last.node]
    ending = ending_node.ending
    return Comparison(
        story_id=story.id,
        episode=episode,
        ending=ending.id if ending else None,
        ending_title=ending.title if ending else None,
        show_ending=story.canon_ending,
        steps=len(states) - 1,
        turning_points=tuple(turning_points(story, states)),
        roster=tuple(_roster(story, states, reference, episode)),
    )


def episode_summary(story: Story, states: Sequence[GameState], episode: int) -> EpisodeSummary:
    """What went differently in `episode`: its turning points and the roster at its end."""
    end = None
    for before, after in itertools.pairwise(states):
        if before.episode == episode and after.episode != episode:
            end = states.index(before)
            break
    run = states[: end + 1] if end is not None else states
    tps = tuple(tp for tp in turning_points(story, run) if tp.episode == episode)
    rows = tuple(r for r in _roster(story, run, run[-1], episode) if r.differs)
    return EpisodeSummary(episode, story.episode_title(episode), tps, rows)


def compare_runs(story: Story, a: Sequence[GameState], b: Sequence[GameState]) -> RunDiff:
    """Two runs side by side: where they part, and what differs."""
    steps_a, steps_b = a[-1].steps(), b[-1].steps()
    first = None
    shared = 0
    for index, (x, y) in enumerate(zip(steps_a, steps_b, strict=False), start=1):
        if x != y:
            first = index
            break
        shared = index
    ca, cb = compare_run(story, a), compare_run(story, b)
    tps_a = {tp.id: tp for tp in ca.turning_points}
    tps_b = {tp.id: tp for tp in cb.turning_points}
    tp_rows = []
    for tp_id in dict.fromkeys([*tps_a, *tps_b]):
        ta, tb = tps_a.get(tp_id), tps_b.get(tp_id)
        if ta is None or tb is None or ta.yours != tb.yours:
            title = (ta or tb).title if (ta or tb) else tp_id  # type: ignore[union-attr]
            tp_rows.append(
                (tp_id, title, ta.yours_text if ta else None, tb.yours_text if tb else None)
            )
    roster_rows = [
        (ra.character, ra.name, ra.yours, rb.yours)
        for ra, rb in zip(ca.roster, cb.roster, strict=True)
        if ra.yours != rb.yours
    ]
    return RunDiff(first, shared, tuple(tp_rows), tuple(roster_rows), ca, cb)
