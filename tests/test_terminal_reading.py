"""Reading a scene in the full-screen game, in a real pseudo-terminal, as a player does:
a new scene is seen from its first line before its choices open, hints go away once
they are done with, a panel never makes an unread scene's choices live, and an undo
comes back to a scene already read with its choices open."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_play_terminal import ROOT, Player, pytestmark  # noqa: F401
from test_terminal_layouts import DOWN, ESC, LAST_WORDS, choices_live, read_to_the_end

pytest.importorskip("pexpect")

FOLD = ROOT / "tests" / "fixtures" / "terminal_fold"
LONG = ROOT / "tests" / "fixtures" / "terminal_long"
BASIC = ROOT / "tests" / "fixtures" / "play_basic"
TOP, BOTTOM = "The top line of the stairs scene", "The bottom line of the stairs scene"


def pressed(player: Player, keys: str) -> str:
    """Send `keys`, wait for the redraw, return the screen."""
    player.send(keys)
    time.sleep(0.25)
    player._settle()
    return player.screen.text()


def to_the_stairs(player: Player) -> str:
    """From the short first scene to the stairs scene; the screen."""
    player.wait_for("Open the fire door.", screen_only=True)
    player.send("1")
    return player.wait_for(BOTTOM, screen_only=True)


def test_a_scene_that_fits_only_without_the_menu_shows_its_top_before_its_choices(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=FOLD)
    first = to_the_stairs(player)
    assert TOP in first, first
    assert not choices_live(first) and "Space or Enter shows them" in first, first
    still = pressed(player, "1")  # a number while the choices are not shown does nothing
    assert "Space or Enter shows the choices." in still and "The landing is empty" not in still
    back = pressed(player, "\x1b[5~")  # PgUp still reads the scene before
    assert "You chose: Open the fire door." in back and BOTTOM not in back, back
    again = pressed(player, "\x1b[6~")  # PgDn: back down, the choices open
    assert BOTTOM in again
    if not choices_live(again):
        again = pressed(player, " ")
    assert choices_live(again) and "1. Climb towards the door." in again, again
    assert "shows the choices" not in again  # the hint is gone
    landing = pressed(player, "1")
    assert "The landing is empty." in landing
    player.send("q")
    assert player.finish() == 0


def test_space_opens_the_choices_of_a_scene_shown_whole(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=FOLD)
    to_the_stairs(player)
    opened = pressed(player, " ")
    assert choices_live(opened) and BOTTOM in opened, opened
    player.send("q")
    assert player.finish() == 0


def test_the_read_on_hint_goes_once_the_scene_is_read(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=LONG)
    player.wait_for("The first line of the gate scene.")
    asked = pressed(player, "1")
    assert "Read on first: Space or PgDn" in asked
    read = read_to_the_end(player, 24)
    assert "Read on first" not in read, read
    assert "1 more lines" not in read
    player.send("q")
    assert player.finish() == 0


def test_arrow_keys_scroll_an_unread_scene_instead_of_an_unseen_highlight(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=LONG)
    player.wait_for("The first line of the gate scene.")
    screen = player.screen.text()
    for _ in range(30):  # ↓ reads on a line at a time until the choices open
        if choices_live(screen):
            break
        screen = pressed(player, DOWN)
    assert LAST_WORDS in " ".join(screen.split()), screen
    assert "▸ 1. Cross the yard" in screen, screen  # the highlight never moved unseen
    player.send("q")
    assert player.finish() == 0


def test_a_panel_over_an_unread_scene_keeps_its_choices_waiting(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=LONG)
    player.wait_for("The first line of the gate scene.")
    roster = pressed(player, "r")
    assert "ROSTER" in roster and not choices_live(roster), roster
    assert "Esc goes back to read it" in roster
    still = pressed(player, "2")
    assert "The yard is empty" not in still and "Esc goes back to read it" in still
    player.send(ESC)
    back = player.wait_for("The first line of the gate scene.", screen_only=True)
    assert not choices_live(back)
    read_to_the_end(player, 24)
    roster = pressed(player, "r")  # read now: the choices stay open under the panel
    assert "ROSTER" in roster and choices_live(roster)
    player.send("q")
    assert player.finish() == 0


def test_undo_comes_back_to_the_read_scene_with_its_choices_open(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=LONG)
    player.wait_for("The first line of the gate scene.")
    read_to_the_end(player, 24)
    player.send("2")
    player.wait_for("The yard is empty.", screen_only=True)
    back = pressed(player, "u")
    assert "Undone. Back at turn 1." in back
    assert "The first line of the gate scene." in back  # the scene from its top
    assert choices_live(back) and "▸ 2. Creep along the wall" in back, back
    again = pressed(player, "\r")  # Enter takes the choice undone again
    assert "The yard is empty." in again
    player.send("q")
    assert player.finish() == 0


def test_a_question_keeps_its_words_in_a_small_window(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=12, cols=40, story=BASIC)
    player.wait_for("Which way?", screen_only=True)
    player.send(" ")  # the title card and the scene fill the window: Space, the choices
    player.wait_for("Run for the science lab.", screen_only=True)
    player.send("1")
    player.wait_for("Bar the door.", screen_only=True)
    player.send("u")
    player.wait_for("Undone.", screen_only=True)
    question = pressed(player, DOWN + "\r")
    assert "Really play on from turn 1?" in question, question
    assert "1. No: stay here" in question or "▸ 1. No" in question
    player.send("n")
    player.wait_for("Unchanged", screen_only=True)
    player.send("q")
    assert player.finish() == 0


def test_the_episode_chart_wraps_whole_words_in_a_narrow_window(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=12, cols=40, story=BASIC)
    player.wait_for("Which way?", screen_only=True)
    player.send(" ")  # the title card and the scene fill the window: Space, the choices
    player.wait_for("Run for the science lab.", screen_only=True)
    for key, then in (("1", "Bar the door."), ("1", "Climb."), ("1", "END OF EPISODE 1")):
        player.send(key)
        chart = player.wait_for(then, screen_only=True)
    seen = [chart]
    for _ in range(6):
        seen.append(pressed(player, " "))
    text = "\n".join(seen)
    assert "END OF EPISODE 1 · The Hall" in text, text
    assert "you: Run for the science lab." in " ".join(text.split())
    words = {word for screen in seen for word in screen.split()}
    assert "scienc" not in words and "scien" not in words  # no word cut in half
    player.send("q")
    assert player.finish() == 0


def test_at_an_ending_the_status_bar_counts_the_turns_as_the_ending_does(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path, story=BASIC)
    steps = (("1", "Bar the door."), ("1", "Climb."), ("1", "Signal the"), ("1", "Rescued"))
    for key, then in ((" ", "Run for the science lab."), *steps):
        player.send(key)
        player.wait_for(then, screen_only=True)
    ending = player.screen.text()
    status = ending.splitlines()[-1]
    assert "The end after 4 turns" in status and "Turn 5" not in status, status
    assert "4 turns, ending in episode 2" in ending
    player.send("q")
    assert player.finish() == 0


def test_the_help_panel_wraps_each_description_under_itself(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=40, cols=80, story=BASIC)
    player.wait_for("Run for the science lab.", screen_only=True)
    lines = pressed(player, "?").splitlines()
    assert any("COMMANDS" in line for line in lines)
    first = next(i for i, line in enumerate(lines) if "everyone the story tracks" in line)
    column = lines[first].index("everyone")
    follow = lines[first + 1]
    assert follow[:column].strip() == "" and follow[column] != " ", lines[first : first + 2]

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip())

    stray = [line for line in lines if len(line.split()) == 1 and 3 < indent(line) < column]
    assert stray == []  # no word left alone by a second wrap ("     the")
    assert "Space, Enter or ↓ reads on" in " ".join(" ".join(lines).split())
    player.send("q")
    assert player.finish() == 0


def test_undo_from_the_ending_menu_opens_the_scene_read_before(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=FOLD)
    to_the_stairs(player)
    pressed(player, " ")
    ending = pressed(player, "2")
    assert "The landing is empty." in ending and "1. Undo the last choice" in ending, ending
    back = pressed(player, "1")
    assert "Undone. Back at turn 2." in back, back
    assert choices_live(back) and "▸ 2. Go down towards the singing." in back, back
    player.send("q")
    assert player.finish() == 0


def test_the_continue_offer_hints_only_at_keys_that_work_there(tmp_path: Path) -> None:
    player = Player(tmp_path, story=BASIC)
    player.wait_for("Run for the science lab.", screen_only=True)
    player.send("1")
    player.wait_for("Bar the door.", screen_only=True)
    player.send("q")
    assert player.finish() == 0
    again = Player(tmp_path, story=BASIC)
    offer = again.wait_for("Continue · Episode 1", screen_only=True)
    assert "1-2 or ↑↓ Enter" in offer and "PgUp: earlier scenes" not in offer, offer
    assert offer.count("A saved game was found.") == 1, offer
    again.send("q")
    assert again.finish() == 0


def test_the_episode_chart_names_the_episode_once(tmp_path: Path) -> None:
    player = Player(tmp_path, story=BASIC)
    for key, then in (("1", "Bar the door."), ("1", "Climb."), ("1", "END OF EPISODE 1")):
        player.send(key)
        chart = player.wait_for(then, screen_only=True)
    head = next(line for line in chart.splitlines() if "END OF EPISODE 1" in line)
    assert head.strip() == "END OF EPISODE 1 · The Hall", head
    assert "turning point" in chart and "not taken" in chart  # the table, in a wide window
    player.send("q")
    assert player.finish() == 0


@pytest.mark.parametrize("width", [40, 100])
def test_an_episode_title_that_repeats_its_number_is_named_once(width: int) -> None:
    from engine.canon.compare import EpisodeSummary
    from engine.ui.screen import recap_lines

    recap = EpisodeSummary(1, "Episode 1 — Ground Zero", "the show", (), ())
    lines = recap_lines(recap, width)
    assert lines[0] == "END OF EPISODE 1 · Ground Zero"
    assert lines[-1] == "Everyone is where the show left them."


def test_an_unknown_key_while_the_choices_wait_says_to_read_on(tmp_path: Path) -> None:
    player = Player(tmp_path, rows=24, cols=80, story=LONG)
    player.wait_for("The first line of the gate scene.")
    said = pressed(player, "x")
    assert "The key “x” does nothing here. Space reads on, then you choose" in said, said
    assert "Type 1-5 to choose" not in said
    player.send("q")
    assert player.finish() == 0
