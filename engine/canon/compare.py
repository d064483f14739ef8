"""Comparison of a run with the show: turning points, roster, and the choices that caused
each difference.

Owns: the show's own path through a story (`canon_path`), `compare_run` (one run against
the show), `compare_runs` (two runs), `episode_summary`, and cause tracing through the
effect log. Pure: it takes a story and lists of states, and returns data; the reports
(text, markdown, JSON) are in `canon_report.py`.

How a difference is traced to its cause (docs/compare.md says it for players):
1. An event in your run the show does not have (a bite, a death, a turning...) comes from
   the step whose effect it is; it is credited to the most recent turning point where you
   left the show's path and whose own branch leads to the event's node, else to that step.
2. An event of the show's path your run lacks is credited to the most recent turning point
   where you left the show's path, from which the show's choice leads to the event's node
   but yours does not; failing that, to divergent choices that changed flags or items.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from engine.runtime.model import Node, Story
from engine.runtime.rules import available_choices, is_ending, step
from engine.runtime.state import GameState, LogEntry, initial_state

__all__ = [
    "Cause",
    "Comparison",
    "EpisodeSummary",
    "RosterRow",
    "RunDiff",
    "TurningPointResult",
    "canon_path",
    "compare_run",
    "compare_runs",
    "episode_summary",
]

_STATUS_KINDS = frozenset({"bitten", "turned", "died"})
_STATE_KINDS = frozenset({"set", "clear", "give", "take", "add"})


@dataclass(frozen=True)
class Cause:
    """A choice of the run that explains a difference."""

    step: int
    episode: int
    node: str
    choice: str
    choice_text: str
    turning_point: str | None
    turning_point_title: str | None

    def describe(self) -> str:
        where = f"in episode {self.episode}"
        if self.turning_point:
            return f'you chose "{self.choice_text}" {where} ({self.turning_point})'
        return f'you chose "{self.choice_text}" {where} (step {self.step})'


@dataclass(frozen=True)
class TurningPointResult:
    id: str
    title: str
    episode: int
    node: str
    step: int
    yours: str
    yours_text: str
    canon: str
    canon_text: str
    in_the_show: str
    not_taken: tuple[tuple[str, str], ...]

    @property
    def matches(self) -> bool:
        return self.yours == self.canon


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


def canon_path(story: Story, seed: int = 0, limit: int = 10_000) -> list[GameState]:
    """The show's path: the canon choice at turning points, the first choice elsewhere."""
    states = [initial_state(story, seed)]
    while not is_ending(story, states[-1]) and len(states) <= limit:
        state = states[-1]
        offered = available_choices(story, state)
        if not offered:
            break
        node = story.nodes[state.node]
        pick = offered[0].id
        if node.turning_point and any(c.id == node.turning_point.canon for c in offered):
            pick = node.turning_point.canon
        states.append(step(story, state, pick)[0])
    return states


@lru_cache(maxsize=8)
def _canon_log(story: Story) -> tuple[tuple[LogEntry, ...], tuple[tuple[str, str], ...]]:
    final = canon_path(story)[-1]
    return tuple(final.log_entries()), tuple(final.steps())


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


def _turning_points(story: Story, states: Sequence[GameState]) -> list[TurningPointResult]:
    results = []
    for index, (node_id, choice_id) in enumerate(states[-1].steps(), start=1):
        node = story.nodes.get(node_id)
        if node is None or node.turning_point is None:
            continue
        tp = node.turning_point
        texts = {c.id: c.text for c in node.choices}
        results.append(
            TurningPointResult(
                id=tp.id,
                title=tp.title,
                episode=states[index - 1].episode,
                node=node_id,
                step=index,
                yours=choice_id,
                yours_text=texts.get(choice_id, choice_id),
                canon=tp.canon,
                canon_text=texts.get(tp.canon, tp.canon),
                in_the_show=tp.in_the_show,
                not_taken=tuple(
                    (c.id, c.text) for c in node.choices if c.id not in (choice_id, tp.canon)
                ),
            )
        )
    return results


