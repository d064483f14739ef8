"""A state's parts as the search by sets codes them: the dimensions and their values.

Owns: `Dim` (a character, flag, counter, item or visited node), `get` and `assign` (a
dimension of a real `GameState`), `BLANK` (what a forgotten dimension holds), what
`survivors()` sees of a character (`counts_as_survivor`, `survivor_class`), how many
variables a dimension may take (`LIMIT`) and the two signals about them: `Widen` (one
more is needed) and `TooManyValues` (past the limit). `engine.tools.symbolic_space`
codes them as diagram variables.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.runtime.state import CharState, GameState
from engine.runtime.world import Place, Status

__all__ = [
    "BDD",
    "BLANK",
    "LIMIT",
    "Dim",
    "Group",
    "TooManyValues",
    "Widen",
    "assign",
    "counts_as_survivor",
    "get",
    "survivor_class",
]

Dim = tuple[str, Any]  # ("c", cast index), ("f", flag), ("k", counter), ("i", item), ("v", node)
Group = tuple[Any, ...]
BDD = Any  # a diagram node of `dd` (untyped)

LIMIT = {"c": 7, "f": 1, "k": 6, "i": 6, "v": 1}  # variables per dimension, at most
_NO_ONE = CharState(Status.DEAD, "")  # the blank character (code 0)
BLANK = {"c": _NO_ONE, "f": False, "k": 0, "i": 0, "v": False}
"""What a real state holds for a dimension that no later step reads (code 0)."""


_SURVIVOR = CharState(Status.HEALTHY, Place.GROUP)


def counts_as_survivor(value: CharState) -> bool:
    """Whether `survivors()` counts a character: alive and with the group."""
    return value.place == Place.GROUP and value.is_alive


def survivor_class(value: CharState) -> CharState:
    """What `survivors` sees of a character: one who counts, or no one (code 0)."""
    return _SURVIVOR if counts_as_survivor(value) else _NO_ONE


class Widen(Exception):
    """A dimension's codes need one more variable than it has: the search adds it and
    steps the set again (`Dimensions.code` raises it, the explorer handles it)."""

    def __init__(self, dim: Dim) -> None:
        super().__init__(dim)
        self.dim = dim


class TooManyValues(Exception):
    """A dimension took more distinct values than its bits can code."""

    def __init__(self, dim: Dim, name: str | None = None) -> None:
        kind = {"c": "character", "f": "flag", "k": "counter", "i": "item", "v": "visited"}
        super().__init__(
            f"the {kind[dim[0]]} {name or repr(dim[1])} takes more than "
            f"{2 ** LIMIT[dim[0]] - 1} values"
        )


def get(s: GameState, d: Dim) -> Any:
    kind, x = d
    if kind == "c":
        return s.roster[x]
    if kind == "f":
        return x in s.flags
    if kind == "k":
        return s.counters[x]
    if kind == "i":
        return s.inventory[x]
    return x in s.visited


def assign(s: GameState, pairs: Iterable[tuple[Dim, Any]]) -> GameState:
    roster, counters, items = list(s.roster), list(s.counters), list(s.inventory)
    flags, visited = set(s.flags), set(s.visited)
    for (kind, x), v in pairs:
        if kind == "c":
            roster[x] = v
        elif kind == "k":
            counters[x] = v
        elif kind == "i":
            items[x] = v
        else:
            chosen = flags if kind == "f" else visited
            (chosen.add if v else chosen.discard)(x)
    return s._replace(
        roster=tuple(roster),
        flags=frozenset(flags),
        counters=tuple(counters),
        inventory=tuple(items),
        visited=frozenset(visited),
    )
