"""The fixed words of a story's world: what a character can be, and where.

Owns: `Status` and `Place` (string enums: they compare equal to, hash like and print as
their values, so saves, digests and YAML keep plain words), `ALIVE`, and the two
reserved targets `RESUME` (a goto back to where an interrupt took play from) and
`TURNED_TARGET` (an effect aimed at whoever just turned). It sits beneath the model,
the conditions and the effects so that all of them can use these words.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ALIVE", "PLACES", "RESUME", "STATUSES", "TURNED", "TURNED_TARGET", "Place", "Status"]


class Status(StrEnum):
    """What a character is."""

    HEALTHY = "healthy"
    BITTEN = "bitten"
    HOMBIE = "hombie"  # infected but in control: a carrier who turned
    ZOMBIE = "zombie"
    DEAD = "dead"


class Place(StrEnum):
    """Where a character is, seen from the player's group."""

    GROUP = "group"
    SEPARATED = "separated"
    ELSEWHERE = "elsewhere"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
PLACES: tuple[str, ...] = tuple(p.value for p in Place)
ALIVE = frozenset({Status.HEALTHY, Status.BITTEN, Status.HOMBIE})
RESUME = "$resume"
TURNED = "$turned"
TURNED_TARGET = -1  # the character index that stands for TURNED in a compiled effect
