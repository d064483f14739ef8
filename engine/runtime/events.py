"""One vocabulary for what a step does: the kinds of effects, log entries and events.

Owns: `Kind` (every kind of thing a step can do or report), `LogEntry` (an applied effect
and its cause, kept in the state's log) and `Event` (what a step tells the front ends and
tools). An event's kind and a log entry's kind are the same words, so a tool that reads
the log and a UI that reads events speak one language. No I/O.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["STATUS_KINDS", "Event", "Kind", "LogEntry"]


class Kind(StrEnum):
    """What happened. The values are the words saves, logs and reports print."""

    GIVE = "give"
    TAKE = "take"
    SET = "set"
    CLEAR = "clear"
    ADD = "add"
    SET_COUNTER = "set_counter"
    BITTEN = "bitten"
    REVEAL = "reveal"
    TURNED = "turned"
    DIED = "died"
    CURED = "cured"
    MOVE = "move"
    IGNORED = "ignored"  # an effect that could not apply (the dead stay dead): logged only
    INTERRUPT = "interrupt"  # play diverted to an on_turn node
    EPISODE = "episode"  # play entered another episode
    ENDING = "ending"  # play reached an ending


STATUS_KINDS = frozenset({Kind.BITTEN, Kind.TURNED, Kind.DIED, Kind.CURED})
"""The kinds that change whether a character is alive, infected or human."""


class LogEntry(NamedTuple):
    """An applied effect and its cause: the step (turn), node and choice it came from.

    `choice` is None for effects a node applies on entry; the step's choice is then
    `path[turn - 1]`. `subject` is the character, item, flag or counter; `detail` a
    short human-readable result ("+1 (now 2)", "turns in 3 (hidden)").
    """

    turn: int
    node: str
    choice: str | None
    kind: Kind
    subject: str
    detail: str


class Event(NamedTuple):
    """Something that happened during a step, for the UI and the tools.

    kind: any `Kind`; effects report the kind they logged. subject: the character, item,
    flag, counter, episode number or ending id. detail: a short result or title.
    """

    kind: Kind
    subject: str
    detail: str
