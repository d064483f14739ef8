"""Symbolic exploration: every reachable state, held as sets (binary decision diagrams).

Owns: `SymbolicExplorer`, a breadth-first search whose frontier is not a list of states
but, per *group* (the node and the parts of a state that are always stepped one at a
time: resume, episode, generator, who just turned, the turn when read, visit counts and
once-only choices taken), one set of values of the *dimensions*: each character, flag,
counter, item and visited node. A set is a binary decision diagram (`dd`, on CUDD), so
a product of twenty characters' independent fates costs a few hundred diagram nodes
instead of a million states.

How a set is stepped: at a node, only some dimensions can change what a step does or
are changed by it (the choices' conditions and effects, the entry effects of the nodes
a step may enter, characters who may be bitten: the clock). The set is split by the
values those take (`pick_iter`; where `survivors()` is read, also by how many are alive
with the group), one real state per split is stepped by `rules.step` exactly as a player
would, and the rest of the set is carried over untouched. Values no later condition can
read are set to a constant (the same relevance analysis as the state search,
`engine.tools.relevance`), so states with the same futures are one member of a set.

Findings are those of `engine.tools.explore`: every ending with a shortest witness,
softlocks (no choice; no way out, found by a backward fixpoint over the sets), choices
never available, nodes never reached. `states` counts the distinct (projected) states
the sets hold. There is no final-roster census (use the state search's `--rosters`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any, NamedTuple

from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, step, survivors
from engine.runtime.state import GameState
from engine.runtime.world import Status
from engine.tools.explore_record import completion, never_available
from engine.tools.findings import EndingReport, ExploreResult, Softlock, Steps
from engine.tools.symbolic_space import _BLANK, BDD, Dim, Dimensions, TooManyValues, get
from engine.tools.symbolic_space import assign as _assign

__all__ = ["SymbolicExplorer", "TooManyValues"]

Group = tuple[Any, ...]


class _Edge(NamedTuple):
    """The splits of a parent group's set that one choice takes into one child group."""

    parent: Group
    relation: BDD  # pairs (the split's codes, the child's codes: primed) of touched dims
    touched: tuple[str, ...]  # the touched dimensions' variables
    position: int  # the choice's position at its node
    child: Group
    dropped: tuple[str, ...]  # variables of untouched dimensions the child no longer reads


class _Stuck(NamedTuple):
    level: int
    group: Group
    given: BDD


