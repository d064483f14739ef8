"""A run compared with the story's canon: turning points, the roster, and their causes.

Owns: `compare_run` (one run against the canon), `compare_runs` (two runs),
`episode_summary` (one episode's turning points and differences) and the data they
return. The canon's statuses come from the manifest's `canon.roster` (which
`hyosan check` holds to the canon path); places, items and the ending from the canon
path at the same point. Only the turning points the canon path passes are compared and
scored (`canon_turning_points`): a branch file's turning points never count into fidelity.
Causes come from `engine.canon.causes`. Pure: a story and lists
of states in, data out; `engine.report.compare` writes text, markdown and JSON.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from engine.canon.causes import (
    Attribution,
    Cause,
    Difference,
    TurningPointResult,
    attribute,
    turning_points,
)
from engine.canon.counterfactual import Reference, reference_of
from engine.errors import UserError
from engine.runtime.canon import canon_path
from engine.runtime.model import Story
from engine.runtime.state import GameState

__all__ = [
    "Comparison",
    "EpisodeSummary",
    "RosterRow",
    "RunDiff",
    "canon_turning_points",
    "compare_run",
    "compare_runs",
    "episode_summary",
    "require_canon",
]


@dataclass(frozen=True)
class RosterRow:
    """A character's status in the run and in the canon, and why they differ."""

    character: str
    name: str
    yours: str
    canon: str
    why: Attribution = field(default_factory=Attribution)

    @property
    def differs(self) -> bool:
        return self.yours != self.canon

    @property
    def causes(self) -> tuple[Cause, ...]:
        return self.why.causes or self.why.joint

    def explain(self, label: str) -> str:
        """One sentence: "Gyeong-su is healthy where the show has zombie — because ..."."""
        head = f"{self.name} is {self.yours} where {label} has {self.canon}"
        reason = self.why.describe()
        return f"{head} — {reason}" if reason else head


_PLACE_WORDS = {"group": "with the group", "separated": "separated", "elsewhere": "elsewhere"}


@dataclass(frozen=True)
class OtherRow:
    """A difference in a character's place, an item count or the ending, and why."""

    difference: Difference
    why: Attribution

    def explain(self, label: str) -> str:
        d = self.difference
        if d.kind == "place":
            mine, theirs = _PLACE_WORDS.get(d.yours, d.yours), _PLACE_WORDS.get(d.canon, d.canon)
            head = f"{d.name} is {mine} where {label} has them {theirs}"
        elif d.kind == "item":
            head = f"you hold {d.yours} × {d.name} where {label} holds {d.canon}"
        else:
            head = f"your run ends at {d.yours} where {label} ends at {d.canon}"
        reason = self.why.describe()
        return f"{head} — {reason}" if reason else head


@dataclass(frozen=True)
class Comparison:
    story_id: str
    label: str
    episode: int
    ending: str | None
    ending_title: str | None
    canon_ending: str | None
    steps: int
    turning_points: tuple[TurningPointResult, ...]
    roster: tuple[RosterRow, ...]
    others: tuple[OtherRow, ...] = ()

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
    label: str
    turning_points: tuple[TurningPointResult, ...]
    roster: tuple[RosterRow, ...]  # only the rows that differ from the canon


@dataclass(frozen=True)
class RunDiff:
    first_difference: int | None  # 1-based step where the runs part, None if one extends the other
    shared_steps: int
    turning_points: tuple[tuple[str, str, str | None, str | None], ...]  # id, title, a, b
    roster: tuple[tuple[str, str, str, str], ...]  # character, name, status a, status b
    a: Comparison = field(repr=False)
    b: Comparison = field(repr=False)


def require_canon(story: Story) -> str:
    """The canon's label; UserError (exit 1) when the story declares no canon."""
    if story.canon is None:
        raise UserError(
            f'the story "{story.id}" declares no canon, so there is nothing to compare with',
            hint="add a canon: section to its story.yaml (docs/format.md) to compare runs with it",
        )
    return story.canon.label


@lru_cache(maxsize=8)
def _canon_states(story: Story) -> tuple[GameState, ...]:
    return tuple(canon_path(story))


def _canon_at(story: Story, reference: Reference) -> GameState:
    """The canon path's state at the same point: its ending, or the end of the episode."""
    states = _canon_states(story)
    if reference.at_ending:
        return states[-1]
    in_episode = [s for s in states if s.episode <= reference.episode]
    return in_episode[-1] if in_episode else states[0]


