"""The search by sets itself: depth after depth, each group's set stepped at once.

Owns: `SymbolicSearch` (the frontier, the sets reached at each depth, the steps between
them as relations, one more variable for a dimension when its values need it) and the
records it keeps for the findings (`Edge`, `Stuck`). How it works is told in
`engine.tools.symbolic`, which adds the findings (`SymbolicExplorer`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, step
from engine.runtime.state import GameState
from engine.runtime.world import Status
from engine.tools.symbolic_records import Drop, Edge, Outcome, Stuck
from engine.tools.symbolic_space import Dimensions
from engine.tools.symbolic_values import (
    BDD,
    BLANK,
    Dim,
    Group,
    TooManyValues,
    Widen,
    get,
    survivor_class,
)
from engine.tools.symbolic_values import assign as _assign

__all__ = ["SymbolicSearch", "TooManyValues"]

_BITTEN = Status.BITTEN


class SymbolicSearch(Dimensions):
    """A breadth-first search over sets of states; see `engine.tools.symbolic`."""

    def __init__(
        self,
        story: Story,
        seed: int = 0,
        max_steps: int | None = None,
        rosters: bool = False,
    ) -> None:
        super().__init__(story, census=rosters)
        self.seed = seed
        self.max_steps = max_steps  # real steps (one per split and choice), at most
        self._drops: dict[tuple[Any, ...], Drop] = {}
        self.start = initial_state(story, seed)
        self.reached: dict[Group, BDD] = {}
        self.levels: list[dict[Group, BDD]] = []  # the new states of each depth, by group
        self.rep: dict[Group, GameState] = {}  # a real state of each group
        self.edges: dict[tuple[int, Group], list[Edge]] = {}  # (child's depth, child)
        self.stuck: dict[str, list[Stuck]] = {}
        self.stuck_sets: dict[Group, BDD] = {}
        self.taken: set[tuple[str, str]] = set()
        self.expanded: set[str] = set()
        self.first_ending: dict[str, tuple[int, Group]] = {}
        self._counted: dict[Group, int] = {}  # states per group, when last counted
        self._uncounted: set[Group] = set()  # groups reached since
        self.transitions = 0
        self.stopped: str | None = None
        self._frontier: dict[Group, BDD] = {}
        self._new: dict[Group, BDD] = {}  # the sets the depth being expanded reached
        # Who is bitten in some state of a set, per group: of the frontier, of the next
        # depth (these are stepped with the clock: a bite runs out).
        self._bitten_now: dict[Group, frozenset[int]] = {}
        self._bitten_next: dict[Group, set[int]] = {}
        self.widenings: list[tuple[Dim, str]] = []  # (dimension, its new variable)
        self._cubes: dict[tuple[tuple[str, bool], ...], BDD] = {}
        group = self._group(self.start)
        while True:
            try:
                first = self._first_set(group)
                break
            except Widen as more:
                self._widen(more.dim)
        bitten = self.start.roster
        self._bitten_next[group] = {i for i, c in enumerate(bitten) if c.status == _BITTEN}
        self._add_new({group: first}, {group: self.start})

    def _group(self, s: GameState) -> Group:
        turn = s.turn if self.reads_turn else 0
        return (s.node, s.resume, s.episode, s.rng, s.just_turned, turn, s.visits, s.taken)

    def _first_set(self, group: Group) -> BDD:
        """The start state as a set, what no later step reads forgotten."""
        keep = self.relevant(group[0], group[1]) | {("c", i) for i in group[4]}
        counted = self.counts_later(group[0], group[1])
        codes = []
        for d in self.dims:
            value = get(self.start, d)
            if d in keep or (d[0] == "c" and value.status == _BITTEN):
                codes.append((d, self.code(d, value)))
            elif d[0] == "c":  # free, for the other dimensions
                codes.append((d, self.code(d, survivor_class(value)) if counted else 0))
        return self._cube(codes)

    def _count_new(self) -> None:
        """Count the groups reached since the last count: a group's set once per
        asking, not each depth's new states one by one."""
        for group in self._uncounted:
            self._counted[group] = self.count(self.reached[group], group)
        self._uncounted.clear()

    @property
    def states(self) -> int:
        """The distinct (projected) states reached so far."""
        self._count_new()
        return sum(self._counted.values())

    def reached_in(self, group: Group) -> int:
        """How many states of `group` are reached."""
        self._count_new()
        return self._counted[group]

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
        progress: Callable[[SymbolicSearch], None] | None = None,
        until: Callable[[], bool] | None = None,
    ) -> None:
        """Expand depth after depth until nothing new is reached, `until()` says so
        (asked before each set is stepped; `stopped` is then "time") or `max_steps`
        real steps are taken ("bound")."""
        while self._frontier and self.stopped is None:
            if self.max_steps is not None and self.transitions >= self.max_steps:
                self.stop("bound")  # a story with no end (a counter that grows for ever)
                return
            new: dict[Group, BDD] = {}
            reps: dict[Group, GameState] = {}
            self._new = new
            pending = list(self._frontier)
            for n, group in enumerate(pending):
                if until is not None and until():
                    self._leave(new, reps, pending[n:])
                    self.stop("time")  # a run left within a depth cannot go on
                    return
                self._commit(self._expand_widening(group, reps), new)
                if progress is not None:
                    progress(self)
            self._add_new(new, reps)

    def _expand_widening(self, group: Group, reps: dict[Group, GameState]) -> Outcome:
        """`_expand`, again after each widening (which changes the frontier's sets)."""
        while True:
            try:
                return self._expand(group, self._frontier[group], reps)
            except Widen as more:  # a value past the codes: widen, step again
                self._widen(more.dim)

    def _leave(
        self, new: dict[Group, BDD], reps: dict[Group, GameState], rest: list[Group]
    ) -> None:
        """Stop within a depth: what its stepped sets reached is kept (their steps
        are recorded), the sets not stepped stay pending with it."""
        left = {group: self._frontier[group] for group in rest}
        self._add_new(new, reps)
        for group, states in left.items():
            self._frontier[group] = self._frontier.get(group, self.bdd.false) | states

    def _add_new(self, new: dict[Group, BDD], reps: dict[Group, GameState]) -> None:
        level: dict[Group, BDD] = {}
        for group, states in new.items():
            old = self.reached.get(group)
            fresh = states if old is None else states & ~old
            if fresh != self.bdd.false:
                self.reached[group] = fresh if old is None else old | fresh
                level[group] = fresh
                self.rep.setdefault(group, reps[group])
                self._uncounted.add(group)
        if level:
            self.levels.append(level)
        self._frontier = level
        self._bitten_now = {g: frozenset(self._bitten_next.get(g, ())) for g in level}
        self._bitten_next = {}

    def _expand(self, group: Group, states: BDD, reps: dict[Group, GameState]) -> Outcome:
        """What a group's set steps to; nothing is kept until `_commit` (a `Widen` on
        the way means the set is stepped again with one more variable)."""
        bdd, story = self.bdd, self.story
        depth = len(self.levels) - 1
        rep = self.rep[group]
        node = story.nodes[group[0]]
        out = Outcome(depth, [], [], [], 0, {})
        self.expanded.add(node.id)
        if node.ending is not None:
            self.first_ending.setdefault(node.ending.id, (depth, group))
            return out
        static, counts = self.touched(group[0], group[1])
        dims = set(static) | {("c", i) for i in group[4]}
        dims.update(("c", i) for i in self._bitten_now[group])
        touched = [d for d in self.dims if d in dims]
        present, _ = self.present(group[0], group[1])
        split = [d for d in touched if d in present]  # the rest: written, not yet read
        names = tuple(v for d in split for v in self.vars[d])
        in_split = set(names)
        others = [v for v in self.all_vars if v not in in_split]
        stepped = tuple(v for d in touched for v in self.vars[d])
        unread = [(d, BLANK[d[0]]) for d in touched if d not in present]
        # No one outside the split is bitten in the set; the real state must agree, or
        # the clock would tick a bite that only the group's first state had.
        unread += [
            (d, BLANK["c"]) for d in self.chars if d not in dims and get(rep, d).status == _BITTEN
        ]
        named = self.relevant(group[0], group[1])
        here = frozenset(named | dims)
        if self.counts_later(group[0], group[1]):  # everyone holds a survivor class
            here = here.union(self.chars)
        counted = self._survivor_counts() if counts else [bdd.true]
        for among in counted:
            part = states & among if counts else states
            if part == bdd.false:
                continue
            # Each split is stepped once; its pairs (split, result) are gathered per
            # (choice, child, what the child forgets), then the whole set is stepped by
            # them at once (a relational product): one diagram operation per outcome.
            relations: dict[tuple[int, Group, Drop], BDD] = {}
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
                given = self._cube_cached(tuple(bits.items()))
                choices = available_choices(story, real)
                if not choices:
                    out.stuck.append((node.id, group, part & given))
                    continue
                for choice in choices:
                    self.taken.add((node.id, choice.id))
                    child, _events = step(story, real, choice.id)
                    out.transitions += 1
                    to = self._group(child)
                    bitten = tuple(i for i, c in enumerate(child.roster) if c.status == _BITTEN)
                    drop = self._drop(here, named, touched, to, bitten)
                    kept = drop.kept
                    made = self._bits(
                        (d, self.code(d, get(child, d)) if d in kept else self._unread(d, child))
                        for d in touched
                        if d in kept or d[0] == "c"  # unread: its survivor class or code 0
                    )
                    pair = given & self._cube_cached(
                        tuple((self.primed[v], b) for v, b in made.items())
                    )
                    if bitten:
                        out.bitten.setdefault(to, set()).update(bitten)
                    key = (node.choices.index(choice), to, drop)
                    relations[key] = relations.get(key, bdd.false) | pair
                    reps.setdefault(to, child)
            # One product per child (the choices that lead there stepped together);
            # who no one reads by name any more goes to their survivor class with it.
            joint: dict[tuple[Group, Drop], BDD] = {}
            for (_position, to, drop), relation in relations.items():
                joint[(to, drop)] = joint.get((to, drop), bdd.false) | relation
            classes: dict[Drop, BDD] = {}
            for (to, drop), relation in joint.items():
                classes[drop] = self.class_relation(drop.classed)
                moved = stepped + drop.classed_vars
                image = self.and_exists(part, relation & classes[drop], moved + drop.dropped)
                image = self.rename(image, moved, primed=False)
                out.images.append((to, image & drop.blank))
            for (position, to, drop), relation in relations.items():
                out.edges.append(
                    Edge(
                        group,
                        relation & classes[drop] & among,
                        stepped + drop.classed_vars,
                        position,
                        to,
                        drop.dropped,
                        frozenset(touched).union(drop.classed),
                        counts,
                        len(self.widenings),
                    )
                )
        return out

    def _commit(self, out: Outcome, new: dict[Group, BDD]) -> None:
        for to, image in out.images:
            new[to] = new.get(to, self.bdd.false) | image
        for edge in out.edges:
            self.edges.setdefault((out.depth + 1, edge.child), []).append(edge)
        for node, group, states in out.stuck:
            self.stuck.setdefault(node, []).append(Stuck(out.depth, group, states))
            self.stuck_sets[group] = self.stuck_sets.get(group, self.bdd.false) | states
        self.transitions += out.transitions
        for to, bites in out.bitten.items():
            self._bitten_next.setdefault(to, set()).update(bites)

    def holds(self, group: Group, d: Dim) -> bool:
        """Whether the sets of `group` hold a value of `d` (else it is free in them)."""
        return d[0] == "c" or d in self.relevant(group[0], group[1])

    def _widen(self, d: Dim) -> None:
        """Give `d` one more variable, 0 in every set the search goes on with."""
        name = self.declare(d)
        self.widenings.append((d, name))
        zero = ~self.bdd.var(name)
        self._drops.clear()
        for by_group in (self.reached, self._new, self.stuck_sets, self._frontier):
            for group, u in by_group.items():
                if self.holds(group, d):
                    by_group[group] = u & zero
        for records in self.stuck.values():
            records[:] = [
                r._replace(given=r.given & zero) if self.holds(r.group, d) else r for r in records
            ]

    def _cube_cached(self, bits: tuple[tuple[str, bool], ...]) -> BDD:
        found = self._cubes.get(bits)
        if found is None:
            found = self._cubes[bits] = self.bdd.cube(dict(bits))
        return found

    def _unread(self, d: Dim, child: GameState) -> int:
        """The code of a touched character the child does not read by name."""
        if self.counts_later(child.node, child.resume):
            return self.code(d, survivor_class(get(child, d)))
        return 0

    def _drop(
        self,
        here: frozenset[Dim] | set[Dim],
        named: frozenset[Dim],
        touched: list[Dim],
        to: Group,
        bitten: tuple[int, ...],
    ) -> Drop:
        """What the child (who is `bitten` in it) no longer reads of the parent's set
        (which holds `here`, `named` by a later step); see `Drop`."""
        key = (here, named, tuple(touched), to[0], to[1], to[4], bitten)
        found = self._drops.get(key)
        if found is None:
            keep = set(self.relevant(to[0], to[1]))
            keep.update(("c", i) for i in (*to[4], *bitten))
            gone = [d for d in self.dims if d in here and d not in keep and d not in touched]
            classed: tuple[Dim, ...] = ()
            if self.counts_later(to[0], to[1]):  # characters keep their survivor class
                classed = tuple(d for d in gone if d[0] == "c" and d in named)
                gone = [d for d in gone if d[0] != "c"]  # the others have it already
            dropped = tuple(v for d in gone for v in self.vars[d])
            # Characters no one reads take code 0; what the child reads but the parent
            # left free (never, if the relevance is exact) takes it too.
            blank = [d for d in gone if d[0] == "c"]
            blank += [d for d in keep if d not in here and d not in touched and d[0] != "c"]
            found = Drop(
                dropped,
                self._cube((d, 0) for d in blank),
                frozenset(keep),
                classed,
                tuple(v for d in classed for v in self.vars[d]),
            )
            self._drops[key] = found
        return found

    # --- findings ---
    def count(self, u: BDD, group: Group) -> int:
        """The states of a set of `group` (its free variables are not counted)."""
        return int(self.bdd.count(u, nvars=self.present(group[0], group[1])[1]))
