"""What play can reach: exhaustive exploration, random playthroughs and the canon path.

Owns: `Explorer` (a breadth-first search over every distinct reachable state, with a
shortest witness path to each ending and softlock), `random_playthroughs` (seeded random
runs with coverage) and `canon_path` (the show's own route through the graph). Every
transition goes through `rules.step`, so the tools see exactly what a player would.
No printing and no clock; `commands/` presents the results. The one read from disk: the
explorer reads the story's own YAML files again, once, for the conditions nested inside
`chance`/`when` effects, which the compiled story does not keep as text.

Two states are the same state when everything that can change what happens next is
equal: the node, the episode, each character's status, place, incubation left and hidden
bite, the inventory, flags, counters, visited nodes the story asks about, the generator,
the pending `$resume` target and who just turned. The turn number, the log and the path
are left out: they differ on every path and (unless a condition reads `turn`) never
change what is possible. The generator is part of the state because `chance` effects
depend on it; since every draw moves it by a fixed step, it only records how many draws
were made, so paths with as many draws merge.

Values no later condition can read are left out too (see `_Relevance`): states that
differ only in them have the same futures. That is what makes the bundled story (about
1.6 million states) finish; `Explorer(..., exact=True)` turns it off.
"""

from __future__ import annotations

import random
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from engine.compiler.language import parse_condition
from engine.compiler.yamlread import read_yaml
from engine.diagnostics import Diagnostics
from engine.runtime.model import RESUME, Node, Story
from engine.runtime.rules import available_choices, is_ending, step, survivors
from engine.runtime.state import GameState, initial_state

__all__ = [
    "MODES",
    "EndingReport",
    "ExploreResult",
    "Explorer",
    "FinalRoster",
    "NeverAvailable",
    "Problem",
    "RandomTestResult",
    "Softlock",
    "Steps",
    "canon_path",
    "random_playthroughs",
    "replay_steps",
]

Steps = tuple[tuple[str, str], ...]  # (node id, choice id) per step, oldest first


class EndingReport(NamedTuple):
    """One ending: whether play reaches it, in how many states, and a shortest way there."""

    id: str
    node: str
    title: str
    states: int
    witness: Steps | None
    survivors: int | None


class Softlock(NamedTuple):
    """A node where play gets stuck in some reachable state, with the shortest way there.

    kind "no choice": no choice is available and the node is not an ending. kind "no way
    out": choices remain, but none of their paths ever reaches an ending (a loop).
    """

    node: str
    kind: str
    states: int
    witness: Steps


class NeverAvailable(NamedTuple):
    """A choice no reachable state offers; `reason` says whether its node is reached."""

    node: str
    choice: str
    condition: str | None
    node_reached: bool


class FinalRoster(NamedTuple):
    """A distinct roster at an ending: (status, place) per character in cast order.

    `first_state` numbers the first state found with it: `Explorer.witness(first_state)`
    is a shortest path there (not built up front: a big story has tens of thousands).
    """

    roster: tuple[tuple[str, str], ...]
    survivors: int
    states: int
    endings: tuple[str, ...]
    first_state: int


@dataclass
class ExploreResult:
    """Everything an exploration found; `complete` is False when it stopped early."""

    story: str
    seed: int
    states: int
    transitions: int
    complete: bool
    stopped: str | None  # None, "bound" or "interrupted"
    reads_turn: bool
    merged: bool  # states differing only in values no later condition reads were merged
    endings: list[EndingReport]
    softlocks: list[Softlock]
    never_available: list[NeverAvailable]
    unreached_nodes: list[str]
    final_rosters: list[FinalRoster]
    max_depth: int


