"""The final-roster census of the search by sets (`hyosan explore --symbolic --rosters`).

Owns: `census`, the distinct rosters, (status, place) per character, of the states the
sets hold at the endings, with the state search's figures for each
(`engine.tools.explore_record`): how many survive, how many states have the roster, at
which endings. A search made with `rosters=True` keeps every character in full to the
end, so a set at an ending holds each character's value (nothing else is read there).

How it counts without listing: each character's codes are mapped to the code of their
(status, place) by one relation, and the sets at the endings are stepped through it
into one set of rosters, whose members are counted by the diagram (the bundled season
ends with hundreds of millions of distinct rosters). The rosters are listed, most
survivors first, up to `LISTED`; each listed roster's states and endings are counted
from the sets at the endings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from engine.runtime.state import CharState
from engine.runtime.world import Status
from engine.tools.findings import FinalRoster
from engine.tools.symbolic_values import BDD, Dim, counts_as_survivor

if TYPE_CHECKING:
    from engine.tools.symbolic_search import SymbolicSearch

__all__ = ["LISTED", "NO_STATE_NUMBER", "Census", "census"]

LISTED = 1000
"""The most rosters listed (those with the most survivors); all are counted."""

NO_STATE_NUMBER = -1
"""`FinalRoster.first_state` of the search by sets: it does not number its states."""

_Pair = tuple[Status, str]


class Census(NamedTuple):
    distinct: int  # every distinct final roster
    listed: list[FinalRoster]  # those with the most survivors, at most `LISTED`


def census(search: SymbolicSearch, listed: int = LISTED) -> Census:
    """The final rosters of a search made with `rosters=True`."""
    bdd, nodes = search.bdd, search.story.nodes
    names = [v for d in search.chars for v in search.vars[d]]
    primed = [search.primed[v] for v in names]
    pairs, relation = _pair_codes(search)
    ends = [(g, u) for g, u in search.reached.items() if nodes[g[0]].ending is not None]
    reached, held = bdd.false, set(names)
    for _group, states in ends:
        others = [v for v in bdd.support(states) if v not in held]
        reached |= bdd.exist(others, states)
    rosters = search.and_exists(reached, relation, names)  # over the primed variables
    distinct = int(bdd.count(rosters, nvars=len(primed))) if rosters != bdd.false else 0
    found: list[FinalRoster] = []
    for alive, with_alive in reversed(list(enumerate(_by_survivors(search, pairs)))):
        if len(found) >= listed:
            break
        for bits in bdd.pick_iter(rosters & with_alive, care_vars=primed):
            if len(found) >= listed:
                break
            roster = tuple(pairs[d][_code(search, d, bits)] for d in search.chars)
            members = search.and_exists(bdd.cube(bits), relation, primed)
            states, endings = 0, set()
            for group, u in ends:
                here = search.count(u & members, group)
                if here:
                    states += here
                    ending = nodes[group[0]].ending
                    assert ending is not None
                    endings.add(ending.id)
            found.append(
                FinalRoster(roster, alive, states, tuple(sorted(endings)), NO_STATE_NUMBER)
            )
    found.sort(key=lambda r: (-r.survivors, -r.states, r.endings))
    return Census(distinct, found)


def _code(search: SymbolicSearch, d: Dim, bits: dict[str, bool]) -> int:
    return sum(1 << b for b, v in enumerate(search.vars[d]) if bits[search.primed[v]])


def _pair_codes(search: SymbolicSearch) -> tuple[dict[Dim, list[_Pair]], BDD]:
    """Per character, its distinct (status, place) pairs; and the relation from each
    character's value codes to its pair codes (on the primed variables)."""
    bdd = search.bdd
    pairs: dict[Dim, list[_Pair]] = {}
    relation = bdd.true
    for d in search.chars:
        numbers: dict[_Pair, int] = {}
        mapped = bdd.false
        for c, value in enumerate(search.values(d)):
            number = numbers.setdefault((value.status, value.place), len(numbers))
            bits = {v: bool(c >> b & 1) for b, v in enumerate(search.vars[d])}
            bits.update(
                (search.primed[v], bool(number >> b & 1)) for b, v in enumerate(search.vars[d])
            )
            mapped |= bdd.cube(bits)
        pairs[d] = list(numbers)
        relation &= mapped
    return pairs, relation


def _by_survivors(search: SymbolicSearch, pairs: dict[Dim, list[_Pair]]) -> list[BDD]:
    """Per number n, the rosters (primed pair codes) in which exactly n survive."""
    bdd = search.bdd
    alive = []
    for d in search.chars:
        who = bdd.false
        for number, pair in enumerate(pairs[d]):
            if counts_as_survivor(CharState(*pair)):
                who |= bdd.cube(
                    {search.primed[v]: bool(number >> b & 1) for b, v in enumerate(search.vars[d])}
                )
        alive.append(who)
    return search.exactly(alive)
