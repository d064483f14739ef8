"""What a command gives back to the front ends: a `Reply`, and the `MenuItem`s of a menu.

Owns these two data types (plain frozen dataclasses), so the modules that build menus
and replies (`commands.py`, `runfiles.py`) share them without importing each other, the
hint under the list of saves in each mode, and `choice_item`: a story's choice as a menu
line, a greyed-out one (its `unless:` holds) with its reason. No terminal code, no printing.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.runtime.rules import ShownChoice
from engine.ui import prose

__all__ = ["LOAD_HINT", "LOAD_HINT_KEYS", "MenuItem", "Reply", "choice_item"]

LOAD_HINT = "Pick a save to load by its number (Enter on an empty line goes back)."
LOAD_HINT_KEYS = "Pick a save to load: ↑↓ and Enter, or its number (Esc goes back)."


@dataclass(frozen=True)
class MenuItem:
    """One line of the menu: what the player reads, and the input it stands for.
    `locked`: for a choice shown greyed out (its `unless:` holds), what picking it says."""

    label: str
    line: str
    locked: str = ""


@dataclass(frozen=True)
class Reply:
    """What a command did, for the front end to show.

    message: one line (a confirmation or a hint); panel: a block of text under `title`
    (help, roster, the list of saves); menu: items to pick from instead of the choices;
    moved: the run changed, show the scene again; quit: leave.
    """

    message: str = ""
    title: str = ""
    panel: str = ""
    menu: tuple[MenuItem, ...] = ()
    moved: bool = False
    quit: bool = False
    error: bool = False


def choice_item(shown: ShownChoice) -> MenuItem:
    """A choice as a menu line (emphasis marks are for prose: labels drop them). One
    greyed out by its `unless:` keeps its number in story order, its reason after its
    text; picking it says why and does nothing else."""
    text, line = prose.plain(shown.text.strip()), f"choose {shown.choice.id}"
    if shown.enabled:
        return MenuItem(text, line)
    reason = " ".join(shown.reason.split()) or "not now"
    stop = "" if reason[-1] in ".!?" else "."
    why = f"“{text}” cannot be taken now: {reason}{stop}"
    return MenuItem(f"{text} (locked: {reason})", line, why)