_Key = tuple[Any, ...]
_ENDED, _STUCK = 1, 2
_CHAR_KEY = itemgetter(0, 1, 3, 4)  # a character's status, place, turns_left, hidden


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
        self, story: Story, seed: int = 0, max_states: int | None = None, *, exact: bool = False
    ) -> None:
        self.story = story
        self.seed = seed
        self.max_states = max_states
        raw = _raw_conditions(story)
        self._relevance = _Relevance(story, raw) if raw is not None else None
        self.reads_turn = (
            self._relevance.reads_turn if self._relevance else _choices_read_turn(story)
        )
        self.merges = self._relevance is not None and not exact
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
        self._projections: dict[tuple[str, str | None], _Projection] = {}
        self._frontier: deque[tuple[int, GameState]] = deque()
        self._taken: set[tuple[str, str]] = set()
        self._expanded_nodes: set[str] = set()
        self._endings: dict[str, list[int]] = {}  # ending id -> [first state, count]
        self._softlocks: dict[str, list[int]] = {}  # node id -> [first state, count]
        self._outcome = bytearray()  # per state: 0 playing, _ENDED at an ending, _STUCK
        self._edge_from = array("i")  # every transition, as state numbers
        self._edge_to = array("i")
        self._rosters: dict[tuple[tuple[str, str], ...], _RosterGroup] = {}
        self._add(initial_state(story, seed), -1, "", 0)

    @property
    def states(self) -> int:
        return len(self._keys)

    @property
    def frontier(self) -> int:
        return len(self._frontier)

    def run(self, progress: Callable[[Explorer], None] | None = None, every: int = 4096) -> None:
        """Expand states until none is left or the bound is hit; call `progress` now and then."""
        expanded = 0
        while self._frontier and self.stopped != "bound":
            index, state = self._frontier[0]
            self._expand(index, state)
            self._frontier.popleft()
            expanded += 1
            if progress is not None and expanded % every == 0:
                progress(self)

    def _projection(self, node: str, resume: str | None) -> _Projection:
        found = self._projections.get((node, resume))
        if found is None:
            assert self._relevance is not None
            found = _projection(self.story, self._relevance.needs(node, resume))
            self._projections[(node, resume)] = found
        return found

    def _key(self, s: GameState) -> _Key:
        # Parts become small ints, so the key hashes fast and equal parts are stored once.
        ids = self._ids
        if s.roster is not self._last_roster:
            roster = tuple(map(_CHAR_KEY, s.roster))
            self._last_roster, self._last_roster_id = s.roster, ids.setdefault(roster, len(ids))
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
            new_state, _events = step(self.story, state, choice.id)
            self.transitions += 1
            bare = GameState._make((*new_state[:11], None, None))  # no log or path to keep
            child = self._add(bare, index, choice.id, depth)
            if child >= 0:
                self._edge_from.append(index)
                self._edge_to.append(child)

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
        final = replay_steps(self.story, self.seed, witness)[-1]
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


def replay_steps(story: Story, seed: int, steps: Iterable[tuple[str, str]]) -> list[GameState]:
    """The states of a run from the start through `steps` (the initial state included)."""
    states = [initial_state(story, seed)]
    for _node, choice in steps:
        states.append(step(story, states[-1], choice)[0])
    return states


# --- what the future of a state can read --------------------------------------------------

_Var = tuple[str, str]  # ("flag", name), ("counter", name), ("item", id), ("visited", node)


def _effect_conditions(effects: Any) -> list[str]:
    """Every `when` condition in an effect list, nested ones included."""
    found: list[str] = []
    for effect in effects if isinstance(effects, list) else ():
        if not isinstance(effect, dict):
            continue
        for kind in ("when", "chance"):
            body = effect.get(kind)
            if not isinstance(body, dict):
                continue
            if kind == "when" and isinstance(body.get("if"), str):
                found.append(body["if"])
            found += _effect_conditions(body.get("then")) + _effect_conditions(body.get("else"))
    return found


def _choice_conditions(choices: Any) -> list[str]:
    found: list[str] = []
    for choice in choices if isinstance(choices, list) else ():
        if isinstance(choice, dict):
            found += [choice["if"]] if isinstance(choice.get("if"), str) else []
            found += _effect_conditions(choice.get("do"))
    return found


class _RawConditions(NamedTuple):
    choices: dict[str, list[str]]  # node -> conditions read when a choice is offered or taken
    entry: dict[str, list[str]]  # node -> conditions read by its own `do` on entry
    counts: dict[str, int]  # node -> number of choices found


def _raw_conditions(story: Story) -> _RawConditions | None:
    """Every condition source per node, read again from the story's files.

    The compiled story keeps only the top level of nested effects, so the sources of a
    `when` inside a `chance` are read from the YAML. None when the files no longer
    match the loaded story (edited since), so the caller can fall back to exact keys.
    """
    files = {n.pos.path for n in story.nodes.values()}
    files |= {c.pos.path for n in story.nodes.values() for c in n.choices}
    raw = _RawConditions({}, {}, {})
    for name in sorted(files):
        data = read_yaml(Path(name), name, Diagnostics())
        if not isinstance(data, dict):
            return None
        nodes, added = data.get("nodes"), data.get("add_choices")
        for node_id, body in nodes.items() if isinstance(nodes, dict) else ():
            if isinstance(body, dict):
                raw.entry.setdefault(node_id, []).extend(_effect_conditions(body.get("do")))
                _add_choices(raw, node_id, body.get("choices"))
        for node_id, choices in added.items() if isinstance(added, dict) else ():
            _add_choices(raw, node_id, choices)
    matches = all(raw.counts.get(n.id, 0) == len(n.choices) for n in story.nodes.values())
    return raw if matches and set(raw.entry) >= set(story.nodes) else None