class _Tracer:
    """Finds the choices of a run that explain each roster difference."""

    def __init__(self, story: Story, states: Sequence[GameState]) -> None:
        self.story = story
        self.states = states
        self.steps = states[-1].steps()
        self.log = states[-1].log_entries()
        self.divergent = [tp for tp in _turning_points(story, states) if not tp.matches]
        self.canon_log, _ = _canon_log(story)

    def cause_at(self, step_no: int) -> Cause:
        node_id, choice_id = self.steps[step_no - 1]
        node = self.story.nodes.get(node_id)
        text = (
            node.choice_map[choice_id].text if node and choice_id in node.choice_map else choice_id
        )
        tp = node.turning_point if node else None
        return Cause(
            step_no,
            self.states[step_no - 1].episode,
            node_id,
            choice_id,
            text,
            tp.id if tp else None,
            tp.title if tp else None,
        )

    def cause_of_tp(self, tp: TurningPointResult) -> Cause:
        return self.cause_at(tp.step)

    def events(self, log: Sequence[LogEntry], who: str, until_turn: int | None) -> list[LogEntry]:
        return [
            e
            for e in log
            if e.subject == who
            and e.kind in _STATUS_KINDS
            and (until_turn is None or e.turn <= until_turn)
        ]

    def trace(self, who: str, until_turn: int, episode: int) -> tuple[Cause, ...]:
        mine = self.events(self.log, who, until_turn)
        theirs = [
            e for e in self.events(self.canon_log, who, None) if self._canon_episode(e) <= episode
        ]
        mine_keys = {(e.kind, e.detail.split(" ")[0]) for e in mine}
        their_keys = {(e.kind, e.detail.split(" ")[0]) for e in theirs}
        causes: list[Cause] = []
        for event in mine:
            if (event.kind, event.detail.split(" ")[0]) not in their_keys:
                causes.append(self.cause_of_event(event))
        for event in theirs:
            if (event.kind, event.detail.split(" ")[0]) not in mine_keys:
                causes.append(self.cause_of_missing(event))
        unique: dict[tuple[int, str], Cause] = {}
        for cause in causes:
            unique.setdefault((cause.step, cause.choice), cause)
        return tuple(sorted(unique.values(), key=lambda c: c.step))

    def _canon_episode(self, event: LogEntry) -> int:
        node = self.story.nodes.get(event.node)
        return node.episode if node and node.episode is not None else 0

    def cause_of_event(self, event: LogEntry) -> Cause:
        for tp in reversed(self.divergent):
            if tp.step > event.turn:
                continue
            if tp.step == event.turn:
                return self.cause_of_tp(tp)
            if self.only_one_branch_reaches(tp, event.node, yours=True):
                return self.cause_of_tp(tp)
        return self.cause_at(event.turn)

    def only_one_branch_reaches(self, tp: TurningPointResult, goal: str, yours: bool) -> bool:
        """True when `goal` lies past your choice at `tp` and not past the show's
        (`yours`), or the other way round."""
        node = self.story.nodes[tp.node]
        mine, canon = node.choice_map.get(tp.yours), node.choice_map.get(tp.canon)
        if mine is None or canon is None:
            return False
        leads, other = (mine, canon) if yours else (canon, mine)
        return _reaches(self.story, leads.goto, goal) and not _reaches(self.story, other.goto, goal)

    def cause_of_missing(self, event: LogEntry) -> Cause:
        candidates = [tp for tp in self.divergent if tp.step <= len(self.steps)]
        for tp in reversed(candidates):
            if self.only_one_branch_reaches(tp, event.node, yours=False):
                return self.cause_of_tp(tp)
        for tp in reversed(candidates):
            if any(e.turn == tp.step and e.kind in _STATE_KINDS for e in self.log):
                return self.cause_of_tp(tp)
        if candidates:
            return self.cause_of_tp(candidates[-1])
        return self.cause_at(max(1, len(self.steps)))


def _reaches(story: Story, start: str, goal: str) -> bool:
    return goal in _reachable_from(story, start)


@lru_cache(maxsize=4096)
def _reachable_from(story: Story, start: str) -> frozenset[str]:
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        node_id = queue.popleft()
        if node_id in seen or node_id not in story.nodes:
            continue
        seen.add(node_id)
        queue.extend(c.goto for c in story.nodes[node_id].choices)
    return frozenset(seen)


def _roster(
    story: Story, states: Sequence[GameState], reference: GameState, episode: int
) -> list[RosterRow]:
    tracer = _Tracer(story, states) if len(states) > 1 else None
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
        turning_points=tuple(_turning_points(story, states)),
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
    tps = tuple(tp for tp in _turning_points(story, run) if tp.episode == episode)
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
