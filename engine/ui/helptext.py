"""The help panel: every command, and the keys of the mode the player is in.

Owns: the text of `help` (`?`). The full-screen game lists each command with its key and
the keys that move, scroll and close panels; line mode lists the words to type and how
to leave, since it has no keys of its own. Plain text; no terminal code.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Protocol

__all__ = ["help_text"]


class _Entry(Protocol):
    @property
    def help(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def key(self) -> str | None: ...
    @property
    def usage(self) -> str: ...
    @property
    def hidden(self) -> bool: ...


_FULL_SCREEN = (
    "Choose with a number, or with the arrow keys and Enter.",
    "PgUp, PgDn, Space, Home, End and the mouse wheel scroll the text, back to the first "
    "scene of the run: each earlier scene is there with the choice you made.",
    "While a scene goes on below the window, the choices wait: Space, Enter or ↓ reads on.",
    "Tab shows every name in the status bar. ':' types a command by name.",
    "?, r, i and c open a panel; the same key or Esc closes it.",
    "Ctrl-C twice, or Ctrl-D, quits. Every choice is saved as you go (the autosave).",
)
_LINE_MODE = (
    "Type the number of a choice and press Enter, or type a command word above (its first "
    "letter works too: r for roster). Enter on an empty line says what you can type.",
    "At the end of input, or with quit or Ctrl-C twice, the game ends. Every choice is "
    "saved as you go (the autosave).",
)


def help_text(commands: Iterable[_Entry], line_mode: bool, width: int = 100) -> str:
    """The help panel for the full-screen game, or (`line_mode`) for line mode, wrapped
    to `width`: a command's description continues under itself."""
    rows = []
    for entry in commands:
        if entry.hidden:
            continue
        words = ", ".join([entry.usage, *entry.aliases])
        if line_mode:
            head = f"  {words:30} "
        else:
            key = f"[{entry.key}]" if entry.key else ""
            head = f"  {key:5} {words:26} "
        room = width - len(head)
        if room < 24:  # too narrow for two columns: the description under the words
            rows.append(head.rstrip())
            rows += textwrap.wrap(
                entry.help, width, initial_indent="      ", subsequent_indent="      "
            )
            continue
        lines = textwrap.wrap(entry.help, room) or [""]
        rows.append(head + lines[0])
        rows += [" " * len(head) + line for line in lines[1:]]
    notes = _LINE_MODE if line_mode else _FULL_SCREEN
    wrapped = [line for note in notes for line in textwrap.wrap(note, width) or [""]]
    return "\n".join([*rows, "", *wrapped])