def _differences(story: Story, run: GameState, reference: Reference) -> list[Difference]:
    canon = _canon_at(story, reference)
    found = []
    for cid, mine, theirs in zip(story.cast_ids, run.roster, canon.roster, strict=True):
        name = story.cast[cid].name
        want = story.canon_status(cid, reference.episode)
        if mine.status != want:
            found.append(Difference("status", cid, name, str(mine.status), str(want)))
        if mine.place != theirs.place:
            found.append(Difference("place", cid, name, str(mine.place), str(theirs.place)))
    for iid, mine_count, canon_count in zip(
        story.item_ids, run.inventory, canon.inventory, strict=True
    ):
        if mine_count != canon_count:
            name = story.items[iid].name
            found.append(Difference("item", iid, name, str(mine_count), str(canon_count)))
    if reference.at_ending and story.canon_ending is not None:
        ending = story.nodes[run.node].ending
        reached = ending.id if ending else "none"
        if reached != story.canon_ending:
            found.append(Difference("ending", "ending", "ending", reached, story.canon_ending))
    return found


def _compare_at(
    story: Story, states: Sequence[GameState], reference: Reference
) -> tuple[list[RosterRow], list[OtherRow]]:
    run = states[reference.index]
    if reference.episode == 0:  # nothing finished: everyone is as the story starts them
        rows = [
            RosterRow(cid, story.cast[cid].name, str(c.status), str(story.cast[cid].status))
            for cid, c in zip(story.cast_ids, run.roster, strict=True)
        ]
        return rows, []
    differences = _differences(story, run, reference)
    why = attribute(story, states, reference, differences)
    by_status = {d.subject: d for d in differences if d.kind == "status"}
    rows = []
    for cid, char in zip(story.cast_ids, run.roster, strict=True):
        difference = by_status.get(cid)
        canon = difference.canon if difference else str(char.status)
        attribution = why[difference] if difference else Attribution()
        rows.append(RosterRow(cid, story.cast[cid].name, str(char.status), canon, attribution))
    others = [OtherRow(d, why[d]) for d in differences if d.kind != "status"]
    return rows, others


def compare_run(story: Story, states: Sequence[GameState]) -> Comparison:
    """Compare a run (states[0] initial, one state per step) with the canon.

    Raises UserError when the story declares no canon.
    """
    if not states:
        raise ValueError("a run has at least its initial state")
    label = require_canon(story)
    reference = reference_of(story, states)
    rows, others = _compare_at(story, states, reference)
    ending = story.nodes[states[-1].node].ending
    return Comparison(
        story_id=story.id,
        label=label,
        episode=reference.episode,
        ending=ending.id if ending else None,
        ending_title=ending.title if ending else None,
        canon_ending=story.canon_ending,
        steps=len(states) - 1,
        turning_points=tuple(canon_turning_points(story, states)),
        roster=tuple(rows),
        others=tuple(others),
    )


def canon_turning_points(story: Story, states: Sequence[GameState]) -> list[TurningPointResult]:
    """The turning points the run met that count toward fidelity: those whose node the
    canon path passes. A turning point the canon never meets (one a branch file adds,
    behind a choice the canon never takes) has no canon choice to match, so it is
    neither listed nor scored."""
    on_path = {state.node for state in _canon_states(story)}
    return [tp for tp in turning_points(story, states) if tp.node in on_path]


def episode_summary(story: Story, states: Sequence[GameState], episode: int) -> EpisodeSummary:
    """What went differently in `episode`: its turning points and the roster at its end
    (the last state of that episode in `states`, or the last state when it has not ended)."""
    label = require_canon(story)
    end = len(states) - 1
    for index, (before, after) in enumerate(itertools.pairwise(states)):
        if before.episode == episode and after.episode != episode:
            end = index
            break
    run = states[: end + 1]
    reference = Reference(end, episode, False)
    rows, _others = _compare_at(story, run, reference)
    tps = tuple(tp for tp in canon_turning_points(story, run) if tp.episode == episode)
    differing = tuple(r for r in rows if r.differs)
    return EpisodeSummary(episode, story.episode_title(episode), label, tps, differing)


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
