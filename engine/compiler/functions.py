"""What each condition function computes: one closure maker per function.

Owns: the `f_<name>` makers `engine.compiler.language` calls once a call's arguments are
checked (each returns a closure over indexes computed at load time), and the seeded
rolls of `random(N)` and `chance(P)`: a function of the state's generator, its turn and
where the call stands, never drawing from the generator, so a roll is the same however
often a state is asked and replays repeat it exactly.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

from engine.compiler.syntax import LanguageError
from engine.runtime.conditions import Var
from engine.runtime.state import mulberry32_next
from engine.runtime.world import ALIVE, Place

__all__ = ["FunctionMakers", "Getter"]

Getter = Callable[[Any], Any]


class _Symbols(Protocol):
    @property
    def cast_index(self) -> dict[str, int]: ...
    @property
    def names(self) -> Mapping[str, str]: ...
    @property
    def places(self) -> Collection[str]: ...


class FunctionMakers:
    """The makers; the compiler that inherits them records what each call reads."""

    sym: _Symbols
    source: str
    visits: set[str]
    counts: set[str]
    reads: set[Var]

    def f_has(self, i: int, n: int = 1) -> Getter:
        return lambda s: s.inventory[i] >= n

    def f_count(self, i: int) -> Getter:
        return lambda s: s.inventory[i]

    def f_alive(self, i: int) -> Getter:
        return lambda s: s.roster[i].status in ALIVE

    def f_status(self, i: int) -> Getter:
        return lambda s: s.roster[i].status

    def f_place(self, i: int) -> Getter:
        return lambda s: s.roster[i].place

    def f_with_group(self, i: int) -> Getter:
        return lambda s: s.roster[i].place == Place.GROUP and s.roster[i].status in ALIVE

    def f_bitten(self, i: int) -> Getter:
        return lambda s: s.roster[i].status == "bitten"

    def f_just_turned(self, i: int) -> Getter:
        return lambda s: i in s.just_turned

    def f_visited(self, node: str) -> Getter:
        self.visits.add(node)
        self.reads.add(("visited", node))
        return lambda s: node in s.visited

    def f_visits(self, node: str) -> Getter:
        self.counts.add(node)
        self.reads.add(("visits", node))

        def count(s: Any) -> int:
            for name, n in s.visits:
                if name == node:
                    return int(n)
            return 0

        return count

    def f_name(self, i: int) -> Getter:
        cid = next(c for c, index in self.sym.cast_index.items() if index == i)
        shown = self.sym.names.get(cid, cid)
        return lambda s: shown

    def roll(self, arg: tuple[int, int]) -> Callable[[Any], float]:
        """A seeded roll in [0, 1): a function of the state's generator, its turn and
        where the call stands, never drawing from the generator (see docs/format.md)."""
        salt = zlib.crc32(f"{self.source}@{arg[1]}".encode())
        self.reads |= {("builtin", "rng"), ("builtin", "turn")}

        def value(s: Any) -> float:
            seed = (s.rng ^ ((s.turn * 0x9E3779B1) & 0xFFFFFFFF) ^ salt) & 0xFFFFFFFF
            drawn: float = mulberry32_next(seed)[1]
            return drawn

        return value

    def f_random(self, arg: tuple[int, int]) -> Getter:
        n, offset = arg
        if n < 1:
            raise LanguageError("E041", "random(N) needs N of 1 or more", offset)
        roll = self.roll(arg)
        return lambda s: int(roll(s) * n)

    def f_chance(self, arg: tuple[int, int]) -> Getter:
        p, offset = arg
        if p > 100:
            raise LanguageError("E041", "chance(P) takes a percentage, 0 to 100", offset)
        roll = self.roll(arg)
        return lambda s: roll(s) * 100 < p

    def f_survivors(self) -> Getter:
        self.reads.add(("builtin", "survivors"))
        return lambda s: sum(1 for c in s.roster if c.place == Place.GROUP and c.status in ALIVE)
