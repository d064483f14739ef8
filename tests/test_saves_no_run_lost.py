"""No run is ever lost: each way a player used to lose a run, played in line mode.

Every test plays through `PlainUI` with StringIO (in-process), and ends by checking that
every run that existed before still exists in some file, and that every save file in
the folder still replays exactly with `hyosan replay --check`.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.saves.files import read_save, write_save
from engine.saves.format import SavedStep, make_save
from engine.session import Session
from engine.ui.commands import Game
from engine.ui.plain import PlainUI

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "play_basic"
Steps = tuple[SavedStep, ...]


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


def play(story: Story, saves: Path, keys: str, seed: int = 1, **game: object) -> str:
    """Play `keys` (one command or number a line) in line mode; what the player saw."""
    session = Session(story, seed, saves)
    out = io.StringIO()
    try:
        PlainUI(Game(session, **game), io.StringIO(keys), out).run()  # type: ignore[arg-type]
    finally:
        session.close()
    return out.getvalue()


def runs(saves: Path) -> dict[str, Steps]:
    """Every save file in the folder (backups too) -> its steps."""
    return {path.name: read_save(path).steps for path in sorted(saves.glob("*.yaml"))}


def all_replay(saves: Path, story_dir: Path = FIXTURE) -> None:
    """Every save in the folder replays exactly (`hyosan replay --check` exits 0)."""
    for path in sorted(saves.glob("*.yaml")):
        assert main(["replay", str(path), "--check", "--story", str(story_dir)]) == 0, path


def kept(before: dict[str, Steps], saves: Path) -> None:
    """Every run of `before` is still in some file (as it was, or further on)."""
    now = list(runs(saves).values())
    for name, steps in before.items():
        assert any(run[: len(steps)] == steps for run in now), f"the run of {name} was lost"


@pytest.fixture
def saves(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "saves"
    yield folder
    all_replay(folder)


def test_loading_an_older_save_and_choosing_keeps_the_run_you_were_playing(
    story: Story, saves: Path
) -> None:
    play(story, saves, "1\nsave early\n1\n1\n")  # the run goes on to the roof
    before = runs(saves)
    autosave = before["autosave.yaml"]
    assert len(autosave) == 3
    out = play(story, saves, "load early\n2\nq\n", seed=2)
    assert "Loaded “early”, turn 2." in out
    kept(before, saves)
    assert read_save(saves / "early.yaml").steps == before["early.yaml"]  # left as it was
    assert len(read_save(saves / "autosave.yaml").steps) == 2  # follows the new run...
    old_run = read_save(saves / "autosave.bak.yaml")
    assert old_run.steps == autosave  # ...and the run it held is in its own file, whole
    assert read_save(saves / f"{old_run.slot}.yaml").steps == autosave


def test_undo_at_the_start_of_a_loaded_or_new_run_goes_back_to_the_run_you_left(
    story: Story, saves: Path
) -> None:
    out = play(story, saves, "1\n1\n1\nn\nu\nload autosave\nu\nu\nu\nu\n")
    assert "A new game. Your run is kept in" in out and "undo (u) goes back to it." in out
    assert out.count("Back to “play-basic-") == 2  # after the new game, and the load
    assert out.count("Undone. Back at turn") == 3
    assert "Nothing to undo" not in out


def test_a_new_game_then_quit_leaves_the_autosave_alone(story: Story, saves: Path) -> None:
    play(story, saves, "1\n1\n")
    before = runs(saves)
    out = play(story, saves, "n\nq\n", seed=5)
    assert "Nothing to save: no choice was made in this game." in out
    assert runs(saves) == before  # nothing written at all


def test_stray_keys_and_a_split_escape_sequence_lose_nothing(story: Story, saves: Path) -> None:
    play(story, saves, "1\n1\n1\n")
    before = runs(saves)
    session = Session(story, 9, saves)
    game = Game(session)
    PlainUI(game, io.StringIO("load autosave\nc\nl\n\n[6n\nn\nq\n"), io.StringIO()).run()
    session.close()
    assert runs(saves) == before


def test_loading_a_finished_run_and_choosing_again_asks_and_keeps_it(
    story: Story, saves: Path
) -> None:
    play(story, saves, "1\n1\n1\n1\n")  # to the ending
    finished = read_save(saves / "autosave.yaml")
    assert finished.ending == "rescued"
    name = f"{finished.slot}.yaml"
    out = play(story, saves, f"load {finished.slot}\nu\n2\nn\n2\n\n", seed=3)
    assert (
        out.count("Really play on from turn 4?") == 2
        and "This replaces turn 4 of your saved run." in out
    )
    assert read_save(saves / name).steps == finished.steps  # "no", and Enter alone: kept
    out = play(story, saves, f"load {finished.slot}\nu\n2\n3\n", seed=3)
    assert "stays whole, and this run goes on in a new file" in out
    assert read_save(saves / name).steps == finished.steps  # keep both
    kept({name: finished.steps}, saves)
    out = play(story, saves, f"load {finished.slot}\nu\n2\ny\n", seed=3)
    assert read_save(saves / name).steps[-1].choice == "hide"  # replaced, as confirmed...
    assert read_save(saves / f"{finished.slot}.bak.yaml").steps == finished.steps  # ...kept


def test_overwriting_a_named_save_asks_first(story: Story, saves: Path) -> None:
    play(story, saves, "1\nsave mine\n")
    mine = read_save(saves / "mine.yaml").steps
    out = play(story, saves, "2\nsave mine\nn\nsave mine\n\n", seed=4)
    assert out.count("Really replace the save “mine”? (y/N)") == 2
    assert "No: keep it (it holds a run of 1 step (episode 1, saved" in out
    assert read_save(saves / "mine.yaml").steps == mine
    out = play(story, saves, "2\nsave mine\ny\n", seed=4)
    assert "Saved to slot “mine”" in out
    assert read_save(saves / "mine.yaml").steps[0].choice == "office"
    assert read_save(saves / "mine.bak.yaml").steps == mine
    out = play(story, saves, "2\nsave again\n1\nsave again\n", seed=4)  # the same run, further
    assert "Really" not in out and len(read_save(saves / "again.yaml").steps) == 2


def test_undo_then_quit_never_shortens_the_save(story: Story, saves: Path) -> None:
    play(story, saves, "1\n1\n1\n")
    before = runs(saves)
    out = play(story, saves, "load autosave\nu\nu\nq\n", seed=8)
    assert "Undone. Back at turn 2." in out
    assert runs(saves) == before
    assert "--load autosave" in out  # which brings back the whole run


def _edited_story(tmp_path: Path) -> Path:
    copy = tmp_path / "story"
    shutil.copytree(FIXTURE, copy)
    episode = copy / "episodes" / "one.yaml"
    episode.write_text(episode.read_text().replace("id: bar", "id: barricade"))
    return copy


def test_a_save_the_edited_story_no_longer_replays_is_left_as_it_was(
    story: Story, tmp_path: Path
) -> None:
    saves = tmp_path / "saves"
    play(story, saves, "1\n1\n1\n")  # lab, bar, up: "bar" is renamed below
    before = {p.name: p.read_bytes() for p in saves.glob("*.yaml")}
    edited = load_story(_edited_story(tmp_path))
    out = play(edited, saves, "load autosave\nq\n", seed=6)
    assert "replay stopped at step 2" in out and "The save is kept as it was" in out
    assert {p.name: p.read_bytes() for p in saves.glob("*.yaml")} == before
    play(edited, saves, "load autosave\n1\nq\n", seed=6)  # playing on: a new file
    for name, data in before.items():
        assert (saves / name).read_bytes() == data or name.startswith("autosave")
    kept({name: read_save(saves / name).steps for name in before if "autosave" not in name}, saves)
    for name in before:  # the originals still replay with the story they were played in
        if not name.startswith("autosave"):
            assert main(["replay", str(saves / name), "--check", "--story", str(FIXTURE)]) == 0


def test_a_run_found_only_in_an_old_autosave_is_copied_to_a_file_before_it_is_replaced(
    story: Story, saves: Path
) -> None:
    from engine.runtime.rules import initial_state, step

    states = [initial_state(story, 1)]
    for choice in ("office", "wait"):
        states.append(step(story, states[-1], choice)[0])
    old = make_save(story, 1, states, "autosave")  # as Hyosan wrote autosaves before
    write_save(saves / "autosave.yaml", old)
    play(story, saves, "1\n", seed=2)  # a new game, not the old run
    kept({"autosave.yaml": old.steps}, saves)
    rescued = [p for p in saves.glob("play-basic-*.yaml") if read_save(p).steps == old.steps]
    assert len(rescued) == 1


def test_continuing_an_old_autosave_goes_on_in_a_run_file(story: Story, saves: Path) -> None:
    from engine.runtime.rules import initial_state, step

    states = [initial_state(story, 1)]
    states.append(step(story, states[-1], "office")[0])
    write_save(saves / "autosave.yaml", make_save(story, 1, states, "autosave"))
    before = runs(saves)
    out = play(story, saves, "load autosave\n1\nq\n", seed=2)
    assert "To resume: hyosan play --load autosave" in out
    kept(before, saves)
    autosave = read_save(saves / "autosave.yaml")
    assert len(autosave.steps) == 2 and autosave.slot != "autosave"


def test_stale_temporary_files_are_removed_when_play_starts(story: Story, tmp_path: Path) -> None:
    import os
    import time

    folder = tmp_path / "saves"
    folder.mkdir()
    gone = folder / ".autosave.yaml.999999999-abcd1234.tmp"  # its writer is gone
    old = folder / ".mine.yaml.abcd1234.tmp"  # an old-style name, from long ago
    live = folder / f".mine.yaml.{os.getpid()}-abcd1234.tmp"  # a write in progress
    for path in (gone, old, live):
        path.write_text("partial")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    session = Session(story, 1, folder)
    session.open_files()
    session.close()
    assert not gone.exists() and not old.exists() and live.exists()