def _add_choices(raw: _RawConditions, node_id: str, choices: Any) -> None:
    raw.choices.setdefault(node_id, []).extend(_choice_conditions(choices))
    raw.counts[node_id] = raw.counts.get(node_id, 0) + (
        len(choices) if isinstance(choices, list) else 0
    )


def _reads(story: Story, source: str) -> set[_Var]:
    """The flags, counters, items and visited nodes a condition reads ("turn" as a flag)."""
    found: set[_Var] = set()
    stack = [parse_condition(source)]
    while stack:
        expr = stack.pop()
        stack.extend(expr.args)
        if expr.kind == "name":
            kind = "counter" if expr.value in story.counter_index else "flag"
            found.add(
                ("builtin", expr.value) if expr.value in ("turn", "episode") else (kind, expr.value)
            )
        elif expr.kind == "call" and expr.value in ("has", "count") and expr.args:
            found.add(("item", expr.args[0].value))
        elif expr.kind == "call" and expr.value == "visited" and expr.args:
            found.add(("visited", expr.args[0].value))
    return found


class _Relevance:
    """Per node, the variables some future step may read (a backward liveness analysis).

    live(N) holds what N's choices read (conditions and `when`s in their effects) and,
    for every node T a step from N may enter (its gotos and the on_turn interrupt
    nodes), what T's entry effects read and live(T). A `$resume` goto leads to the
    state's pending resume node, so that node's needs are added per state.
    """

    def __init__(self, story: Story, raw: _RawConditions) -> None:
        self.story = story
        reads = {n: self._union(story, raw.choices.get(n, ())) for n in story.nodes}
        self.entry = {n: self._union(story, raw.entry.get(n, ())) for n in story.nodes}
        routes = [story.on_turn, *(c.on_turn for c in story.cast.values())]
        interrupts = {r for r in routes if r is not None}
        self.resumes = {
            n.id for n in story.nodes.values() if any(c.goto == RESUME for c in n.choices)
        }
        succ = {
            n.id: {c.goto for c in n.choices if c.goto != RESUME} | interrupts
            for n in story.nodes.values()
            if n.ending is None
        }
        self.live = self._fixpoint(reads, succ)
        self.reads_turn = any(
            ("builtin", "turn") in v for v in (*reads.values(), *self.entry.values())
        )

    @staticmethod
    def _union(story: Story, sources: Iterable[str]) -> frozenset[_Var]:
        out: set[_Var] = set()
        for source in sources:
            out |= _reads(story, source)
        return frozenset(out)

    def _fixpoint(
        self, reads: dict[str, frozenset[_Var]], succ: dict[str, set[Any]]
    ) -> dict[str, frozenset[_Var]]:
        live = dict(reads)
        changed = True
        while changed:
            changed = False
            for node, targets in succ.items():
                new = live[node].union(*(self.entry[t] | live[t] for t in targets))
                if new != live[node]:
                    live[node], changed = new, True
        return live

    def needs(self, node: str, resume: str | None) -> frozenset[_Var]:
        """What may still be read from a state at `node` with `resume` pending."""
        later = resume or (self.story.start if node in self.resumes else None)
        extra = self.entry[later] | self.live[later] if later is not None else frozenset()
        return self.live[node] | extra


_Pick = Callable[[tuple[int, ...]], tuple[int, ...]]


class _Projection(NamedTuple):
    """Picks the parts of a state that matter at one (node, resume)."""

    flags: frozenset[str]
    counters: _Pick
    items: _Pick
    visited: frozenset[str]


def _picker(indexes: list[int]) -> _Pick:
    if not indexes:
        return lambda values: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda values: (values[only],)
    pick: _Pick = itemgetter(*indexes)
    return pick


