"""The full-screen game's story pane as data: styled lines, without prompt_toolkit.

Owns: what the big pane of `engine.ui.terminal` shows (a panel such as the help or the
roster, the offer to continue a saved game, or the scene with its notices, recap, title
card, prose and ending), as `(style, text)` pairs, one per line: the shape
prompt_toolkit draws, built here without importing it, so it can be tested alone.
"""

from __future__ import annotations

import textwrap

from engine.ui import screen
from engine.ui.commands import Game

__all__ = ["StyledLines", "story_pane"]

StyledLines = list[tuple[str, str]]


def story_pane(
    game: Game, panel: tuple[str, str] | None, width: int, first_scene: bool
) -> StyledLines:
    """The pane's lines: `panel` (title, text) when one is open, else the start offer or
    the scene; prose wrapped at `width`."""
    out: StyledLines = []

    def add(style: str, lines: list[str]) -> None:
        for line in lines:
            out.append((style, " " + line + "\n"))

    if panel is not None:
        title, text = panel
        add("class:panel.title", [f" {title} "])
        add("", [""])
        for line in text.splitlines():
            add("", screen.wrap_keep_indent(line, width))
        add("class:rule", ["", "Esc goes back to the story."])
        return out
    if game.offer is not None:
        add("class:card", [game.session.story.title])
        add("", ["", "A saved game was found. Continue it, or start a new game."])
        return out
    scene = game.scene(first_shown=first_scene)
    for notice in scene.notices:
        add("class:notice", textwrap.wrap("• " + notice, width) or [""])
    if scene.notices:
        add("", [""])
    if scene.recap is not None:
        add("class:notice", screen.recap_lines(scene.recap, width))
        add("", [""])
    if scene.title_card:
        add("class:card", [scene.title_card])
        add("", [""])
    add("", screen.wrap_prose(scene.text, width))
    if scene.ending_title:
        session = game.session
        add("", [""])
        add("class:ending", [f"THE END · {scene.ending_title}"])
        add("", [""])
        for line in screen.ending_text(session.story, session.states).splitlines():
            add("", screen.wrap_keep_indent(line, width))
    return out
