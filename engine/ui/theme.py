"""The full-screen game's colours and text styles (prompt_toolkit style classes).

Owns: `STYLE` (the game) and `REPLAY_STYLE` (the replay viewer), the one place a colour
is chosen; the layouts name the classes.
"""

from __future__ import annotations

from prompt_toolkit.styles import Style

__all__ = ["REPLAY_STYLE", "STYLE"]

STYLE = Style.from_dict(
    {
        "card": "bold underline",
        "notice": "italic fg:ansiyellow",
        "ending": "bold fg:ansigreen",
        "panel.title": "bold reverse",
        "rule": "fg:ansibrightblack",
        "menu": "",
        "menu.selected": "reverse bold",
        "menu.title": "bold",
        "message": "",
        "message.error": "fg:ansired bold",
        "command": "bold",
        "status": "bg:ansiblue fg:ansiwhite",
        "status.episode": "bold",
        "status.label": "bold",
        "status.bitten": "bg:ansired fg:ansiwhite bold",
        "status.hombie": "bg:ansimagenta fg:ansiwhite bold",
    }
)

REPLAY_STYLE = Style.from_dict(
    {
        "header": "bold",
        "warning": "fg:ansiyellow",
        "rule": "fg:ansibrightblack",
        "status": "reverse",
    }
)
