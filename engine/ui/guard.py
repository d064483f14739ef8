"""What a front end does with the unforeseen: one line instead of a traceback.

Owns: `unexpected`, the one-line message shown when a key handler or a command raised
an exception nobody planned for (an engine bug, never the player's mistake: the run is
saved after every choice, so play simply goes on), `shown`, text from the player or
a file made safe to print (control and bidi characters escaped), and `save_failed`,
whether leaving could not save the run (the command then exits 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.diagnostics import printable

if TYPE_CHECKING:  # the replay viewer uses `unexpected` without loading the game
    from engine.ui.commands import Game

__all__ = ["save_failed", "shown", "unexpected"]

_DETAIL = 120  # characters of the exception's own text in the message


def unexpected(exc: BaseException) -> str:
    """The message for an unexpected exception, on one line."""
    detail = printable(str(exc), lines=False)
    if len(detail) > _DETAIL:
        detail = detail[:_DETAIL] + "…"
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"Something went wrong ({what}). Your run is saved; go on, and please report this."


def shown(text: str) -> str:
    """Text safe to print: control and bidi characters become visible escapes (line
    breaks stay)."""
    return printable(text)


def save_failed(game: Game) -> bool:
    """Whether the run has changes that the last attempt to save could not write."""
    session = game.session
    return bool(session.dirty and session.autosave_error)
