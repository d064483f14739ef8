"""The full-screen game at several window sizes, in a real pseudo-terminal, read as a
player reads it: no choice is live while the scene's end is off screen without a mark;
the scrollback keeps earlier scenes with the choice made; every choice is reachable."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_play_terminal import ROOT, Player, _plain, pytestmark  # noqa: F401

pytest.importorskip("pexpect")

STORY = ROOT / "tests" / "fixtures" / "terminal_long"
BASIC = ROOT / "tests" / "fixtures" / "play_basic"
LAST_WORDS = "the wind is rising."  # the end of the long first scene
DOWN, UP, PGUP, ESC = "\x1b[B", "\x1b[A", "\x1b[5~", "\x1b"
SIZES = [(12, 40), (24, 80), (50, 200)]

# Select Graphic Rendition codes that set a colour: 30-39, 40-49, 90-97, 100-107.
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(raw: str) -> list[str]:
    found = []
    for match in _SGR.finditer(raw):
        for param in filter(None, match.group(1).split(";")):
            number = int(param)
            if 30 <= number <= 49 or 90 <= number <= 107:
                found.append(match.group(0))
    return found


def choices_live(screen: str) -> bool:
    """A numbered choice is on screen (a menu line: marker, number, dot)."""
    return re.search(r"^[▸ ] ?\d\. ", screen, re.MULTILINE) is not None


def assert_nothing_hidden_under_live_choices(screen: str) -> None:
    if choices_live(screen) and "1. Cross the yard" in screen:
        assert " ".join(screen.split()).count(LAST_WORDS) or "▼" in screen, screen


def read_to_the_end(player: Player, rows: int) -> str:
    screen = player.screen.text()
    for _ in range(40):
        if LAST_WORDS in " ".join(screen.split()) and choices_live(screen):
            return screen
        assert_nothing_hidden_under_live_choices(screen)
        player.send(" ")
        time.sleep(0.1)
        player._settle()
        screen = player.screen.text()
    raise AssertionError(f"never reached the end of the scene:\n{screen}")


@pytest.mark.parametrize(("rows", "cols"), SIZES)
def test_choices_wait_until_the_scene_is_read_and_every_choice_is_reachable(
    tmp_path: Path, rows: int, cols: int
) -> None:
    player = Player(tmp_path, rows=rows, cols=cols, story=STORY)
    first = player.wait_for("The first line of the gate scene.")
    assert all(len(line) <= cols for line in first.splitlines())
    assert "Turn 1" in first  # the status bar is whole, even at 40 columns
    if rows < 30:  # the scene is longer than the window: the menu says so and waits
        assert not choices_live(first) and "▼" in first, first
        player.send("1")
        player.wait_for("Read on first")
        assert "The yard is empty" not in player.screen.text()
    else:
        assert choices_live(first) and LAST_WORDS in " ".join(first.split())
    read_to_the_end(player, rows)
    for _ in range(4):  # down to the fifth choice, which must come into view
        player.send(DOWN)
        time.sleep(0.1)
    screen = player.wait_for("▸ 5. Call out", screen_only=True)
    assert "▼ more" not in screen.split("▸ 5.")[1].split("\n")[0]
    player.send("\r")
    yard = player.wait_for("The yard is empty.", screen_only=True)
    assert "Turn 2" in yard
    assert "The yard is empty." in yard and "▼" not in yard.split("\n")[0]
    player.send(PGUP)
    back = player.wait_for("You chose: Call out to whoever", screen_only=True)
    assert "gate scene" in back or "wind is" in back or "rising" in back
    player.send("q")
    assert player.finish() == 0


def test_the_more_below_mark_shows_only_while_there_is_more_below(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=STORY)
    first = player.wait_for("The first line of the gate scene.")
    lines = first.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("──"))
    # Once, under the rule: the menu's one line counts the unread lines.
    assert "▼" not in lines[rule] and "▼" in lines[rule + 1] and "more line" in lines[rule + 1]
    end = read_to_the_end(player, 24)
    rule_text = next(line for line in end.splitlines() if line.startswith("──"))
    assert "▼" not in rule_text and "▲ PgUp" in rule_text
    player.send("\x1b[5~")  # PgUp after reading: the rule says what is below
    back = player.wait_for("▼", screen_only=True)
    rule_text = next(line for line in back.splitlines() if line.startswith("──"))
    assert "more line" in rule_text and choices_live(back)
    player.send("q")
    assert player.finish() == 0


@pytest.mark.parametrize(("rows", "cols"), SIZES)
def test_no_color_is_the_full_screen_game_without_colour_codes(
    tmp_path: Path, rows: int, cols: int
) -> None:
    player = Player(tmp_path, env={"NO_COLOR": "1"}, rows=rows, cols=cols, story=STORY)
    player.wait_for("The first line of the gate scene.")
    for key, title in (("r", "ROSTER"), ("?", "COMMANDS"), ("\t", "Tab hides")):
        player.send(key)  # panels, the names and the gate line: no colour either
        player.wait_for(title, screen_only=True)
        player.send(key)
        time.sleep(0.2)
    read_to_the_end(player, rows)
    player.send("2")
    player.wait_for("The yard is empty.")
    player.send("q")
    assert player.finish() == 0
    assert "\x1b[?1049h" in player.raw  # the alternate screen: full-screen, not line mode
    assert "> " not in _plain(player.raw).split("To resume")[0][-200:]
    assert colour_codes(player.raw) == []
    assert "\x1b[7m" in player.raw or ";7m" in player.raw  # reverse video marks the menu


def test_colour_is_used_without_no_color(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=STORY)
    player.wait_for("The first line of the gate scene.")
    player.send("q")
    assert player.finish() == 0
    assert colour_codes(player.raw)


def test_emphasis_is_italic_and_an_escaped_asterisk_stays(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=50, cols=200, story=STORY)
    screen = player.wait_for("The first line of the gate scene.")
    assert "is never locked" in screen and "*never*" not in screen
    assert "Grade *A* students only, in faded red" in screen
    italic = r"\x1b\[(?:[0-9;]*;)?3(?:;[0-9;]*)?m(?:\x1b\[[0-9;]*m)*"  # SGR 3: italics
    assert re.search(italic + "never", player.raw)
    assert not re.search(italic + "The gate is", player.raw)
    player.send("q")
    assert player.finish() == 0


def test_panels_close_with_their_own_key_and_esc_at_once(tmp_path: Path) -> None:
    player = Player(tmp_path, story=BASIC)
    player.wait_for("Run for the science lab.")
    for key, title in (("r", "ROSTER"), ("?", "COMMANDS"), ("i", "INVENTORY")):
        player.send(key)
        player.wait_for(title, screen_only=True)
        player.send(key)
        screen = player.wait_for("The hall is quiet.", screen_only=True)
        assert title not in screen
    player.send("r")
    player.wait_for("ROSTER", screen_only=True)
    started = time.monotonic()
    player.send(ESC)
    player.wait_for("The hall is quiet.", screen_only=True)
    assert time.monotonic() - started < 0.45  # no half-second wait for a sequence
    player.send("q")
    assert player.finish() == 0


def test_undo_highlights_the_choice_undone_and_turns_agree(tmp_path: Path) -> None:
    player = Player(tmp_path, story=BASIC)
    first = player.wait_for("Run for the science lab.")
    assert "Episode 1 · Turn 1" in first
    player.send(DOWN + "\r")
    player.wait_for("Bar the door.")
    assert "Turn 2" in player.screen.text()
    player.send("u")
    screen = player.wait_for("Undone. Back at turn 1.")
    assert "▸ 2. Make for the teachers' office." in screen and "Turn 1" in screen
    steps = (("\r", "Bar the door."), ("1", "Climb."), ("1", "Signal the"), ("1", "Rescued"))
    for key, then in steps:  # Enter takes the highlighted choice: the one undone
        player.send(key)
        player.wait_for(then)
    for _ in range(6):
        player.send(" ")
        time.sleep(0.1)
    path = player.wait_for("Turn 1 · Which way", screen_only=True)
    assert "Turn 4 · The signal" in path or "The signal" in path
    player.send("q")
    assert player.finish() == 0


def test_the_continue_screen_names_the_story_not_a_turn_zero(tmp_path: Path) -> None:
    player = Player(tmp_path, story=BASIC)
    player.wait_for("Run for the science lab.")
    player.send("1")
    player.wait_for("Bar the door.")
    player.send("q")
    assert player.finish() == 0
    again = Player(tmp_path, story=BASIC)
    offer = again.wait_for("Continue · Episode 1")
    assert "Turn 0" not in offer and "The Long Corridor" in offer
    again.send("q")
    assert again.finish() == 0


def test_tab_shows_the_names_in_the_status_bar(tmp_path: Path) -> None:
    player = Player(tmp_path, story=BASIC, rows=24, cols=80)
    player.wait_for("Run for the science lab.")
    player.send(DOWN + "\r")
    compact = player.wait_for("Bitten 1", screen_only=True)
    assert "Group 4/4" in compact and "On-jo" not in compact.splitlines()[-1]
    player.send("\t")
    names = player.wait_for("Bitten: Gyeong-su", screen_only=True)
    assert "On-jo" in names and "Su-hyeok" in names and "Bitten: Su-hyeok" not in names
    player.send("q")
    assert player.finish() == 0


def test_theme_light_draws_on_a_light_background(tmp_path: Path) -> None:
    raws = {}
    for theme in ("dark", "light"):
        player = Player(tmp_path / theme, "--theme", theme, rows=24, cols=80, story=BASIC)
        player.wait_for("Run for the science lab.")
        player.send("q")
        assert player.finish() == 0
        raws[theme] = player.raw
    dark_bg = "48;5;233"  # #121212, the dark theme's background in 256 colours
    assert dark_bg in raws["dark"] and dark_bg not in raws["light"]
    assert colour_codes(raws["light"])


def test_play_with_an_unknown_option_shows_plays_usage(tmp_path: Path) -> None:
    import subprocess

    from test_play_terminal import HYOSAN

    result = subprocess.run(
        [str(HYOSAN), "play", "--bogus"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.startswith("usage: hyosan play")
    assert "hyosan play: error: unrecognized arguments: --bogus" in result.stderr
    help_page = subprocess.run(
        [str(HYOSAN), "play", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "examples:" in help_page and "NO_COLOR=1 hyosan play" in help_page


def test_the_mouse_wheel_scrolls_the_story(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=STORY)
    player.wait_for("The first line of the gate scene.")
    player.send("\x1b[<65;10;5M" * 3)  # wheel down (SGR mouse report), three notches
    down = player.wait_for("▲ PgUp", screen_only=True)
    assert "The first line of the gate scene." not in down
    player.send("\x1b[<64;10;5M" * 3)  # and back up
    player.wait_for("The first line of the gate scene.", screen_only=True)
    player.send("q")
    assert player.finish() == 0


def test_a_resize_shows_the_scene_from_its_top_and_keeps_what_was_read(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=STORY)
    player.wait_for("The first line of the gate scene.")
    read_to_the_end(player, 24)
    player.resize(20, 60)
    screen = player.wait_for("The first line of the gate scene.", screen_only=True)
    assert all(len(line) <= 60 for line in screen.splitlines())
    assert choices_live(screen)  # read already: the choices stay open
    player.send("q")
    assert player.finish() == 0
