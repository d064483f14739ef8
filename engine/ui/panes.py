"""The full-screen game's story pane as data: styled lines, without prompt_toolkit.

Owns: what the big pane of `engine.ui.terminal` shows (a panel such as the help or the
roster, the offer to continue a saved game, or the scrollback of the run: every earlier
scene with the choice made echoed under it, then the current scene with its notices,
recap, title card, prose and ending), as lines of `(style, text)` pairs: the shape
prompt_toolkit draws, built here without importing it, so it can be tested alone.
Scenes already played never change, so their lines are cached per width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from engine.runtime.model import Story
from engine.runtime.state import GameState
from engine.ui import prose, screen
from engine.ui.commands import Game
from engine.ui.ledger_worker import LedgerWorker

__all__ = ["Line", "Pane", "Scrollback", "panel_lines", "scene_lines", "story_pane"]

Line = list[tuple[str, str]]


class Pane:
    """Lines of the story pane; `start` is the index of the current scene's first line."""

    def __init__(self, lines: list[Line], start: int = 0) -> None:
        self.lines = lines
        self.start = start


def _plain_lines(style: str, texts: list[str]) -> list[Line]:
    return [[(style, " " + text)] if text else [] for text in texts]


def panel_lines(title: str, text: str, width: int, close_key: str) -> list[Line]:
    """A panel (help, roster, ...) with its title and how to close it."""
    out = [*_plain_lines("class:panel.title", [f" {title} "]), []]
    for line in text.splitlines():
        out += _plain_lines("", screen.wrap_keep_indent(line, width))
    again = f"{close_key} again or " if close_key else ""
    return [*out, [], *_plain_lines("class:rule", [f"{again}Esc goes back to the story."])]


def scene_lines(
    story: Story,
    states: Sequence[GameState],
    width: int,
    first: bool,
    with_ending: bool,
    worker: LedgerWorker | None = None,
) -> list[Line]:
    """One scene: notices, the episode recap and ledger, title card, prose, ending."""
    scene = screen.scene(story, states, first, worker)
    out: list[Line] = []
    for notice in scene.notices:
        out += _plain_lines("class:notice", textwrap.wrap("• " + notice, width) or [""])
    if scene.notices:
        out.append([])
    if scene.recap is not None:
        out += [*_plain_lines("class:notice", screen.recap_lines(scene.recap, width)), []]
    if scene.ledger:
        out += [*_plain_lines("class:notice", _wrapped(scene.ledger, width)), []]
    if scene.title_card:
        out += [*_plain_lines("class:card", [scene.title_card]), []]
    out += [[("", " "), *line] if line else [] for line in prose.styled_lines(scene.text, width)]
    if scene.ending_title and with_ending:
        out += [[], *_plain_lines("class:ending", [f"THE END · {scene.ending_title}"]), []]
        for line in prose.plain(screen.ending_text(story, states, worker)).splitlines():
            out += _plain_lines("", screen.wrap_keep_indent(line, width))
    return out


def _wrapped(lines: Sequence[str], width: int) -> list[str]:
    return [part for line in lines for part in screen.wrap_keep_indent(line, width)]


class Scrollback:
    """The scenes of a run already played, each with the choice made, cached: a scene's
    lines depend only on the states up to it and the width."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], tuple[GameState, GameState, list[Line]]] = {}

    def lines(
        self,
        story: Story,
        states: Sequence[GameState],
        width: int,
        worker: LedgerWorker | None = None,
    ) -> list[Line]:
        out: list[Line] = []
        taken = states[-1].steps()
        for index in range(len(states) - 1):
            key = (index, width)
            hit = self._cache.get(key)
            if hit is None or hit[0] is not states[index] or hit[1] is not states[index + 1]:
                lines = scene_lines(story, states[: index + 1], width, index == 0, False, worker)
                lines += _echo(story, taken[index], width)
                hit = (states[index], states[index + 1], lines)
                self._cache[key] = hit
            out += hit[2]
        if len(self._cache) > 4 * len(states) + 64:  # widths of old resizes
            self._cache = {k: v for k, v in self._cache.items() if k[1] == width}
        return out


def _echo(story: Story, step: tuple[str, str], width: int) -> list[Line]:
    """The choice made, under its scene, then a rule to the next scene."""
    node_id, choice_id = step
    node = story.nodes.get(node_id)
    choice = node.choice_map.get(choice_id) if node is not None else None
    text = prose.plain(choice.text.strip()) if choice is not None else choice_id
    said = textwrap.wrap(f"▸ You chose: {text}", width, subsequent_indent="  ") or [""]
    return [[], *_plain_lines("class:echo", said), [("class:rule", " " + "─" * (width // 3))], []]


def story_pane(
    game: Game,
    panel: tuple[str, str] | None,
    width: int,
    first_scene: bool,
    history: Scrollback | None = None,
    close_key: str = "",
) -> Pane:
    """The pane: `panel` (title, text) when one is open, else the start offer, else the
    run's scrollback (with `history`) and the current scene; prose wrapped at `width`."""
    if panel is not None:
        return Pane(panel_lines(*panel, width, close_key))
    session = game.session
    if game.offer is not None:
        found = "A saved game was found. Continue it, or start a new game."
        return Pane(
            [*_plain_lines("class:card", [session.story.title]), [], *_plain_lines("", [found])]
        )
    story, states, worker = session.story, session.states, game.ledger
    before = history.lines(story, states, width, worker) if history else []
    current = scene_lines(story, states, width, first_scene, True, worker)
    return Pane(before + current, len(before))
