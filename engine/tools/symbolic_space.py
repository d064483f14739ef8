"""The dimensions of the search by sets: how a state's parts are coded as diagram variables.

Owns: `Dimensions` (each character, flag, counter, item and visited node of a story as a
few variables of a binary decision diagram manager, one more as its values need them
(`Widen`), the codes of the values they took, what a step at a node reads or changes:
`touched`, and what a later step may read: `relevant`, `counts_later`), `TooManyValues`,
what `survivors()` sees of a character (`survivor_class`), and the helpers that read and
write a dimension of a real `GameState`. `engine.tools.symbolic` searches with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.runtime.conditions import Var
from engine.runtime.effects import (
    AddCounters,
    Bite,
    Chance,
    Cure,
    Effect,
    GiveItem,
    Kill,
    Move,
    Reveal,
    SetCounters,
    SetFlag,
    TakeItem,
    Turn,
    When,
    walk_effects,
)
from engine.runtime.graph import interrupt_nodes
from engine.runtime.model import Story
from engine.runtime.world import RESUME, TURNED_TARGET
from engine.tools.relevance import SURVIVORS, TOUCHED, Relevance
from engine.tools.symbolic_values import (
    BDD,
    BLANK,
    LIMIT,
    Dim,
    TooManyValues,
    Widen,
    counts_as_survivor,
    survivor_class,
)

__all__ = ["Dimensions"]

CACHE_ENTRIES = 2**21  # CUDD's computed table, at most (a few tens of MB)


def _manager() -> tuple[Any, Any]:
    """A diagram manager and its "exists qvars: u and v" in one pass."""
    try:
        from dd import cudd

        return cudd.BDD(), cudd.and_exists
    except ImportError:  # no compiled CUDD for this platform: the same API in Python
        from dd import autoref

        bdd = autoref.BDD()
        return bdd, lambda u, v, qvars: bdd.exist(qvars, u & v)


class Dimensions:
    """A story's dimensions as diagram variables; see the module docstring."""

    def __init__(self, story: Story, census: bool = False) -> None:
        self.story = story
        self.census = census  # every character is kept: the final rosters are counted
        self.bdd, self.and_exists = _manager()
        # Sifting as the diagrams grow cost ten times the search it saved (RESULTS 5g);
        # a bounded cache keeps the memory down for little time.
        self.bdd.configure(reordering=False, max_cache_hard=CACHE_ENTRIES)
        self.relevance = Relevance(story)
        self.reads_turn = self.relevance.reads_turn
        cast = len(story.cast_ids)
        self.dims: list[Dim] = [("c", i) for i in range(cast)]
        self.dims += [("f", f) for f in sorted(story.flags)]
        self.dims += [("k", j) for j in range(len(story.counter_index))]
        self.dims += [("i", j) for j in range(len(story.item_index))]
        self.dims += [("v", n) for n in sorted(story.tracked_visits)]
        self.chars = self.dims[:cast]
        self._interrupts = tuple(interrupt_nodes(story))
        self._touch: dict[tuple[str, str | None], tuple[frozenset[Dim], bool]] = {}
        self._index = {d: n for n, d in enumerate(self.dims)}
        self.vars: dict[Dim, tuple[str, ...]] = {}
        self.primed: dict[str, str] = {}  # each variable's copy for a step's result
        self.all_vars: list[str] = []
        self._counts: dict[tuple[int, ...], list[BDD]] = {}
        self._present: dict[tuple[str, str | None], tuple[frozenset[Dim], int]] = {}
        # Every variable a dimension may need is declared up front, in the order of the
        # diagrams (CUDD builds a cube in the order of declaration: out of order, each
        # cube of many variables costs their number squared); a dimension uses one,
        # and one more as its values need (`code`, `declare`). An unused variable is
        # free in every set: it costs no node.
        self._spare: dict[Dim, list[str]] = {}
        for d in self._order():
            n = self._index[d]
            self._spare[d] = [f"d{n}b{b}" for b in range(LIMIT[d[0]])]
            for name in self._spare[d]:  # side by side: a step's relation stays small
                self.primed[name] = "p" + name[1:]
                self.bdd.declare(name, self.primed[name])
            self.vars[d] = ()
            self.declare(d)
        self._codes: dict[Dim, dict[Any, int]] = {d: {BLANK[d[0]]: 0} for d in self.dims}
        self._values: dict[Dim, list[Any]] = {d: [BLANK[d[0]]] for d in self.dims}
        self._relevant: dict[tuple[str, str | None], frozenset[Dim]] = {}
        self._counts_later: dict[tuple[str, str | None], bool] = {}
        self._same: dict[tuple[str, ...], BDD] = {}  # (v <=> v') over some variables

    def _order(self) -> list[Dim]:
        """The dimensions in the variables' order: the characters (every step may read
        them), then the rest, those a step touches furthest from the start first. An
        operation costs the diagram nodes above the variables it works on; the
        dimensions not read yet are free (no node), so the ones touched at a point of
        the story are near the top there."""
        story = self.story
        far = {story.start: 0}
        todo = [story.start]
        for node in todo:  # breadth first: how many steps from the start
            for target in {c.goto for c in story.nodes[node].choices} - {RESUME}:
                if target not in far:
                    far[target] = far[node] + 1
                    todo.append(target)
        last = dict.fromkeys(self.dims, -1)
        for node, distance in far.items():
            for d in self.touched(node, None)[0]:
                last[d] = max(last[d], distance)
        rest = [d for d in self.dims if d[0] != "c"]
        return self.chars + sorted(rest, key=lambda d: -last[d])

    def rename(self, u: BDD, names: tuple[str, ...], primed: bool) -> BDD:
        """`u` with the variables `names` moved to their primed copies (or back, the
        names then being unprimed ones): exists the old. u and (old <=> new). A copy
        sits beside its variable, so this product is cheaper than CUDD's own swap,
        which rebuilds every node through a table of its own."""
        if not names:
            return u
        same = self._same.get(names)
        if same is None:
            same = self.bdd.true
            for v in reversed(names):
                same &= self.bdd.apply("<=>", self.bdd.var(v), self.bdd.var(self.primed[v]))
            self._same[names] = same
        old = names if primed else tuple(self.primed[v] for v in names)
        return self.and_exists(u, same, old)

    def let(self, definitions: dict[str, Any], u: BDD) -> BDD:
        """`u` with variables renamed or set (`dd` warns when there are none)."""
        return self.bdd.let(definitions, u) if definitions else u

    # --- coding values ---
    def declare(self, d: Dim) -> str:
        """One more variable for `d`'s codes (its primed copy comes with it): a
        dimension pays only for the values it takes. Returns its name."""
        name = self._spare[d].pop(0)
        self.vars[d] += (name,)
        self.all_vars.append(name)
        self._counts.clear()  # counts over the variables there were
        self._present.clear()
        return name

    def code(self, d: Dim, value: Any) -> int:
        """`value`'s code in `d` (a new value takes the next); `Widen` when the code
        needs one more variable than `d` has."""
        codes = self._codes[d]
        found = codes.get(value)
        if found is None:
            values = self._values[d]
            if len(values) >= 1 << LIMIT[d[0]]:
                raise TooManyValues(d, self._name(d))
            found = codes[value] = len(values)
            values.append(value)
        if found >> len(self.vars[d]):
            raise Widen(d)
        return found

    def _name(self, d: Dim) -> str:
        """How the story names a dimension (its id)."""
        kind, x = d
        index = {"c": self.story.cast_index, "k": self.story.counter_index}.get(kind)
        index = self.story.item_index if kind == "i" else index
        if index is None:
            return repr(x)
        return repr(next(name for name, at in index.items() if at == x))

    def _bits(self, codes: Iterable[tuple[Dim, int]]) -> dict[str, bool]:
        bits: dict[str, bool] = {}
        for d, c in codes:
            for b, name in enumerate(self.vars[d]):
                bits[name] = bool(c >> b & 1)
        return bits

    def _cube(self, codes: Iterable[tuple[Dim, int]]) -> BDD:
        return self.bdd.cube(self._bits(codes))

    def _decode(self, d: Dim, bits: dict[str, bool]) -> int:
        return sum(1 << b for b, name in enumerate(self.vars[d]) if bits[name])

    def values(self, d: Dim) -> list[Any]:
        """The values `d` took so far, by code."""
        return self._values[d]

    def _survivor_counts(self) -> list[BDD]:
        """Per number n, the set where exactly n characters are alive with the group."""
        sig = tuple(len(self._values[d]) for d in self.chars)
        found = self._counts.get(sig)
        if found is None:
            alive = []
            for d in self.chars:
                who = self.bdd.false
                for c, v in enumerate(self._values[d]):
                    if c and counts_as_survivor(v):
                        who |= self._cube([(d, c)])
                alive.append(who)
            found = self._counts[sig] = self.exactly(alive)
        return found

    def exactly(self, alive: list[BDD]) -> list[BDD]:
        """Per number n, the set where exactly n of the sets `alive` hold."""
        bdd = self.bdd
        exact = [bdd.true]
        for who in alive:
            exact = [
                (exact[n] & ~who if n < len(exact) else bdd.false)
                | (exact[n - 1] & who if n else bdd.false)
                for n in range(len(exact) + 1)
            ]
        return exact

    # --- what a node reads and touches ---
    def _var_dims(self, reads: Iterable[Var]) -> set[Dim]:
        story, out = self.story, set[Dim]()
        for kind, name in reads:
            if kind in ("character", TOUCHED):
                out.add(("c", story.cast_index[name]))
            elif kind == "flag":
                out.add(("f", name))
            elif kind == "counter":
                out.add(("k", story.counter_index[name]))
            elif kind == "item":
                out.add(("i", story.item_index[name]))
            elif kind == "visited":
                out.add(("v", name))
        return out

    def _effect_dims(self, effects: tuple[Effect, ...]) -> tuple[set[Dim], bool]:
        """The dimensions effects read or change; whether they read `survivors`."""
        out, counts = set[Dim](), False
        for e in walk_effects(effects):
            for condition in e.conditions():
                out |= self._var_dims(condition.reads)
                counts = counts or SURVIVORS in condition.reads
            if isinstance(e, Bite | Turn | Kill | Cure | Move | Reveal):
                if e.who != TURNED_TARGET:  # those who turn are bitten or just turned
                    out.add(("c", e.who))
            elif isinstance(e, SetFlag):
                out.add(("f", e.flag))
            elif isinstance(e, GiveItem | TakeItem):
                out.add(("i", e.item))
            elif isinstance(e, AddCounters):
                out.update(("k", j) for j, _ in e.changes)
            elif isinstance(e, SetCounters):
                out.update(("k", j) for j, _ in e.values)
            elif not isinstance(e, Chance | When):  # an effect this search does not know
                out.update(self.dims)
        return out, counts

    def _entered(self, target: str) -> tuple[set[Dim], bool]:
        dims, counts = self._effect_dims(self.story.nodes[target].effects)
        if target in self.story.tracked_visits:
            dims.add(("v", target))
        return dims, counts

    def touched(self, node: str, resume: str | None) -> tuple[frozenset[Dim], bool]:
        """The dimensions a step from (node, resume) may read or change, and whether it
        reads how many survive (then the set is split by that number, not by everyone)."""
        found = self._touch.get((node, resume))
        if found is None:
            out, counts = set[Dim](), False
            targets = set(self._interrupts)
            for choice in self.story.nodes[node].choices:
                for condition in (choice.condition, choice.unless):
                    if condition is not None:
                        out |= self._var_dims(condition.reads)
                        counts = counts or SURVIVORS in condition.reads
                dims, reads = self._effect_dims(choice.effects)
                out, counts = out | dims, counts or reads
                goto = choice.goto
                targets.add((resume or self.story.start) if goto == RESUME else goto)
            for target in targets:
                dims, reads = self._entered(target)
                out, counts = out | dims, counts or reads
            found = self._touch[(node, resume)] = (frozenset(out), counts)
        return found

    def present(self, node: str, resume: str | None) -> tuple[frozenset[Dim], int]:
        """The dimensions the sets at (node, resume) hold a value of, and their variables'
        number: every character (code 0 where no later step reads it) and the other
        dimensions a later step may read. The others are left free: no diagram node at
        all, where a constant would cost a node per variable on every path below."""
        found = self._present.get((node, resume))
        if found is None:
            dims = frozenset(self.chars).union(
                d for d in self.relevant(node, resume) if d[0] != "c"
            )
            found = self._present[(node, resume)] = (dims, sum(len(self.vars[d]) for d in dims))
        return found

    def relevant(self, node: str, resume: str | None) -> frozenset[Dim]:
        """The dimensions a later step may read by name (where `survivors` is read, also
        the characters an effect changes later: they change what it counts); with the
        census, every character (the final roster reads them all)."""
        found = self._relevant.get((node, resume))
        if found is None:
            needs = self.relevance.needs(node, resume)
            counted = SURVIVORS in needs
            dims = self._var_dims(v for v in needs if v[0] != TOUCHED or counted)
            if self.census:  # the final roster reads everyone, at the end
                dims.update(self.chars)
            found = self._relevant[(node, resume)] = frozenset(dims)
        return found

    def counts_later(self, node: str, resume: str | None) -> bool:
        """Whether a later step reads `survivors`: then a character no step reads by
        name any more still counts, as a survivor or not (`survivor_class`)."""
        found = self._counts_later.get((node, resume))
        if found is None:
            found = self._counts_later[(node, resume)] = SURVIVORS in self.relevance.needs(
                node, resume
            )
        return found

    def class_relation(self, chars: tuple[Dim, ...]) -> BDD:
        """The pairs (a character's code, its class's code: primed) for each of `chars`:
        all a later `survivors` reads of a character no one reads by name."""
        out = self.bdd.true
        for d in chars:
            pairs = self.bdd.false
            for c, value in enumerate(self._values[d]):
                made = self.code(d, survivor_class(value))
                bits = self._bits([(d, c)])
                bits.update((self.primed[v], b) for v, b in self._bits([(d, made)]).items())
                pairs |= self.bdd.cube(bits)
            out &= pairs
        return out
