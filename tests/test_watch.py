"""`hyosan play --watch`: editing the story while playing it keeps the player's place.

The game runs in a pseudo-terminal on a temporary copy of tests/fixtures/play_basic;
the tests edit its files as an author would and read what the player sees. The pure
re-seating of a run on an edited story (`engine.runtime.reseat`) is tested directly.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from engine.compiler.loader import load_story
from engine.runtime.reseat import reseat
from engine.runtime.rules import initial_state, step

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "play_basic"
HYOSAN = Path(sys.executable).parent / "hyosan"
TIMEOUT = 20


@pytest.fixture
def story(tmp_path: Path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(FIXTURE, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


class Game:
    """`hyosan play --plain --watch` in a pseudo-terminal."""

    def __init__(self, story: Path, saves: Path, *extra: str) -> None:
        env = dict(os.environ, TERM="dumb")
        env.pop("NO_COLOR", None)
        argv = ["play", "--story", str(story), "--saves-dir", str(saves), "--seed", "1"]
        self.child = pexpect.spawn(
            str(HYOSAN),
            [*argv, "--plain", "--new", "--watch", *extra],
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            cwd=str(story.parent),
            dimensions=(40, 120),
        )
        self.prompt()

    def prompt(self) -> str:
        """Everything shown up to the next prompt."""
        self.child.expect("\r\n> ")
        return str(self.child.before).replace("\r\n", "\n")

    def choose(self, number: int) -> str:
        self.child.sendline(str(number))
        return self.prompt()

    def reload(self) -> str:
        """What the game says after a file changed: up to the prompt after the note."""
        self.child.expect(r"\* (Story reloaded|The story has errors|The story is clean)")
        return str(self.child.after) + self.prompt()

    def quit(self) -> None:
        self.child.sendline("quit")
        self.child.expect(pexpect.EOF)
        self.child.close()


def test_editing_the_current_nodes_text_redraws_it_in_place(story: Path, tmp_path: Path) -> None:
    game = Game(story, tmp_path / "saves")
    assert "The lab smells of bleach." in game.choose(1)
    _edit(story / "episodes" / "one.yaml", "smells of bleach", "smells of ammonia")
    said = game.reload()
    assert "Story reloaded: nothing on your path changed." in said
    assert "The lab smells of ammonia." in said
    assert "1. Bar the door." in said
    assert "The stairs lead up" in game.choose(1)  # play goes on from the same place
    game.quit()


def test_renaming_a_choice_on_the_path_continues_from_its_node_with_a_note(
    story: Path, tmp_path: Path
) -> None:
    game = Game(story, tmp_path / "saves")
    game.choose(1)
    assert "The stairs lead up to the roof." in game.choose(1)  # hall -> lab -> (bar) stairs
    _edit(story / "episodes" / "one.yaml", "- id: bar\n", "- id: barricade\n")
    said = game.reload()
    assert "the choice 'bar' at lab is gone: play continues from lab" in said
    assert "The lab smells of bleach." in said
    assert "The stairs lead up" in game.choose(1)  # Bar the door., by its new id
    game.quit()


def test_a_node_inserted_on_the_path_is_named_and_the_run_keeps_its_place(
    story: Path, tmp_path: Path
) -> None:
    game = Game(story, tmp_path / "saves")
    game.choose(1)
    game.choose(1)
    one = story / "episodes" / "one.yaml"
    text = one.read_text()  # one write: the new node and the goto to it
    text = text.replace(
        "{set: barred}]\n        goto: stairs", "{set: barred}]\n        goto: landing"
    )
    text = text.replace(
        "  stairs:\n",
        "  landing:\n    text: A landing.\n    choices:\n"
        "      - {id: onward, text: Go on., goto: stairs}\n  stairs:\n",
    )
    one.write_text(text)
    said = game.reload()
    assert "Story reloaded: your path now passes landing; the saved run is kept" in said
    assert "The stairs lead up to the roof." in said
    game.quit()


def test_a_broken_story_shows_its_diagnostics_and_the_old_story_keeps_running(
    story: Path, tmp_path: Path
) -> None:
    game = Game(story, tmp_path / "saves")
    game.choose(1)
    _edit(
        story / "episodes" / "one.yaml",
        "goto: stairs\n      - id: wait",
        "goto: stairz\n      - id: wait",
    )
    said = game.reload()
    assert "the old story keeps running until they are fixed" in said
    assert (
        'story/episodes/one.yaml:32:15: error E030: choice "bar" goes to unknown node "stairz"'
        in said
    )
    assert "The stairs lead up to the roof." in game.choose(1)  # the old story, unbroken
    _edit(
        story / "episodes" / "one.yaml",
        "goto: stairz\n      - id: wait",
        "goto: stairs\n      - id: wait",
    )
    said = game.reload()
    assert "The story is clean again, as it was: nothing changed." in said
    assert "The stairs lead up to the roof." in said
    game.quit()


def _run(story_path: Path, choices: list[str]) -> list[tuple[str, str]]:
    story = load_story(story_path)
    state = initial_state(story, 1)
    for choice in choices:
        state = step(story, state, choice)[0]
    return state.steps()


def test_reseating_matches_choices_by_id_not_by_their_place_in_the_menu(story: Path) -> None:
    steps = _run(story, ["office", "wait", "up"])
    one = story / "episodes" / "one.yaml"
    text = one.read_text()
    lab, office = text.index("      - id: lab"), text.index("      - id: office")
    end = text.index("  lab:\n")
    one.write_text(text[:lab] + text[office:end] + text[lab:office] + text[end:])  # swapped
    placed = reseat(load_story(story), 1, steps)
    assert placed.complete and placed.notes == []
    assert [s.node for s in placed.states] == ["hall", "lab", "stairs", "roof"]
    assert placed.states[-1].steps() == steps


def test_reseating_skips_a_node_the_path_no_longer_passes(story: Path) -> None:
    steps = _run(story, ["lab", "wait", "up", "signal"])
    _edit(
        story / "episodes" / "one.yaml",
        "text: Wait and listen.\n        goto: stairs",
        "text: Wait and listen.\n        goto: roof",
    )
    placed = reseat(load_story(story), 1, steps)
    assert placed.notes == ["your path no longer passes stairs"]
    assert placed.complete
    assert [s.node for s in placed.states] == ["hall", "lab", "roof", "rescued"]


def test_reseating_stops_where_a_choice_is_no_longer_available(story: Path) -> None:
    steps = _run(story, ["lab", "wait", "up", "signal"])
    two = story / "episodes" / "two.yaml"
    _edit(two, "      - id: signal\n", "      - id: signal\n        if: barred\n")
    placed = reseat(load_story(story), 1, steps)
    assert not placed.complete and placed.replayed == 3
    assert placed.notes == [
        "the choice 'signal' at roof is no longer available (its condition is false now): "
        "play continues from roof"
    ]
    assert placed.states[-1].node == "roof"


def test_reseating_passes_a_single_choice_node_inserted_mid_path(story: Path) -> None:
    steps = _run(story, ["lab", "bar", "up"])
    one = story / "episodes" / "one.yaml"
    text = one.read_text()
    text = text.replace(
        "do: [{give: phone}]\n        goto: lab", "do: [{give: phone}]\n        goto: corridor"
    )
    text = text.replace(
        "  lab:\n",
        "  corridor:\n    text: A corridor.\n    choices:\n"
        "      - {id: run, text: Run., goto: lab}\n  lab:\n",
    )
    one.write_text(text)
    placed = reseat(load_story(story), 1, steps, "roof")
    assert placed.notes == ["your path now passes corridor"]
    assert placed.complete
    assert [s.node for s in placed.states] == ["hall", "corridor", "lab", "stairs", "roof"]


def test_the_full_screen_game_redraws_the_edited_scene(story: Path, tmp_path: Path) -> None:
    env = dict(os.environ, TERM="xterm")
    env.pop("NO_COLOR", None)
    argv = ["play", "--story", str(story), "--saves-dir", str(tmp_path / "saves"), "--seed", "1"]
    child = pexpect.spawn(
        str(HYOSAN),
        [*argv, "--new", "--watch"],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(30, 100),
    )
    child.expect("Which way")
    child.send("1")
    child.expect("smells of bleach")
    _edit(story / "episodes" / "one.yaml", "smells of bleach", "smells of ammonia")
    seen = ""
    while "ammonia" not in seen or "nothing on your path changed" not in seen:
        seen += child.read_nonblocking(65536, timeout=TIMEOUT)  # only changed cells are drawn
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
