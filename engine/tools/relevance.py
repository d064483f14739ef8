"""Which parts of a state the future can still read: the explorer's state merging.

Owns: a backward liveness analysis over the node graph. live(N) holds what N's choices
read (their conditions and the `when` conditions inside their effects, nested ones
included) and, for every node T a step from N may enter (its gotos and the on_turn
interrupt nodes), what T's entry effects read and live(T). A `$resume` goto leads to the
state's pending resume node, so that node's needs are added per state. It works from
the compiled conditions' `reads` (`engine.runtime.conditions`): no story file is read.
Variables a question about every state reads (`hyosan reach`) can be kept everywhere.

Characters: a condition naming one (`alive('x')`, `place('x')`, ...) reads
("character", x), `survivors` reads how many are alive with the group (the key keeps
that count of the characters it leaves out), and a `bite:` or `turn:` aimed at one
counts as a read of them (whether it takes depends on their status, and shows later:
the clock, who just turned). A kill, cure, move or reveal changes only the character it
aims at: it marks them ("touched", x), which keeps them only where `survivors` is read
later (their part of the count can still change); where neither is, their fate is
never read again. An effect aimed at `$turned` adds nothing here: its targets are those
who just turned (kept by the key, `engine.tools.explore_key`) or who turn on that very
step (bitten ones, kept by the key, or named by a `turn:`, read here). The rules read
nothing else of the roster during a step but the bitten (the infection clock, the
on_turn diversion), which the key also keeps. `census=True` keeps every character
everywhere (for the final-roster census).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import NamedTuple

from engine.runtime.conditions import Var
from engine.runtime.effects import Bite, Effect, Turn, walk_effects
from engine.runtime.graph import interrupt_nodes
from engine.runtime.model import Node, Story
from engine.runtime.world import RESUME, TURNED_TARGET

__all__ = ["Projection", "Relevance"]


SURVIVORS: Var = ("builtin", "survivors")
"""Read by `survivors`: how many characters are alive and with the group."""
TOUCHED = "touched"
"""("touched", c): a kill, cure, move or reveal aimed at c. It changes c alone, so it
matters only when c is read later, or when `survivors` is (c's part of the count)."""


def _effect_reads(effects: tuple[Effect, ...], cast: tuple[str, ...]) -> frozenset[Var]:
    out: set[Var] = set()
    for effect in walk_effects(effects):
        for condition in effect.conditions():
            out |= condition.reads
        who = getattr(effect, "who", None)  # bite, reveal, turn, kill, cure, move
        if not isinstance(who, int) or who == TURNED_TARGET:
            continue
        # Whether a bite takes or a turn happens shows later (the clock, who just
        # turned); the others change only the character they aim at.
        out.add(("character" if isinstance(effect, Bite | Turn) else TOUCHED, cast[who]))
    return frozenset(out)


def _choice_reads(node: Node, cast: tuple[str, ...]) -> frozenset[Var]:
    out: set[Var] = set()
    for choice in node.choices:
        if choice.condition is not None:
            out |= choice.condition.reads
        if choice.unless is not None:  # decides whether a shown choice can be taken
            out |= choice.unless.reads
        out |= _effect_reads(choice.effects, cast)
    return frozenset(out)


_Pick = Callable[[tuple[int, ...]], tuple[int, ...]]


class Projection(NamedTuple):
    """Picks the parts of a state that matter at one (node, resume)."""

    flags: frozenset[str]
    counters: _Pick
    items: _Pick
    visited: frozenset[str]
    characters: frozenset[int] | None = None  # by index; None: every character
    survivors: bool = False  # `survivors` is read later: count the others who survive


def _picker(indexes: list[int]) -> _Pick:
    if not indexes:
        return lambda values: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda values: (values[only],)
    pick: _Pick = itemgetter(*indexes)
    return pick


class Relevance:
    """Per node, the variables some future step may read; `keep` is read everywhere."""

    def __init__(
        self, story: Story, keep: frozenset[Var] = frozenset(), *, census: bool = False
    ) -> None:
        self.story = story
        self.keep = keep
        self.census = census
        cast = story.cast_ids
        reads = {n.id: _choice_reads(n, cast) for n in story.nodes.values()}
        self.entry = {n.id: _effect_reads(n.effects, cast) for n in story.nodes.values()}
        interrupts = set(interrupt_nodes(story))
        self.resumes = {
            n.id for n in story.nodes.values() if any(c.goto == RESUME for c in n.choices)
        }
        succ = {
            n.id: {c.goto for c in n.choices if c.goto != RESUME} | interrupts
            for n in story.nodes.values()
            if n.ending is None
        }
        self.live = self._fixpoint(reads, succ)
        everything: Iterable[frozenset[Var]] = (*reads.values(), *self.entry.values())
        self.reads_turn = any(("builtin", "turn") in v for v in (*everything, keep))

    def _fixpoint(
        self, reads: dict[str, frozenset[Var]], succ: dict[str, set[str]]
    ) -> dict[str, frozenset[Var]]:
        """The least solution of live(N) = reads(N) | entry(T) | live(T) for every
        successor T, by a worklist: a node is recomputed only when a successor grew, so
        a large story costs about one pass per edge instead of one pass per change."""
        preds: dict[str, list[str]] = {}
        for node, targets in succ.items():
            for target in targets:
                preds.setdefault(target, []).append(node)
        live = dict(reads)
        todo = list(succ)
        queued = set(todo)
        while todo:
            node = todo.pop()
            queued.discard(node)
            new = live[node].union(*(self.entry[t] | live[t] for t in succ[node]))
            if new != live[node]:
                live[node] = new
                for pred in preds.get(node, ()):
                    if pred not in queued:
                        queued.add(pred)
                        todo.append(pred)
        return live

    def needs(self, node: str, resume: str | None) -> frozenset[Var]:
        """What may still be read from a state at `node` with `resume` pending."""
        later = resume or (self.story.start if node in self.resumes else None)
        extra = self.entry[later] | self.live[later] if later is not None else frozenset()
        return self.live[node] | extra | self.keep

    def projection(self, node: str, resume: str | None) -> Projection:
        """What to keep of a state at (node, resume): the rest cannot change its future."""
        needs = self.needs(node, resume)
        named = {
            k: {name for kind, name in needs if kind == k}
            for k in ("flag", "counter", "item", "visited")
        }
        story = self.story
        characters: frozenset[int] | None = None
        if not self.census:
            index = story.cast_index
            kinds = {"character", TOUCHED} if SURVIVORS in needs else {"character"}
            characters = frozenset(index[c] for kind, c in needs if kind in kinds)
        return Projection(
            frozenset(named["flag"]),
            _picker(sorted(story.counter_index[c] for c in named["counter"])),
            _picker(sorted(story.item_index[i] for i in named["item"])),
            frozenset(named["visited"]),
            characters,
            SURVIVORS in needs,
        )