def _projection(story: Story, needs: frozenset[_Var]) -> _Projection:
    kinds = ("flag", "counter", "item", "visited")
    named = {kind: {name for k, name in needs if k == kind} for kind in kinds}
    return _Projection(
        frozenset(named["flag"]),
        _picker(sorted(story.counter_index[c] for c in named["counter"])),
        _picker(sorted(story.item_index[i] for i in named["item"])),
        frozenset(named["visited"]),
    )


def _choices_read_turn(story: Story) -> bool:
    sources = [c.condition.source for n in story.nodes.values() for c in n.choices if c.condition]
    return any(("builtin", "turn") in _reads(story, source) for source in sources)


# --- the canon path ----------------------------------------------------------------------


def canon_path(story: Story, seed: int = 0, max_steps: int = 10_000) -> Steps:
    """The show's route: the canon choice at turning points, the first available elsewhere.

    Follows `rules.step` from the start until an ending, a state with no choice, a state
    seen before (a loop) or `max_steps`.
    """
    state = initial_state(story, seed)
    steps: list[tuple[str, str]] = []
    seen: set[tuple[Any, ...]] = set()
    while not is_ending(story, state) and len(steps) < max_steps:
        choices = available_choices(story, state)
        if not choices:
            break
        node = story.nodes[state.node]
        canon = node.turning_point.canon if node.turning_point else None
        choice = next((c for c in choices if c.id == canon), choices[0])
        steps.append((node.id, choice.id))
        state = step(story, state, choice.id)[0]
        key = state._replace(turn=0, log=None, path=None)
        if key in seen:
            break
        seen.add(key)
    return tuple(steps)


# --- random playthroughs -----------------------------------------------------------------


class Problem(NamedTuple):
    """A run that went wrong: kind is softlock, step-limit or error."""

    run: int
    seed: int
    kind: str
    node: str
    detail: str
    steps: Steps


@dataclass
class RandomTestResult:
    """Coverage and outcomes of seeded random runs."""

    runs: int
    seed: int
    mode: str
    steps: int = 0
    node_visits: Counter[str] = field(default_factory=Counter)
    choice_uses: Counter[tuple[str, str]] = field(default_factory=Counter)
    endings: Counter[str] = field(default_factory=Counter)
    survivors: Counter[int] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)


MODES = ("uniform", "least-used")


def random_playthroughs(
    story: Story,
    runs: int,
    seed: int = 0,
    mode: str = "uniform",
    max_steps: int = 10_000,
    on_run: Callable[[int], None] | None = None,
) -> RandomTestResult:
    """Play `runs` seeded random runs; run i uses game seed `seed + i`.

    mode "uniform" picks any available choice with equal odds; "least-used" picks one
    of the choices taken least often so far (over all runs), which reaches rare
    branches sooner. The same arguments always give the same result.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    chooser = random.Random(seed)
    result = RandomTestResult(runs, seed, mode)
    for run in range(runs):
        _one_run(story, run, (seed + run) & 0xFFFFFFFF, chooser, result, max_steps)
        if on_run is not None:
            on_run(run + 1)
    return result


def _one_run(
    story: Story,
    run: int,
    game_seed: int,
    chooser: random.Random,
    result: RandomTestResult,
    max_steps: int,
) -> None:
    state = initial_state(story, game_seed)
    taken: list[tuple[str, str]] = []

    def problem(kind: str, detail: str) -> None:
        result.problems.append(Problem(run, game_seed, kind, state.node, detail, tuple(taken)))

    result.node_visits[state.node] += 1
    while not is_ending(story, state):
        if len(taken) >= max_steps:
            problem("step-limit", f"no ending after {max_steps} steps")
            return
        choices = available_choices(story, state)
        if not choices:
            problem("softlock", "no choice is available and this is not an ending")
            return
        if result.mode == "least-used":
            fewest = min(result.choice_uses[(state.node, c.id)] for c in choices)
            choices = [c for c in choices if result.choice_uses[(state.node, c.id)] == fewest]
        choice = chooser.choice(choices)
        result.choice_uses[(state.node, choice.id)] += 1
        taken.append((state.node, choice.id))
        try:
            state = step(story, state, choice.id)[0]
        except Exception as exc:  # reported with the run that triggers it, not raised
            problem("error", f"{type(exc).__name__}: {exc}")
            return
        result.steps += 1
        result.node_visits[state.node] += 1
    ending = story.nodes[state.node].ending
    assert ending is not None
    result.endings[ending.id] += 1
    result.survivors[survivors(state)] += 1
