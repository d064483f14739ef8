"""Which parts of a state the future can still read: the explorer's state merging.

Owns: a backward liveness analysis over the node graph. live(N) holds what N's choices
read (their conditions and the `when` conditions inside their effects, nested ones
included) and, for every node T a step from N may enter (its gotos and the on_turn
interrupt nodes), what T's entry effects read and live(T). A `$resume` goto leads to the
state's pending resume node, so that node's needs are added per state. It works from
the compiled conditions' `reads` (`engine.runtime.conditions`): no story file is read.
Variables a question about every state reads (`hyosan reach`) can be kept everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import NamedTuple

from engine.runtime.conditions import Var
from engine.runtime.effects import Effect, walk_effects
from engine.runtime.graph import interrupt_nodes
from engine.runtime.model import Node, Story
from engine.runtime.world import RESUME

__all__ = ["Projection", "Relevance"]


def _effect_reads(effects: tuple[Effect, ...]) -> frozenset[Var]:
    out: set[Var] = set()
    for effect in walk_effects(effects):
        for condition in effect.conditions():
            out |= condition.reads
    return frozenset(out)


def _choice_reads(node: Node) -> frozenset[Var]:
    out: set[Var] = set()
    for choice in node.choices:
        if choice.condition is not None:
            out |= choice.condition.reads
        if choice.unless is not None:  # decides whether a shown choice can be taken
            out |= choice.unless.reads
        out |= _effect_reads(choice.effects)
    return frozenset(out)


_Pick = Callable[[tuple[int, ...]], tuple[int, ...]]


class Projection(NamedTuple):
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


class Relevance:
    """Per node, the variables some future step may read; `keep` is read everywhere."""

    def __init__(self, story: Story, keep: frozenset[Var] = frozenset()) -> None:
        self.story = story
        self.keep = keep
        reads = {n.id: _choice_reads(n) for n in story.nodes.values()}
        self.entry = {n.id: _effect_reads(n.effects) for n in story.nodes.values()}
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
        return Projection(
            frozenset(named["flag"]),
            _picker(sorted(story.counter_index[c] for c in named["counter"])),
            _picker(sorted(story.item_index[i] for i in named["item"])),
            frozenset(named["visited"]),
        )
