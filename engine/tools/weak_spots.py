"""What the story's text alone shows about its weak spots (no play, no exploration).

Owns: write-only flags and counters (set or added by some effect, read by no
condition), the decision nodes and the chains of single-option nodes among them, and
the bites and whether a script always resolves them before the infection clock does.
Works from the compiled story (`Condition.reads`, `walk_effects`, the node graph).

**Read** means named by some condition: a choice's `if:`, a text piece's `if:` (a flag
only read inside a text piece counts as read), or a `when:` effect's `if:`, nested ones
included.

**A bite resolved by script** (a static approximation): after the bite, every path of
the node graph (choice conditions ignored: all choices count as available) applies an
unconditional `turn:`, `kill:` or `cure:` of the bitten character, or reaches an
ending, before the incubation runs out. The window is the rest of the bite's step (the effects after
it, then the entered node's `do:`) and the next `incubation - 1` steps (each: the
choice's effects, then the entered node's `do:`); the clock strikes at the start of the
step after. A `when:` or `chance:` counts only when both of its branches resolve. A
`goto: $resume` inside the window counts as "the clock may strike" (where it leads
depends on the run).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from engine.runtime.conditions import Var
from engine.runtime.effects import (
    AddCounters,
    Bite,
    Chance,
    Cure,
    Effect,
    Kill,
    SetFlag,
    Turn,
    When,
    walk_effects,
)
from engine.runtime.graph import interrupt_nodes, reachable
from engine.runtime.model import Story
from engine.runtime.world import RESUME, TURNED_TARGET

__all__ = [
    "BiteSite",
    "Written",
    "bite_sites",
    "decision_nodes",
    "single_option_chains",
    "text_reads",
    "write_only",
]


class Written(NamedTuple):
    """A flag or counter some effect writes and no condition reads; `places` are where
    it is written (`node:choice`, or `node (on entry)`)."""

    kind: str  # "flag" or "counter"
    name: str
    places: tuple[str, ...]


class BiteSite(NamedTuple):
    """A bite in the story. `clock_path` is None when the text shows that a script always
    resolves it, else a path of nodes (from the node the bite's step enters) along which
    the clock may strike first. `never_by_clock`: a complete exploration saw the clock
    turn this character nowhere (set by `engine.tools.consequences`)."""

    node: str
    choice: str | None  # None: the node's own `do:`
    who: str
    incubation: int
    clock_path: tuple[str, ...] | None
    never_by_clock: bool = False

    @property
    def place(self) -> str:
        return f"{self.node}:{self.choice}" if self.choice else f"{self.node} (on entry)"

    @property
    def scripted(self) -> bool:
        """Always resolved by script: the text shows it, or no run ever lets the clock."""
        return self.clock_path is None or self.never_by_clock


def _places(story: Story) -> Iterator[tuple[str, str | None, tuple[Effect, ...]]]:
    """(node, choice or None for the node's own `do:`, effects) wherever there are
    effects: most choices have none (the place is named only where one writes)."""
    for node in story.nodes.values():
        if node.effects:
            yield node.id, None, node.effects
        for choice in node.choices:
            if choice.effects:
                yield node.id, choice.id, choice.effects


def _place(node: str, choice: str | None) -> str:
    return f"{node}:{choice}" if choice is not None else f"{node} (on entry)"


def text_reads(story: Story) -> frozenset[Var]:
    """What the story's prose reads: its text pieces' `if:`s and every `{...}` in node,
    piece and choice texts (a text showing `{trust}` reads it)."""
    reads: set[Var] = set()
    add = reads.update
    for node in story.nodes.values():
        if node.template is not None:
            add(node.template.reads)
        if type(node.text) is tuple:
            for piece in node.text:
                if piece.condition is not None:
                    add(piece.condition.reads)
                if piece.template is not None:
                    add(piece.template.reads)
        for choice in node.choices:
            if choice.template is not None:
                add(choice.template.reads)
    return frozenset(reads)


def _reads(story: Story) -> set[Var]:
    reads = set(text_reads(story))
    add = reads.update
    for node in story.nodes.values():
        for choice in node.choices:
            if choice.condition is not None:
                add(choice.condition.reads)
            if choice.unless is not None:
                add(choice.unless.reads)
    for _node, _choice, effects in _places(story):
        for effect in walk_effects(effects):
            for condition in effect.conditions():
                add(condition.reads)
    return reads


def write_only(story: Story) -> list[Written]:
    """Flags and counters that effects write but no condition reads, in story order."""
    writes: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for node, choice, effects in _places(story):
        for effect in walk_effects(effects):
            names: list[tuple[str, str]] = []
            if isinstance(effect, SetFlag):
                names.append(("flag", effect.flag))
            elif isinstance(effect, AddCounters):
                names += [("counter", story.counter_ids[i]) for i, _delta in effect.changes]
            for name in names:
                writes.setdefault(name, []).append((node, choice))
    reads = _reads(story)
    return [
        Written(kind, name, tuple(dict.fromkeys(_place(n, c) for n, c in places)))
        for (kind, name), places in writes.items()
        if (kind, name) not in reads
    ]


def decision_nodes(story: Story) -> list[str]:
    """The nodes where play stops for a choice: every node the start or an interrupt
    reaches through gotos that is not an ending, in story order."""
    seen = reachable(story, [story.start, *interrupt_nodes(story)])
    return [n.id for n in story.nodes.values() if n.id in seen and n.ending is None]


def single_option_chains(story: Story, nodes: Sequence[str]) -> list[tuple[str, ...]]:
    """The nodes among `nodes` with exactly one choice, as chains: each node of a chain
    has one choice, which leads to the next. Every such node is in one chain; chains
    come longest first (a lone node is a chain of one)."""
    single = [n for n in nodes if len(story.nodes[n].choices) == 1]
    members = set(single)
    following = {
        n: story.nodes[n].choices[0].goto
        for n in single
        if story.nodes[n].choices[0].goto in members
    }
    heads = set(following.values())
    seen: set[str] = set()
    chains: list[tuple[str, ...]] = []
    for node in [n for n in single if n not in heads] + single:  # loops have no head
        if node in seen:
            continue
        chain = [node]
        seen.add(node)
        while chain[-1] in following and following[chain[-1]] not in seen:
            chain.append(following[chain[-1]])
            seen.add(chain[-1])
        chains.append(tuple(chain))
    return sorted(chains, key=len, reverse=True)


# --- bites ---


def _resolves(effects: Sequence[Effect], who: int) -> bool:
    """Whether `effects` surely turn, kill or cure character `who`."""
    for effect in effects:
        if isinstance(effect, Turn | Kill | Cure) and effect.who == who:
            return True
        if isinstance(effect, When | Chance) and (
            _resolves(effect.then, who) and _resolves(effect.otherwise, who)
        ):
            return True
    return False


def _bites(
    effects: Sequence[Effect], later: tuple[Sequence[Effect], ...] = ()
) -> Iterator[tuple[Bite, tuple[Sequence[Effect], ...]]]:
    """Every bite in `effects` (nested ones too), with the effect lists applied after
    it in the same step (innermost first)."""
    for i, effect in enumerate(effects):
        after = (effects[i + 1 :], *later)
        if isinstance(effect, Bite):
            yield effect, after
        elif isinstance(effect, When | Chance):
            yield from _bites(effect.then, after)
            yield from _bites(effect.otherwise, after)


class _Clock:
    """Where the clock can strike before a script resolves one bitten character.

    `open[l]`: the nodes from which, with `l` steps left before the clock strikes, some
    path resolves nothing. Each set holds the next, so they stop changing after at most
    as many steps as the story has nodes, however long the incubation."""

    def __init__(self, story: Story, who: int) -> None:
        self.story = story
        self.who = who
        self.open: list[set[str]] = [{n.id for n in story.nodes.values() if n.ending is None}]
        self.fixed = False  # the sets stopped changing

    def entered(self, target: str) -> tuple[str, ...] | None:
        """None when entering `target` ends the run or resolves the bite; `($resume,)`
        when where it leads is not known; else ()."""
        if target == RESUME:
            return (RESUME,)
        node = self.story.nodes[target]
        if node.ending is not None or _resolves(node.effects, self.who):
            return None
        return ()

    def _unresolved(self, node_id: str, left: int) -> list[tuple[str, tuple[str, ...]]]:
        """The (goto, what entering it gives) of the choices at `node_id` that resolve
        nothing themselves and lead on to an open node (with `left - 1` steps left)."""
        found = []
        for choice in self.story.nodes[node_id].choices:
            if _resolves(choice.effects, self.who):
                continue
            entered = self.entered(choice.goto)
            if entered is None:
                continue
            if entered or choice.goto in self.at(left - 1):
                found.append((choice.goto, entered))
        return found

    def at(self, left: int) -> set[str]:
        while len(self.open) <= left and not self.fixed:
            last = len(self.open)
            before = self.open[-1]
            now = {n for n in before if self._unresolved(n, last)}
            self.fixed = now == before
            if not self.fixed:
                self.open.append(now)
        return self.open[min(left, len(self.open) - 1)]

    def path(self, node_id: str, left: int) -> tuple[str, ...] | None:
        """None when every path from `node_id`, `left` steps before the clock strikes,
        resolves the bite; else the nodes of one path that does not."""
        if node_id not in self.at(left):
            return None
        path = [node_id]
        while left > 0:
            goto, entered = self._unresolved(path[-1], left)[0]
            if entered:
                return (*path, *entered)
            path.append(goto)
            left -= 1
            if len(path) > len(self.story.nodes):  # a loop: the rest repeats it
                break
        return tuple(path)


def bite_sites(story: Story) -> list[BiteSite]:
    """Every bite of a named character, and whether a script always resolves it."""
    found: list[BiteSite] = []
    for node_id, choice_id, effects in _places(story):
        node = story.nodes[node_id]
        for bite, after in _bites(effects):
            if bite.who == TURNED_TARGET:
                continue
            cid = story.cast_ids[bite.who]
            turns = bite.turns or story.cast[cid].incubation or story.incubation
            path = _after_bite(story, node.id, choice_id, bite.who, after, turns)
            found.append(BiteSite(node.id, choice_id, cid, turns, path))
    return found


def _after_bite(
    story: Story,
    node_id: str,
    choice_id: str | None,
    who: int,
    after: tuple[Sequence[Effect], ...],
    turns: int,
) -> tuple[str, ...] | None:
    if any(_resolves(effects, who) for effects in after):
        return None
    clock = _Clock(story, who)
    target = node_id
    if choice_id is not None:
        target = story.nodes[node_id].choice_map[choice_id].goto
        entered = clock.entered(target)
        if entered is None or entered:
            return entered
    elif story.nodes[node_id].ending is not None:
        return None
    return clock.path(target, turns - 1)
