"""A choice shown but unavailable (`unless:` + `disabled_text:`) in the full-screen game:
listed in story order with its number, dim, its reason after it; its number or Enter on
it says why in the message line and does nothing else; another path unlocks it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_play_terminal import ROOT, Player, pytestmark  # noqa: F401
from test_terminal_layouts import colour_codes

from engine.compiler.loader import load_story
from engine.session import Session
from engine.ui.commands import Game
from engine.ui.frame import ScreenModel
from engine.ui.theme import MONO, THEMES

pytest.importorskip("pexpect")

STORY = ROOT / "tests" / "fixtures" / "ui_locked"
UP, DOWN = "\x1b[A", "\x1b[B"
WHY = "“Open the lab door.” cannot be taken now: the door is barred."
DIM_DARK = "38;5;246"  # the dark theme's choice.disabled, #949494, in 256 colours


def menu_rows(screen: str) -> list[str]:
    return [line.strip() for line in screen.splitlines() if re.match(r"^[▸ ] ?\d\. ", line)]


def test_the_locked_choice_is_drawn_in_its_own_dim_class_and_the_highlight_starts_on_a_playable_one(
    tmp_path: Path,
) -> None:
    model = ScreenModel(Game(Session(load_story(STORY), 1, tmp_path)))
    lines = model.menu_lines(76, 12)
    assert [line[0][0] for line in lines] == [
        "class:choice.disabled",
        "class:choice.selected",  # the first choice that can be taken is highlighted
        "class:choice",
    ]
    assert lines[0][0][1] == "  1. Open the lab door. (locked: the door is barred)"
    assert "choice.disabled" in THEMES["dark"] and "choice.disabled" in THEMES["light"]
    assert "choice.disabled" not in MONO  # no colour: the words "(locked: …)" tell it apart


def test_a_locked_choice_shows_its_reason_and_cannot_be_taken(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=STORY)
    screen = player.wait_for("3. Walk away.", screen_only=True)
    assert menu_rows(screen) == [
        "1. Open the lab door. (locked: the door is barred)",
        "▸ 2. Lift the bar.",
        "3. Walk away.",
    ]
    assert DIM_DARK in player.raw and "Turn 1" in screen
    player.send("1")  # its number: the reason, and nothing else
    screen = player.wait_for(WHY, screen_only=True)
    assert "Turn 1" in screen and "The lab is dark" not in screen
    assert menu_rows(screen)[1] == "▸ 2. Lift the bar."
    player.send(UP)  # the highlight can rest on it; Enter says why again
    time.sleep(0.2)
    screen = player.wait_for("▸ 1. Open the lab door.", screen_only=True)
    assert WHY not in screen
    player.send("\r")
    screen = player.wait_for(WHY, screen_only=True)
    assert "Turn 1" in screen and "The lab is dark" not in screen
    player.send(DOWN + "\r")  # lift the bar: the door opens up, same number
    screen = player.wait_for("Turn 2", screen_only=True)
    player._settle()
    assert menu_rows(player.screen.text()) == ["▸ 1. Open the lab door.", "2. Walk away."]
    player.send("1")
    player.wait_for("THE END · In the Lab")
    player.send("q")
    assert player.finish() == 0


def test_under_no_color_the_locked_choice_is_told_apart_by_its_words(tmp_path: Path) -> None:
    player = Player(tmp_path, env={"NO_COLOR": "1"}, rows=24, cols=80, story=STORY)
    screen = player.wait_for("3. Walk away.", screen_only=True)
    assert "1. Open the lab door. (locked: the door is barred)" in screen
    player.send("1")
    assert "Turn 1" in player.wait_for(WHY, screen_only=True)
    player.send("q")
    assert player.finish() == 0
    assert colour_codes(player.raw) == []
