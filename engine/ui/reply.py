"""What a command gives back to the front ends: a `Reply`, and the `MenuItem`s of a menu.

Owns these two data types only (plain frozen dataclasses), so the modules that build
menus and replies (`commands.py`, `runfiles.py`) share them without importing each
other. No terminal code, no printing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MenuItem", "Reply"]


@dataclass(frozen=True)
class MenuItem:
    """One line of the menu: what the player reads, and the input it stands for."""

    label: str
    line: str


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
