"""mulberry32, bit-identical to the peers' prng.py / prng.js (../shared/bench/anchors).

The same arithmetic as engine.runtime.state.mulberry32_next (a test checks they agree), written
as a closure like the peers' so that the harness costs the same here as there.
"""

from __future__ import annotations

from collections.abc import Callable

M = 0xFFFFFFFF


def mulberry32(seed: int) -> Callable[[], float]:
    state = [seed & M]

    def rnd() -> float:
        a = (state[0] + 0x6D2B79F5) & M
        state[0] = a
        t = a
        t = ((t ^ (t >> 15)) * (1 | t)) & M
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M)) & M) ^ t
        return ((t ^ (t >> 14)) & M) / 4294967296.0

    return rnd
