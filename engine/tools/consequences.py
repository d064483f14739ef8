"""The consequence analysis behind `hyosan consequences`: which choices matter.

Owns: `analyse` and the `Consequences` it returns, which gathers
- from the story's text (`engine.tools.weak_spots`): the decision nodes, the
  single-option chains, write-only flags and counters, and bites a script resolves;
- from the canon path and sample states (`engine.tools.reconverge`): the multi-option
  nodes whose options reconverge to an identical state within `steps` steps, and for
  each turning-point alternative on the canon path, whether following the canon after
  it ends differently;
- from an exploration bounded by `max_states` (`engine.tools.explore`,
  `engine.tools.outcomes`, `engine.tools.alternatives`): every choice's reach (the
  endings and final rosters still possible after it), whether each turning-point
  alternative changes the ending or the final roster, and how characters turned (by
  the infection clock or by a scripted `turn:`);
- from the canon path and the menus it meets: where the menu lists the canon choice at
  each decision with two or more playable options (`CanonOrder`: first, the menu giving
  the canon away, or further down).

Sample states for the reconvergence test: every state of the canon path, and the first
`samples` states the breadth-first exploration found at each node (so the shallowest
ways to get there). A figure that depends on the exploration is exact only when it is
complete; `Consequences.complete` says whether it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from engine.runtime.canon import canon_path, declared_canon_choice
from engine.runtime.events import Kind
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, shown_choices, step
from engine.runtime.state import GameState
from engine.tools.alternatives import UNKNOWN, Reach, Verdict, judge
from engine.tools.explore import Explorer
from engine.tools.outcomes import OutcomeWalk, StateGraph, is_clock_turning
from engine.tools.reconverge import NodeReconvergence, canon_outcome, node_reconvergence
from engine.tools.weak_spots import (
    BiteSite,
    Written,
    bite_sites,
    decision_nodes,
    single_option_chains,
    write_only,
)

__all__ = [
    "DEFAULT_MAX_STATES",
    "Alternative",
    "CanonOrder",
    "ChoiceReach",
    "Consequences",
    "Tally",
    "Turnings",
    "analyse",
]

DEFAULT_MAX_STATES = 200_000


class ChoiceReach(NamedTuple):
    """A choice taken in `taken` explored transitions, and what is possible after it."""

    node: str
    choice: str
    taken: int
    reach: Reach


class Alternative(NamedTuple):
    """A turning-point alternative on the canon path, judged at its canon state (`step`:
    how many steps into the canon path). `reach` and `canon_reach` are None when the
    exploration did not expand that state. `continuation_differs`: taking it, then
    following the canon rule, ends with another ending or final roster than the canon
    path (a second, narrower reading of "changes the outcome", needing no exploration)."""

    point: str
    node: str
    step: int
    canon: str
    choice: str
    verdict: str  # changes, same or unknown
    reach: Reach | None
    canon_reach: Reach | None
    continuation_differs: bool


class Tally(NamedTuple):
    """How a turning-point alternative was judged over every explored state."""

    point: str
    node: str
    choice: str
    changes: int
    same: int
    unknown: int


class Turnings(NamedTuple):
    """Characters becoming zombie or hombie: by the infection clock or by a `turn:`.
    `sites`: (node, choice, character, how many times) of the steps the clock struck in."""

    clock: int
    scripted: int
    sites: tuple[tuple[str, str, str, int], ...]


def _turnings(sites: dict[tuple[str, str, str], int], scripted: int) -> Turnings:
    ordered = sorted(sites.items(), key=lambda item: -item[1])
    return Turnings(sum(sites.values()), scripted, tuple((*site, count) for site, count in ordered))


class CanonOrder(NamedTuple):
    """Where the menu lists the canon choice at the canon path's decisions with two or
    more playable options. `places`: (node, canon choice, its position in the menu from
    1, the menu's length; greyed-out choices count, as the player sees them) where the
    story declares the canon choice (a turning point's canon, `canon: true`), in path
    order. `undeclared`: decisions where it declares none (the canon rule then takes the
    first listed choice, so they say nothing about the menu and are left out)."""

    places: tuple[tuple[str, str, int, int], ...]
    undeclared: int

    @property
    def first(self) -> int:
        """Decisions whose canon choice the menu lists first."""
        return sum(1 for place in self.places if place[2] == 1)


@dataclass
class Consequences:
    """Everything `hyosan consequences` reports (see the module's docstring)."""

    story: str
    title: str
    seed: int
    steps: int
    samples: int
    max_states: int
    states: int
    transitions: int
    complete: bool
    outcomes: int  # distinct (ending, final roster) pairs found
    decision_nodes: int
    chains: list[tuple[str, ...]]  # every single-option node, in chains
    multi_option_nodes: int
    reconvergence: list[NodeReconvergence]
    write_only: list[Written]
    canon_alternatives: list[Alternative]
    tallies: list[Tally]
    turnings_canon: Turnings
    turnings_explored: Turnings
    bites: list[BiteSite]
    reach: list[ChoiceReach]
    canon_order: CanonOrder

    @property
    def single_option(self) -> int:
        return sum(len(chain) for chain in self.chains)


def analyse(
    story: Story,
    *,
    seed: int = 0,
    steps: int = 3,
    max_states: int = DEFAULT_MAX_STATES,
    samples: int = 3,
    progress: Callable[[Explorer], None] | None = None,
) -> Consequences:
    """The whole analysis; `progress` is called now and then during the exploration."""
    nodes = decision_nodes(story)
    path = canon_path(story, seed)
    graph = StateGraph(story, samples)
    graph.add_sample(path[0])
    explorer = Explorer(story, seed, max_states, observe=graph.observe, rosters=True)
    explorer.run(progress)
    chosen: dict[str, list[GameState]] = {}
    for state in path:
        chosen.setdefault(state.node, []).append(state)
    for node, kept in graph.samples.items():
        chosen.setdefault(node, []).extend(kept)
    reconvergence = node_reconvergence(story, chosen, steps)
    watch = {explorer.number_of(s): i for i, s in enumerate(path)}
    watch.pop(-1, None)
    judged = judge(story, graph, OutcomeWalk(graph, explorer.unexpanded()), watch)
    reach = [
        ChoiceReach(*graph.choices[number], taken, found)
        for number, (taken, found) in judged.choices.items()
    ]
    return Consequences(
        story=story.id,
        title=story.title,
        seed=seed,
        steps=steps,
        samples=samples,
        max_states=max_states,
        states=explorer.states,
        transitions=explorer.transitions,
        complete=explorer.finished,
        outcomes=len(graph.outcomes),
        decision_nodes=len(nodes),
        chains=single_option_chains(story, nodes),
        multi_option_nodes=sum(1 for n in nodes if len(story.nodes[n].choices) > 1),
        reconvergence=reconvergence,
        write_only=write_only(story),
        canon_alternatives=_canon_alternatives(story, graph, path, watch, judged.watched),
        tallies=_tallies(story, graph, judged.tallies),
        turnings_canon=_canon_turnings(story, path),
        turnings_explored=_turnings(graph.clock_sites, graph.scripted_turnings),
        bites=_bites(story, graph, explorer.finished),
        reach=reach,
        canon_order=_canon_order(story, path),
    )


def _canon_order(story: Story, path: list[GameState]) -> CanonOrder:
    places: list[tuple[str, str, int, int]] = []
    undeclared = 0
    for state, (node, choice) in zip(path, path[-1].steps(), strict=False):
        offered = available_choices(story, state)
        if len(offered) < 2:
            continue
        declared = declared_canon_choice(story, offered)
        if declared is None or declared.id != choice:
            undeclared += 1
            continue
        menu = [shown.choice.id for shown in shown_choices(story, state)]
        places.append((node, choice, menu.index(choice) + 1, len(menu)))
    return CanonOrder(tuple(places), undeclared)


def _canon_alternatives(
    story: Story,
    graph: StateGraph,
    path: list[GameState],
    watch: dict[int, int],
    verdicts: list[Verdict],
) -> list[Alternative]:
    """Every alternative at the turning points of the canon path, judged or unknown."""
    judged: dict[tuple[int, str], tuple[str, Reach | None, Reach | None]] = {}
    for v in verdicts:
        judged[(watch[v.state], graph.choices[v.choice][1])] = (v.verdict, v.reach, v.canon)
    found: list[Alternative] = []
    canon_end = canon_outcome(story, path[-1])
    for index, state in enumerate(path):
        point = story.nodes[state.node].turning_point
        if point is None:
            continue
        offered = [c.id for c in available_choices(story, state)]
        if point.canon not in offered:
            continue
        for choice in offered:
            if choice == point.canon:
                continue
            verdict, mine, theirs = judged.get((index, choice), (UNKNOWN, None, None))
            after = canon_outcome(story, step(story, state, choice)[0])
            found.append(
                Alternative(
                    point.id,
                    state.node,
                    index,
                    point.canon,
                    choice,
                    verdict,
                    mine,
                    theirs,
                    after != canon_end,
                )
            )
    return found


def _bites(story: Story, graph: StateGraph, complete: bool) -> list[BiteSite]:
    """The bite sites; when the exploration is complete, those of characters the clock
    never turned in any run are resolved by script, whatever the text alone shows."""
    sites = bite_sites(story)
    if not complete:
        return sites
    turned = {who for _node, _choice, who in graph.clock_sites}
    return [b._replace(never_by_clock=b.who not in turned) for b in sites]


def _tallies(story: Story, graph: StateGraph, tallies: dict[int, list[int]]) -> list[Tally]:
    found = []
    for number, (changes, same, unknown) in sorted(tallies.items()):
        node, choice = graph.choices[number]
        point = story.nodes[node].turning_point
        assert point is not None
        found.append(Tally(point.id, node, choice, changes, same, unknown))
    return found


def _canon_turnings(story: Story, path: list[GameState]) -> Turnings:
    sites: dict[tuple[str, str, str], int] = {}
    scripted = 0
    state = path[0]
    for node, choice in path[-1].steps():
        state, events = step(story, state, choice)
        for event in events:
            if is_clock_turning(event):
                site = (node, choice, event.subject)
                sites[site] = sites.get(site, 0) + 1
            elif event.kind == Kind.TURNED:
                scripted += 1
    return _turnings(sites, scripted)