class SymbolicExplorer(Dimensions):
    """A breadth-first search over sets of states; see the module docstring."""

    def __init__(self, story: Story, seed: int = 0) -> None:
        super().__init__(story)
        self.seed = seed
        self._drops: dict[tuple[Any, ...], tuple[tuple[str, ...], BDD, frozenset[Dim]]] = {}
        # The search
        self.start = initial_state(story, seed)
        self.reached: dict[Group, BDD] = {}
        self.levels: list[dict[Group, BDD]] = []  # the new states of each depth, by group
        self.rep: dict[Group, GameState] = {}  # a real state of each group
        self.edges: dict[tuple[int, Group], list[_Edge]] = {}  # (child's depth, child)
        self.stuck: dict[str, list[_Stuck]] = {}
        self.stuck_sets: dict[Group, BDD] = {}
        self.taken: set[tuple[str, str]] = set()
        self.expanded: set[str] = set()
        self.first_ending: dict[str, tuple[int, Group]] = {}
        self.states = 0
        self.transitions = 0
        self.stopped: str | None = None
        self._frontier: dict[Group, BDD] = {}
        group = self._group(self.start)
        first = self._project_all(self._cube_of(self.start, self.dims), group)
        self._add_new({group: first}, {group: self.start})

    def _group(self, s: GameState) -> Group:
        turn = s.turn if self.reads_turn else 0
        return (s.node, s.resume, s.episode, s.rng, s.just_turned, turn, s.visits, s.taken)

    def _project_all(self, u: BDD, group: Group) -> BDD:
        keep = self.relevant(group[0], group[1]) | {("c", i) for i in group[4]}
        for d in self.dims:
            if d in keep:
                continue
            if d[0] != "c":
                u = self.bdd.exist(self.vars[d], u)
            elif u & self._bitten_set(d) == self.bdd.false:
                u = self.bdd.exist(self.vars[d], u) & self._cube([(d, 0)])
        return u

    # --- the search ---
    @property
    def frontier(self) -> int:
        return len(self._frontier)

    def has_pending(self) -> bool:
        return bool(self._frontier)

    def stop(self, reason: str) -> None:
        if self._frontier and self.stopped is None:
            self.stopped = reason

    def run(
        self,
        progress: Callable[[SymbolicExplorer], None] | None = None,
        until: Callable[[], bool] | None = None,
    ) -> None:
        """Expand depth after depth until nothing new is reached or `until()` says so
        (asked before each depth)."""
        while self._frontier and self.stopped is None:
            if until is not None and until():
                return
            new: dict[Group, BDD] = {}
            reps: dict[Group, GameState] = {}
            for group, states in self._frontier.items():
                self._expand(group, states, new, reps)
                if progress is not None:
                    progress(self)
            self._add_new(new, reps)

    def _add_new(self, new: dict[Group, BDD], reps: dict[Group, GameState]) -> None:
        level: dict[Group, BDD] = {}
        for group, states in new.items():
            old = self.reached.get(group, self.bdd.false)
            fresh = states & ~old
            if fresh != self.bdd.false:
                self.reached[group] = old | fresh
                level[group] = fresh
                self.rep.setdefault(group, reps[group])
                self.states += self._count(fresh, group)
        if level:
            self.levels.append(level)
        self._frontier = level

    def _expand(
        self, group: Group, states: BDD, new: dict[Group, BDD], reps: dict[Group, GameState]
    ) -> None:
        bdd, story = self.bdd, self.story
        depth = len(self.levels) - 1
        rep = self.rep[group]
        node = story.nodes[group[0]]
        self.expanded.add(node.id)
        if node.ending is not None:
            self.first_ending.setdefault(node.ending.id, (depth, group))
            return
        static, counts = self.touched(group[0], group[1])
        dims = set(static) | {("c", i) for i in group[4]}
        dims.update(
            d for d in self.chars if d not in dims and states & self._bitten_set(d) != bdd.false
        )
        touched = [d for d in self.dims if d in dims]
        present, _ = self.present(group[0], group[1])
        split = [d for d in touched if d in present]  # the rest: written, not yet read
        names = tuple(v for d in split for v in self.vars[d])
        named = set(names)
        others = [v for v in self.all_vars if v not in named]
        stepped = tuple(v for d in touched for v in self.vars[d])
        rename = {self.primed[v]: v for v in stepped}
        unread = [(d, _BLANK[d[0]]) for d in touched if d not in present]
        here = self.relevant(group[0], group[1]) | dims
        counted = self._survivor_counts() if counts else [bdd.true]
        for among in counted:
            part = states & among if counts else states
            if part == bdd.false:
                continue
            # Each split is stepped once; its pairs (split, result) are gathered per
            # (choice, child, what the child forgets), then the whole set is stepped by
            # them at once (a relational product): one diagram operation per outcome.
            relations: dict[tuple[int, Group, tuple[str, ...]], BDD] = {}
            blanks: dict[tuple[Group, tuple[str, ...]], BDD] = {}
            for bits in bdd.pick_iter(bdd.exist(others, part), care_vars=list(names)):
                codes = tuple((d, self._decode(d, bits)) for d in split)
                real = _assign(rep, [*((d, self._values[d][c]) for d, c in codes), *unread])
                if counts:  # everyone else as one member of the split has them
                    member = bdd.pick(self.let(bits, part), care_vars=others)
                    real = _assign(
                        real,
                        (
                            (d, self._values[d][self._decode(d, member)])
                            for d in self.chars
                            if d not in dims
                        ),
                    )
                given = bdd.cube(bits)
                choices = available_choices(story, real)
                if not choices:
                    self._record_stuck(node.id, depth, group, part & given)
                    continue
                for choice in choices:
                    self.taken.add((node.id, choice.id))
                    child, _events = step(story, real, choice.id)
                    self.transitions += 1
                    to = self._group(child)
                    dropped, blank, kept = self._drop(here, touched, to, child)
                    made = self._bits(
                        (d, self.code(d, get(child, d)) if d in kept else 0)
                        for d in touched
                        if d in kept or d[0] == "c"  # a character no one reads has code 0
                    )
                    pair = given & bdd.cube({self.primed[v]: b for v, b in made.items()})
                    key = (node.choices.index(choice), to, dropped)
                    relations[key] = relations.get(key, bdd.false) | pair
                    blanks[(to, dropped)] = blank
                    reps.setdefault(to, child)
            for (position, to, dropped), relation in relations.items():
                image = self.let(rename, self.and_exists(part, relation, stepped + dropped))
                image &= blanks[(to, dropped)]
                new[to] = new.get(to, bdd.false) | image
                self.edges.setdefault((depth + 1, to), []).append(
                    _Edge(group, relation & among, stepped, position, to, dropped)
                )

    def _drop(
        self, here: frozenset[Dim] | set[Dim], touched: list[Dim], to: Group, child: GameState
    ) -> tuple[tuple[str, ...], BDD, frozenset[Dim]]:
        """What the child no longer reads: the untouched dimensions' variables to forget,
        the constant they take, and the touched dimensions the child keeps."""
        bitten = tuple(i for i in range(len(self.chars)) if child.roster[i].status == Status.BITTEN)
        key = (here, tuple(touched), to[0], to[1], to[4], bitten)
        found = self._drops.get(key)
        if found is None:
            keep = set(self.relevant(to[0], to[1]))
            keep.update(("c", i) for i in (*to[4], *bitten))
            gone = [d for d in self.dims if d in here and d not in keep and d not in touched]
            dropped = tuple(v for d in gone for v in self.vars[d])
            # Characters no one reads take code 0; what the child reads but the parent
            # left free (never, if the relevance is exact) takes it too.
            blank = [d for d in gone if d[0] == "c"]
            blank += [d for d in keep if d not in here and d not in touched and d[0] != "c"]
            found = (dropped, self._cube((d, 0) for d in blank), frozenset(keep))
            self._drops[key] = found
        return found

    def _record_stuck(self, node: str, depth: int, group: Group, states: BDD) -> None:
        self.stuck.setdefault(node, []).append(_Stuck(depth, group, states))
        self.stuck_sets[group] = self.stuck_sets.get(group, self.bdd.false) | states

    # --- witnesses ---
    def witness(self, depth: int, group: Group, states: BDD) -> Steps:
        """A shortest path from the start to a state of `states` (new at `depth`)."""
        bdd, nodes = self.bdd, self.story.nodes
        point = bdd.pick(states & self.levels[depth][group], care_vars=self.all_vars)
        steps: list[tuple[str, str]] = []
        while depth > 0:
            for edge in self.edges[(depth, group)]:
                made = {self.primed[v]: point[v] for v in edge.touched}
                given = self.let(made, edge.relation)
                if given == bdd.false:
                    continue
                before = self.levels[depth - 1].get(edge.parent, bdd.false) & given
                if before == bdd.false:
                    continue
                skip = set(edge.touched).union(edge.dropped)
                carried = {v: point[v] for v in self.all_vars if v not in skip}
                rest = self.let(carried, before)  # members that carry the point's values
                if rest != bdd.false:
                    picked = bdd.pick(rest)  # over the variables `rest` depends on
                    point = {**dict.fromkeys(skip, False), **carried, **picked}
                    node = nodes[edge.parent[0]]
                    steps.append((node.id, node.choices[edge.position].id))
                    depth, group = depth - 1, edge.parent
                    break
            else:  # every state of a set was reached by some edge into it
                raise AssertionError(f"no way back from {group[0]} at depth {depth}")
        return tuple(reversed(steps))

    def _first(self, group_sets: list[tuple[Group, BDD]]) -> tuple[int, Group, BDD] | None:
        """The shallowest depth at which one of these sets has a new state."""
        for depth, level in enumerate(self.levels):
            for group, states in group_sets:
                found = level.get(group)
                if found is not None and found & states != self.bdd.false:
                    return depth, group, states
        return None

    # --- findings ---
    def _count(self, u: BDD, group: Group) -> int:
        """The states of a set of `group` (its free variables are not counted)."""
        return int(self.bdd.count(u, nvars=self.present(group[0], group[1])[1]))

    def result(self, interrupted: bool = False) -> ExploreResult:
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
            merged=True,
            endings=[self._ending(n.id) for n in story.endings()],
            softlocks=self._softlocks(complete),
            never_available=never_available(story, self.taken, self.expanded),
            unreached_nodes=[n for n in story.nodes if n not in self.expanded],
            final_rosters=None,
            max_depth=max(len(self.levels) - 1, 0),
            symbolic=True,
        )

    def _ending(self, node_id: str) -> EndingReport:
        node = self.story.nodes[node_id]
        assert node.ending is not None
        first = self.first_ending.get(node.ending.id)
        if first is None:
            return EndingReport(node.ending.id, node.id, node.ending.title, 0, None, None)
        count = sum(self._count(u, g) for g, u in self.reached.items() if g[0] == node_id)
        depth, group = first
        witness = self.witness(depth, group, self.bdd.true)
        final = self.start
        for _node, choice in witness:
            final = step(self.story, final, choice)[0]
        return EndingReport(
            node.ending.id, node.id, node.ending.title, count, witness, survivors(final)
        )

    def _softlocks(self, complete: bool) -> list[Softlock]:
        found = []
        for node, records in self.stuck.items():
            first = min(records, key=lambda r: r.level)
            count = sum(self._count(r.given, r.group) for r in records)
            found.append(
                Softlock(
                    node, "no choice", count, self.witness(first.level, first.group, first.given)
                )
            )
        if complete:
            found += self._traps()
        return sorted(found, key=lambda s: len(s.witness))

    def _traps(self) -> list[Softlock]:
        """States that can still move but never reach an ending: the reached sets minus
        the least fixpoint of "some choice leads to a state that can end"."""
        bdd, story = self.bdd, self.story
        can_end = {g: u for g, u in self.reached.items() if story.nodes[g[0]].ending is not None}
        into: dict[Group, list[_Edge]] = {}
        for edges in self.edges.values():
            for edge in edges:
                into.setdefault(edge.child, []).append(edge)
        # Deepest groups first: most edges lead deeper, so a group is usually complete
        # before its parents read it, and each edge is worked through about once.
        deepest = {g: d for d, level in enumerate(self.levels) for g in level}
        todo = [(-deepest[g], n, g) for n, g in enumerate(can_end)]
        heapq.heapify(todo)
        queued = set(can_end)
        count = len(todo)
        while todo:
            child = heapq.heappop(todo)[2]
            queued.discard(child)
            ends = can_end[child]
            for edge in into.get(child, ()):
                after = bdd.exist(edge.dropped, ends) if edge.dropped else ends
                after = self.let({v: self.primed[v] for v in edge.touched}, after)
                primed = [self.primed[v] for v in edge.touched]
                back = self.and_exists(after, edge.relation, primed)
                before = self.reached[edge.parent] & back
                old = can_end.get(edge.parent, bdd.false)
                grown = old | before
                if grown != old:
                    can_end[edge.parent] = grown
                    if edge.parent not in queued:
                        queued.add(edge.parent)
                        count += 1
                        heapq.heappush(todo, (-deepest[edge.parent], count, edge.parent))
        traps: dict[str, list[tuple[Group, BDD]]] = {}
        for group, states in self.reached.items():
            if story.nodes[group[0]].ending is not None:
                continue
            left = states & ~can_end.get(group, bdd.false) & ~self.stuck_sets.get(group, bdd.false)
            if left != bdd.false:
                traps.setdefault(group[0], []).append((group, left))
        out = []
        for node, sets in traps.items():
            first = self._first(sets)
            assert first is not None
            count = sum(self._count(u, g) for g, u in sets)
            out.append(Softlock(node, "no way out", count, self.witness(*first)))
        return out
