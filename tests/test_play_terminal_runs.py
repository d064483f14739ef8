"""The full-screen game in a real pseudo-terminal: no way of playing loses a run.

Each test plays one of the ways runs used to be lost (loading an older save and
choosing, a new game and quit, stray keys, a finished run loaded and played again, a
story edited since the save, two games on the same saves) and ends by checking that
every run that existed is still in some file, and that every save replays exactly with
`hyosan replay --check`. The screen is read through `Screen` from test_play_terminal.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from test_play_terminal import ESC, STORY, Player, pytestmark  # noqa: F401

from engine.cli.main import main
from engine.saves.files import read_save
from engine.saves.format import SavedStep

Steps = tuple[SavedStep, ...]


def runs(saves: Path) -> dict[str, Steps]:
    return {path.name: read_save(path).steps for path in sorted(saves.glob("*.yaml"))}


def kept_and_replayable(before: dict[str, Steps], saves: Path, story: Path = STORY) -> None:
    """Every run of `before` is still in some file, and every save replays exactly."""
    now = list(runs(saves).values())
    for name, steps in before.items():
        assert any(run[: len(steps)] == steps for run in now), f"the run of {name} was lost"
    for path in sorted(saves.glob("*.yaml")):  # `hyosan replay --check`, in this process
        assert main(["replay", str(path), "--check", "--story", str(story)]) == 0, path


def pick(player: Player, label: str) -> None:
    """Press the number of the menu line that shows `label`."""
    screen = player.wait_for(label, screen_only=True)
    found = re.search(r"(\d+)\. " + re.escape(label), screen)
    assert found, f"no menu line {label!r}:\n{screen}"
    player.send(found.group(1))


def esc(player: Player) -> None:
    player.send(ESC)
    time.sleep(0.8)  # a lone Esc is told apart from an escape sequence by a pause


def play_to_the_roof(player: Player, save_as: str | None = None) -> None:
    player.wait_for("Run for the science lab.")
    player.send("1")
    player.wait_for("Bar the door.")
    if save_as:
        player.send("s")
        player.wait_for("slot name")
        player.send(f"{save_as}\r")
        player.wait_for(f"Saved to slot “{save_as}”")
    player.send("1")
    player.wait_for("Climb.")
    player.send("1")
    player.wait_for("Signal the helicopter.")


def test_loading_an_older_save_then_choosing_keeps_the_run_you_were_playing(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path)
    play_to_the_roof(player, save_as="early")
    before = runs(tmp_path)
    player.send("l")
    player.wait_for("SAVED GAMES")
    pick(player, "early ·")
    player.wait_for("Loaded “early”, turn 2.")
    player.send("2")  # one choice in the older run
    player.wait_for("Climb.")
    player.send("q")
    assert player.finish() == 0
    kept_and_replayable(before, tmp_path)
    assert runs(tmp_path)["early.yaml"] == before["early.yaml"]
    slot = read_save(tmp_path / "autosave.bak.yaml").slot  # the run the autosave held
    assert read_save(tmp_path / f"{slot}.yaml").steps == before["autosave.yaml"]


def test_stray_keys_a_split_escape_sequence_and_new_game_then_quit_lose_nothing(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path)
    play_to_the_roof(player)
    before = {path.name: path.read_bytes() for path in tmp_path.glob("*.yaml")}
    player.send("c")
    player.wait_for("Compared with")
    esc(player)
    player.send("l")
    player.wait_for("SAVED GAMES")
    esc(player)
    player.send("\x1b[6n")  # a terminal's reply, split into keys: Esc [ 6 n
    player.wait_for("A new game. Your run is kept in")
    player.send("q")
    player.wait_for("Nothing to save: no choice was made in this game.")
    assert player.finish() == 0
    assert "To resume it:" in player.raw
    after = {path.name: path.read_bytes() for path in tmp_path.glob("*.yaml")}
    assert after == before
    kept_and_replayable({}, tmp_path)


def test_a_finished_run_loaded_from_the_ending_menu_is_replaced_only_when_confirmed(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path)
    play_to_the_roof(player)
    player.send("1")
    player.wait_for("THE END · Rescued")
    player.send("q")
    assert player.finish() == 0
    before = runs(tmp_path)
    finished = read_save(tmp_path / "autosave.yaml").slot
    again = Player(tmp_path, "--new")
    again.wait_for("Run for the science lab.")
    again.send("1")
    again.wait_for("Bar the door.")
    again.send("l")
    again.wait_for("SAVED GAMES")
    pick(again, f"{finished} ·")  # the finished run
    again.wait_for("THE END · Rescued")
    pick(again, "Undo the last choice")
    again.wait_for("Undone. Back at turn 4.")
    again.send("2")  # another choice than the saved one
    again.wait_for("Really play on from turn 4?")
    again.send("n")
    again.wait_for("Unchanged.")
    again.send("2")
    again.wait_for("Really play on from turn 4?")
    pick(again, "Keep both")
    again.wait_for("THE END · Lost")
    again.send("q")
    assert again.finish() == 0
    kept_and_replayable(before, tmp_path)
    assert read_save(tmp_path / f"{finished}.yaml").ending == "rescued"


def test_a_save_the_edited_story_no_longer_replays_is_not_cut_by_quitting(
    tmp_path: Path,
) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    player = Player(saves)
    play_to_the_roof(player)
    player.send("q")
    assert player.finish() == 0
    before = {path.name: path.read_bytes() for path in saves.glob("*.yaml")}
    edited = tmp_path / "story"
    shutil.copytree(STORY, edited)
    episode = edited / "episodes" / "one.yaml"
    episode.write_text(episode.read_text().replace("id: bar", "id: barricade"))
    again = Player(saves, "--load", "autosave", story=edited)
    again.wait_for("The save is kept as it was")
    again.send("q")
    assert again.finish() == 0
    assert {path.name: path.read_bytes() for path in saves.glob("*.yaml")} == before
    kept_and_replayable(runs(saves), saves)


def test_two_games_on_the_same_saves_never_replace_each_others_runs(tmp_path: Path) -> None:
    first = Player(tmp_path)
    first.wait_for("Run for the science lab.")
    first.send("1")
    first.wait_for("Bar the door.")
    second = Player(tmp_path)
    second.wait_for("Continue · Episode 1")
    second.send("\r")
    screen = second.wait_for("is open in another hyosan (pid")
    assert "leaves the autosave alone" in screen or "leaves the autosave alone" in second.raw
    second.send("2")  # wait and listen, in its own run
    second.wait_for("The stairs lead up")
    first.send("1")  # bar the door, in the first run
    first.wait_for("The stairs lead up")
    before = runs(tmp_path)
    second.send("q")
    assert second.finish() == 0
    first.send("q")
    assert first.finish() == 0
    kept_and_replayable(before, tmp_path)
    choices = sorted(tuple(s.choice for s in steps) for steps in runs(tmp_path).values())
    assert ("lab", "bar") in choices and ("lab", "wait") in choices
    autosave = read_save(tmp_path / "autosave.yaml")
    assert [s.choice for s in autosave.steps] == ["lab", "bar"]  # the first game's
    assert "--load autosave" not in second.raw.split("To resume:")[-1]


def test_new_game_at_the_start_offer_then_quit_changes_no_file(tmp_path: Path) -> None:
    player = Player(tmp_path)
    play_to_the_roof(player)
    player.send("q")
    assert player.finish() == 0
    before = {path.name: path.read_bytes() for path in tmp_path.glob("*.yaml")}
    again = Player(tmp_path)
    again.wait_for("Continue · Episode 2")
    again.send("n")
    again.wait_for("Run for the science lab.")
    again.send("q")
    assert again.finish() == 0
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.yaml")} == before
