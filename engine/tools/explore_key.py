"""The explorer's state key: one small int per distinct state, cheap to compute and store.

Owns: `StateKeys` (a `GameState` -> an int that is equal for two states exactly when
their futures are the same) and the list of `GameState` fields the key treats by name.

What goes in: the node, each character a later step can read (status, place,
incubation left, hidden bite: see below), the episode, the pending `$resume`, who just
turned, the generator, and the inventory, flags, counters and visited nodes that a later
condition can still read (the relevance analysis, `engine.tools.relevance`, precomputed
per node). The turn goes in only when a condition reads it. The log and the path are
history, not state: they are left out.
The visit counts and the once-only choices taken are kept whole, and so is any other
field of `GameState` (one added later): a new field can never be dropped by mistake, and
`tests/test_explore_key.py` fails until it is named here.

Characters: one no later condition or effect reads at the state's (node, resume) (the
relevance analysis) is replaced by a constant, unless they are bitten (the infection
clock can still turn them and divert play) or just turned (a `$turned` effect on the
next step acts on them). Where a later `survivors` reads them, nothing can change a
character left out any more (an effect aimed at them keeps them there), so how many of
them are alive with the group is all the key keeps of them.
A real state is still what the search expands: only the key merges. The final-roster
census (`Relevance(..., census=True)`) and `merges=False` keep every character.

How it is packed: each distinct character state becomes a small code and a roster the
bytes of its codes, interned to a number; everything else (projected) is a tuple
interned to a number; the key is `(roster number, rest number, node index)` packed
into one int. Equal parts are stored once, so a million states cost tens of MB.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from engine.runtime.model import Story
from engine.runtime.state import CharState, GameState
from engine.runtime.world import Place, Status
from engine.tools.relevance import Projection, Relevance

__all__ = ["DROPPED_FIELDS", "KEYED_FIELDS", "WHOLE_FIELDS", "StateKeys", "bare"]

KEYED_FIELDS = frozenset(
    {
        "node",
        "turn",
        "episode",
        "roster",
        "inventory",
        "flags",
        "counters",
        "visited",
        "rng",
        "resume",
        "just_turned",
    }
)
"""Fields the key reads by name (the turn only when a condition reads it; inventory,
flags, counters and visited through the relevance projection)."""

WHOLE_FIELDS = frozenset({"visits", "taken"})
"""Fields kept whole, as any field not named here would be: how often each counted node
was entered, the once-only choices taken (both can change what is offered later)."""

DROPPED_FIELDS = frozenset({"log", "path"})
"""History: what happened, never read by the rules to decide what happens next."""

_FIELDS: tuple[str, ...] = GameState._fields
_EXTRA = tuple(i for i, f in enumerate(_FIELDS) if f not in KEYED_FIELDS | DROPPED_FIELDS)
_DROP = tuple(i for i, f in enumerate(_FIELDS) if f in DROPPED_FIELDS)
_ROSTER = _FIELDS.index("roster")
_SHARED = tuple(  # values interned by `compact`: tuples and sets, equal ones stored once
    i for i, f in enumerate(_FIELDS) if f not in DROPPED_FIELDS | {"node", "turn", "roster"}
)
_MEMO_LIMIT = 200_000  # entries of the roster projection's memo before a reset
_SHARED_LIMIT = 50_000  # distinct shared values kept before a reset (flag sets differ a lot)
_UNREAD = CharState(Status.DEAD, "")  # a character no later step reads (no real place is "")
_new = tuple.__new__


def bare(state: GameState) -> GameState:
    """`state` without its history (log and path): what the search keeps of a state."""
    values = list(state)
    for i in _DROP:
        values[i] = None
    result: GameState = _new(GameState, values)
    return result


class StateKeys:
    """Computes state keys for one story; `merges=False` keeps every value (--exact)."""

    def __init__(self, story: Story, relevance: Relevance, merges: bool) -> None:
        self.story = story
        self.relevance = relevance
        self.merges = merges
        self.reads_turn = relevance.reads_turn
        self.node_ids: tuple[str, ...] = tuple(story.nodes)
        self.node_index = {node: i for i, node in enumerate(self.node_ids)}
        self._node_span = len(self.node_ids) + 1
        self._chars: dict[CharState, int] = {}
        self._rosters: dict[bytes, int] = {}
        self._roster_objects: list[tuple[CharState, ...]] = []
        self._shared: dict[Any, Any] = {}
        self._rests: dict[tuple[Any, ...], int] = {}
        self._projections: dict[tuple[str, str | None], tuple[int, Projection]] = {}
        self._last_roster: tuple[CharState, ...] | None = None
        self._last_roster_id = 0
        self._kept: dict[tuple[CharState | int, ...], int] = {}  # projected rosters
        self._kept_memo: dict[tuple[int, int, tuple[int, ...]], tuple[int, int]] = {}
        self._extra: Callable[[GameState], tuple[Any, ...]] = (
            itemgetter(*_EXTRA, _EXTRA[0])  # always a tuple (a lone index would not be)
            if _EXTRA
            else (lambda s: ())
        )

    @property
    def rosters(self) -> int:
        """How many distinct rosters the keys made so far hold."""
        return len(self._rosters)

    def roster_id(self, roster: tuple[CharState, ...]) -> int:
        """The number of a roster (every part of every character is kept)."""
        if roster is self._last_roster:  # a plain step shares its roster with its parent
            return self._last_roster_id
        chars = self._chars
        try:
            codes = array("I", map(chars.__getitem__, roster)).tobytes()
        except KeyError:
            for char in roster:
                chars.setdefault(char, len(chars))
            codes = array("I", map(chars.__getitem__, roster)).tobytes()
        found = self._rosters.get(codes)
        if found is None:
            found = self._rosters[codes] = len(self._rosters)
            self._roster_objects.append(roster)
        self._last_roster, self._last_roster_id = roster, found
        return found

    def compact(self, s: GameState) -> GameState:
        """`s` without its history, made of parts shared with every equal state seen
        before: a waiting state then costs about 200 bytes instead of a few KB."""
        values = list(s)
        for i in _DROP:
            values[i] = None
        values[_ROSTER] = self._roster_objects[self.roster_id(s.roster)]
        shared = self._shared
        if len(shared) >= _SHARED_LIMIT:  # only waiting states need it: drop the rest
            shared.clear()
        for i in _SHARED:
            value = values[i]
            values[i] = shared.setdefault(value, value)
        result: GameState = _new(GameState, values)
        return result

    def kept_roster(self, s: GameState) -> tuple[int, int]:
        """The number of the roster as the key keeps it (unread characters replaced by a
        constant) and a hash of it that is the same in every forked process."""
        full = self.roster_id(s.roster)
        if not self.merges:
            return full, hash(s.roster)
        number, keep = self._projection(s.node, s.resume)
        memo = (number, full, s.just_turned)
        found = self._kept_memo.get(memo)
        if found is not None:
            return found
        chars = keep.characters
        roster: tuple[CharState | int, ...] = s.roster
        if chars is not None:
            turned = s.just_turned
            whole = [
                i in chars or c.status == Status.BITTEN or i in turned
                for i, c in enumerate(s.roster)
            ]
            roster = tuple(c if w else _UNREAD for c, w in zip(s.roster, whole, strict=True))
            if keep.survivors:  # those left out never change again: their count is enough
                left_out = [c for c, w in zip(s.roster, whole, strict=True) if not w]
                roster += (sum(1 for c in left_out if c.place == Place.GROUP and c.is_alive),)
        kept = self._kept.get(roster)
        if kept is None:
            kept = self._kept[roster] = len(self._kept)
        if len(self._kept_memo) >= _MEMO_LIMIT:
            self._kept_memo.clear()
        found = self._kept_memo[memo] = (kept, hash(roster))
        return found

    def _projection(self, node: str, resume: str | None) -> tuple[int, Projection]:
        found = self._projections.get((node, resume))
        if found is None:
            found = (len(self._projections), self.relevance.projection(node, resume))
            self._projections[(node, resume)] = found
        return found

    def rest_id(self, s: GameState) -> int:
        """The number of everything but the node and the roster, projected. (Projecting
        costs less than a memo of the unprojected values: those differ in almost every
        state, bench/RESULTS.md 5f.)"""
        keep = self._projection(s.node, s.resume)[1]
        flags, visited, counters, inventory = s.flags, s.visited, s.counters, s.inventory
        if self.merges:
            flags, visited = flags & keep.flags, visited & keep.visited
            counters, inventory = keep.counters(counters), keep.items(inventory)
        rest = (
            s.resume,
            s.episode,
            inventory,
            flags,
            counters,
            visited,
            s.rng,
            s.just_turned,
            s.turn if self.reads_turn else 0,
            *self._extra(s),
        )
        found = self._rests.get(rest)
        if found is None:
            found = self._rests[rest] = len(self._rests)
        return found

    def key(self, s: GameState) -> int:
        """The key of `s`: equal keys, same future."""
        packed = (self.kept_roster(s)[0] << 32) | self.rest_id(s)
        return packed * self._node_span + self.node_index[s.node]
