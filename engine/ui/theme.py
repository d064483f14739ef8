"""The full-screen game's colours and text styles (prompt_toolkit style classes).

Owns: the themes (`dark`, the default, and `light`, for light-background terminals),
each a table of style classes over one background, chosen so that every text colour
has a contrast of at least 4.5:1 (WCAG AA) against the background it is drawn on; the
monochrome styles used under NO_COLOR (bold, italics, reverse video; no colour at all);
`game_style` and `replay_style` build the prompt_toolkit styles. The layouts name the
classes; this is the one place a colour is chosen.
"""

from __future__ import annotations

from prompt_toolkit.styles import Style

__all__ = ["MONO", "REPLAY_STYLE", "STYLE", "THEMES", "game_style", "replay_style"]

# Every theme has a "screen" class (the default text and background of the whole
# window); a class without its own bg: is drawn on the screen's background.
THEMES: dict[str, dict[str, str]] = {
    "dark": {
        "screen": "bg:#121212 fg:#e4e4e4",
        "card": "bold underline",
        "notice": "italic fg:#ffd75f",
        "ending": "bold fg:#87d787",
        "echo": "fg:#87afd7",
        "emphasis": "italic",
        "panel.title": "bold reverse",
        "rule": "fg:#a8a8a8",
        "choice": "",
        "choice.selected": "bold bg:#005f87 fg:#ffffff",
        "choice.title": "bold",
        "choice.locked": "fg:#a8a8a8",
        "choice.disabled": "fg:#949494",
        "message": "",
        "message.error": "bold fg:#ff8787",
        "command": "bold",
        "status": "bg:#26364a fg:#ffffff",
        "status.episode": "bold",
        "status.label": "bold",
        "status.bitten": "bold bg:#af0000 fg:#ffffff",
        "status.hombie": "bold bg:#870087 fg:#ffffff",
        "header": "bold",
        "warning": "fg:#ffd75f",
    },
    "light": {
        "screen": "bg:#fafafa fg:#1c1c1c",
        "card": "bold underline",
        "notice": "italic fg:#7a4f00",
        "ending": "bold fg:#005f00",
        "echo": "fg:#00507a",
        "emphasis": "italic",
        "panel.title": "bold reverse",
        "rule": "fg:#5c5c5c",
        "choice": "",
        "choice.selected": "bold bg:#005f87 fg:#ffffff",
        "choice.title": "bold",
        "choice.locked": "fg:#5c5c5c",
        "choice.disabled": "fg:#6c6c6c",
        "message": "",
        "message.error": "bold fg:#af0000",
        "command": "bold",
        "status": "bg:#dde6f0 fg:#000000",
        "status.episode": "bold",
        "status.label": "bold",
        "status.bitten": "bold bg:#af0000 fg:#ffffff",
        "status.hombie": "bold bg:#870087 fg:#ffffff",
        "header": "bold",
        "warning": "fg:#7a4f00",
    },
}

# NO_COLOR: the same classes told apart by weight, slant and reverse video only.
MONO: dict[str, str] = {
    "screen": "",
    "card": "bold underline",
    "notice": "italic",
    "ending": "bold",
    "echo": "bold",
    "emphasis": "italic",
    "panel.title": "bold reverse",
    "rule": "",
    "choice.selected": "reverse bold",
    "choice.title": "bold",
    "message.error": "bold",
    "command": "bold",
    "status": "reverse",
    "status.episode": "bold",
    "status.label": "bold",
    "status.bitten": "bold underline",
    "status.hombie": "bold italic",
    "header": "bold",
    "warning": "bold",
}


def game_style(theme: str = "dark", color: bool = True) -> Style:
    """The game's style: `theme` ("dark" or "light"), or monochrome without `color`."""
    return Style.from_dict(THEMES[theme] if color else MONO)


def replay_style(theme: str = "dark", color: bool = True) -> Style:
    """The replay viewer's style (the same classes: header, warning, rule, status)."""
    table = dict(THEMES[theme] if color else MONO)
    table["status"] = "reverse"
    return Style.from_dict(table)


STYLE = game_style()
REPLAY_STYLE = replay_style()
