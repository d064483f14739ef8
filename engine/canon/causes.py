"""Why a run differs from the canon: the choices of the run that explain each difference.

Owns: `Cause`, `TurningPointResult` and `turning_points` (every turning point a run met,
its choice and the canon's), and `Tracer`, which credits each roster difference to
choices of the run through the effect log:
1. An event in your run the canon does not have (a bite, a death, a turning...) comes
   from the step whose effect it is; it is credited to the most recent turning point
   where you left the canon and whose own branch leads to the event's node, else to
   that step.
2. An event of the canon your run lacks is credited to the most recent turning point
   where you left the canon, from which the canon's choice leads to the event's node
   but yours does not; failing that, to divergent choices that changed flags or items.
Pure: a story and states in, data out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from engine.canon.path import canon_path
from engine.runtime.events import STATUS_KINDS, Kind, LogEntry
from engine.runtime.graph import reachable
from engine.runtime.model import Story
from engine.runtime.state import GameState

__all__ = ["Cause", "Tracer", "TurningPointResult", "turning_points"]

_STATE_KINDS = frozenset({Kind.SET, Kind.CLEAR, Kind.GIVE, Kind.TAKE, Kind.ADD})


@dataclass(frozen=True)
class Cause:
    """A choice of the run that explains a difference."""

    step: int
    episode: int
    node: str
    choice: str
    choice_text: str
    turning_point: str | None

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


@lru_cache(maxsize=8)
def _canon_log(story: Story) -> tuple[tuple[LogEntry, ...], tuple[tuple[str, str], ...]]:
    final = canon_path(story)[-1]
    return tuple(final.log_entries()), tuple(final.steps())


def turning_points(story: Story, states: Sequence[GameState]) -> list[TurningPointResult]:
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


class Tracer:
    """Finds the choices of a run that explain each roster difference."""

    def __init__(self, story: Story, states: Sequence[GameState]) -> None:
        self.story = story
        self.states = states
        self.steps = states[-1].steps()
        self.log = states[-1].log_entries()
        self.divergent = [tp for tp in turning_points(story, states) if not tp.matches]
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
        )

    def cause_of_tp(self, tp: TurningPointResult) -> Cause:
        return self.cause_at(tp.step)

    def events(self, log: Sequence[LogEntry], who: str, until_turn: int | None) -> list[LogEntry]:
        return [
            e
            for e in log
            if e.subject == who
            and e.kind in STATUS_KINDS
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
    return reachable(story, [start])
