"""Why a run differs from the canon: the choices that, had they followed the canon, would
have changed each difference.

Owns: `Difference` (one way the run's state at its reference point differs from the
canon's: a character's status or place, an item, the ending), `Cause` (a step of the run
and its choice), `Attribution` (the causes of one difference, or why there are none),
`TurningPointResult` / `turning_points`, and `attribute`.

The rule (docs/compare.md): a step is a cause of a difference when more than one choice
was offered there, the player's choice was not the canon's, and replaying the run with
the canon's choice at that step alone (every other choice kept, `counterfactual.py`)
gives another value for that difference at the same reference point. When no single step
does, pairs of steps are tried, and a pair that changes it is named as a joint cause.
When neither does, the attribution says so. Every named cause therefore passes the
counterfactual test by construction, and a test re-checks it independently.
Pure: a story and states in, data out.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from engine.canon.counterfactual import Reference, candidates, replay_with
from engine.runtime.canon import canon_choice
from engine.runtime.model import Story
from engine.runtime.rules import choice_text
from engine.runtime.state import GameState

__all__ = [
    "MAX_PAIR_CANDIDATES",
    "Attribution",
    "Cause",
    "Difference",
    "TurningPointResult",
    "attribute",
    "turning_points",
]

MAX_PAIR_CANDIDATES = 12  # joint causes are sought among this many steps (66 pairs)


@dataclass(frozen=True)
class Difference:
    """One way the run differs from the canon at the reference point.

    kind: "status" or "place" (subject: a character id), "item" (subject: an item id;
    values are counts), "ending" (subject: "ending"; values are ending ids or "none")."""

    kind: str
    subject: str
    name: str
    yours: str
    canon: str


@dataclass(frozen=True)
class Cause:
    """A step of the run whose choice, had it been the canon's, changes a difference."""

    step: int
    episode: int
    node: str
    choice: str
    choice_text: str
    canon_choice: str
    canon_text: str
    turning_point: str | None

    def describe(self) -> str:
        where = f"in episode {self.episode}"
        tag = self.turning_point or f"step {self.step}"
        return f'you chose "{self.choice_text}" {where} ({tag})'


@dataclass(frozen=True)
class Attribution:
    """The causes of one difference: each of `causes` alone changes it; otherwise the
    `joint` steps do together; otherwise `reason` says why no choice is named."""

    causes: tuple[Cause, ...] = ()
    joint: tuple[Cause, ...] = ()
    reason: str | None = None

    def describe(self) -> str:
        if self.causes:
            return "because " + "; ".join(c.describe() for c in self.causes)
        if self.joint:
            parts = " and ".join(c.describe() for c in self.joint)
            return f"because {parts}, together (either alone changes nothing)"
        return self.reason or ""


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
    in_canon: str
    not_taken: tuple[tuple[str, str], ...]

    @property
    def matches(self) -> bool:
        return self.yours == self.canon


def turning_points(story: Story, states: Sequence[GameState]) -> list[TurningPointResult]:
    """Every turning point the run met: its choice, the canon's, and the choices left."""
    results = []
    for index, (node_id, choice_id) in enumerate(states[-1].steps(), start=1):
        node = story.nodes.get(node_id)
        if node is None or node.turning_point is None:
            continue
        tp = node.turning_point
        texts = {c.id: choice_text(c, states[index - 1]) for c in node.choices}
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
                in_canon=tp.in_the_show,
                not_taken=tuple(
                    (c.id, texts[c.id]) for c in node.choices if c.id not in (choice_id, tp.canon)
                ),
            )
        )
    return results


def value_of(story: Story, state: GameState, difference: Difference) -> str:
    """The value `difference` is about, in `state` (as the Difference spells it)."""
    if difference.kind == "ending":
        ending = story.nodes[state.node].ending
        return ending.id if ending else "none"
    if difference.kind == "item":
        return str(state.inventory[story.item_index[difference.subject]])
    char = state.roster[story.cast_index[difference.subject]]
    return str(char.status if difference.kind == "status" else char.place)


def _cause(story: Story, states: Sequence[GameState], number: int) -> Cause:
    node_id, choice_id = states[-1].steps()[number - 1]
    node = story.nodes[node_id]
    canon = canon_choice(story, states[number - 1])
    point = node.turning_point
    return Cause(
        step=number,
        episode=states[number - 1].episode,
        node=node_id,
        choice=choice_id,
        choice_text=choice_text(node.choice_map[choice_id], states[number - 1]).strip(),
        canon_choice=canon.id if canon else "",
        canon_text=choice_text(canon, states[number - 1]).strip() if canon else "",
        turning_point=point.id if point else None,
    )


class _Outcomes:
    """Counterfactual outcomes, each computed once and shared by every difference."""

    def __init__(self, story: Story, states: Sequence[GameState], reference: Reference) -> None:
        self.story, self.states, self.reference = story, states, reference
        self.cache: dict[frozenset[int], GameState] = {}

    def changes(self, restore: frozenset[int], difference: Difference) -> bool:
        if restore not in self.cache:
            self.cache[restore] = replay_with(self.story, self.states, restore, self.reference)
        return value_of(self.story, self.cache[restore], difference) != difference.yours


def _pair_pool(story: Story, states: Sequence[GameState], steps: list[int]) -> list[int]:
    """The steps joint causes are sought among: turning points first, then the latest."""

    def is_turning_point(number: int) -> bool:
        return story.nodes[states[-1].steps()[number - 1][0]].turning_point is not None

    ordered = [n for n in steps if is_turning_point(n)] + [
        n for n in reversed(steps) if not is_turning_point(n)
    ]
    return sorted(ordered[:MAX_PAIR_CANDIDATES])


def attribute(
    story: Story,
    states: Sequence[GameState],
    reference: Reference,
    differences: Sequence[Difference],
) -> dict[Difference, Attribution]:
    """The attribution of every difference, by the rule in the module docstring."""
    steps = candidates(story, states, reference.index)
    outcomes = _Outcomes(story, states, reference)
    out: dict[Difference, Attribution] = {}
    for difference in differences:
        single = [n for n in steps if outcomes.changes(frozenset({n}), difference)]
        if single:
            out[difference] = Attribution(tuple(_cause(story, states, n) for n in single))
            continue
        pairs = itertools.combinations(_pair_pool(story, states, steps), 2)
        joint = next((p for p in pairs if outcomes.changes(frozenset(p), difference)), None)
        if joint is not None:
            out[difference] = Attribution(joint=tuple(_cause(story, states, n) for n in joint))
        elif not steps:
            out[difference] = Attribution(reason="no choice of this run differs from the canon's")
        else:
            out[difference] = Attribution(
                reason="no single choice explains it, nor any pair of choices: it follows from "
                "several choices together, a seeded chance, or the story's own rules"
            )
    return out
