"""The choice ledger is computed on a worker thread while the game is played: an episode
end never waits for it, says so while it is not ready, and shows it at the next one."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import engine.tools.ledger as ledger_module
from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.session import Session
from engine.tools.ledger import Ledger
from engine.ui import screen
from engine.ui.commands import Game
from engine.ui.ledger_worker import ENDING_PENDING, PENDING, LedgerWorker
from engine.ui.panes import story_pane
from engine.ui.plain import PlainUI
from engine.ui.watch import Update, Watch

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "play_basic"


@pytest.fixture
def story() -> Story:
    return load_story(FIXTURE)


@pytest.fixture
def computed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that computed a ledger (empty cache, empty memory)."""
    monkeypatch.setenv("HYOSAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(ledger_module, "_memory", {})
    names: list[str] = []
    real = ledger_module.compute_ledger

    def recording(story: Story, *args: Any, **kwargs: Any) -> Ledger:
        names.append(threading.current_thread().name)
        return real(story, *args, **kwargs)

    monkeypatch.setattr(ledger_module, "compute_ledger", recording)
    return names


def held_back(gate: threading.Event) -> Callable[[Story], object]:
    """A ledger computation that waits for `gate` (a slow story), then computes it."""

    def compute(story: Story) -> object:
        assert gate.wait(20)
        return ledger_module.ledger_for(story)

    return compute


def new_game(story: Story, folder: Path, worker: LedgerWorker | None = None) -> Game:
    game = Game(Session(story, 1, folder / "saves"))
    game.ledger = worker
    return game


def choose(game: Game, *numbers: int) -> None:
    for number in numbers:
        reply = game.pick(number)
        assert not reply.error, reply.message


def test_an_episode_end_does_not_wait_for_the_ledger_and_the_next_one_shows_it(
    story: Story, tmp_path: Path, computed_in: list[str]
) -> None:
    gate = threading.Event()
    worker = LedgerWorker.start(story, held_back(gate))
    game = new_game(story, tmp_path, worker)
    choose(game, 1, 1, 1)  # the lab, bar the door, climb: the end of episode 1
    began = time.monotonic()
    scene = game.scene()
    assert time.monotonic() - began < 1.0  # not held up by the computation
    assert scene.title_card == "EPISODE 2 · The Roof"
    assert scene.ledger == (PENDING,)
    pane = [text for line in story_pane(game, None, 100, False).lines for _, text in line]
    assert f" {PENDING}" in pane  # the full screen says it too
    assert worker.pending and computed_in == []

    gate.set()
    assert worker.wait(20) and not worker.failed
    assert game.scene().ledger == (PENDING,)  # a scene never changes under the reader
    choose(game, 1)  # signal the helicopter: the ending shows the ledger
    ending = screen.ending_text(story, game.session.states, game.ledger)
    assert "THE CHOICE LEDGER (simulated players)" in ending
    assert "of runs saved Han Gyeong-su." in ending and ENDING_PENDING not in ending
    other = new_game(story, tmp_path / "other", worker)
    choose(other, 2, 1, 1)  # the next episode end (another run, the same worker)
    lines = other.scene().ledger
    assert lines and lines[0].startswith("Which way: you chose “Make for the teachers' office.”")
    assert "of simulated players chose the same" in lines[0]
    assert computed_in == ["hyosan-ledger"]  # once, and never in the game's own thread


def test_the_ending_says_the_ledger_is_still_being_computed(
    story: Story, tmp_path: Path, computed_in: list[str]
) -> None:
    gate = threading.Event()
    game = new_game(story, tmp_path, LedgerWorker.start(story, held_back(gate)))
    choose(game, 1, 1, 1, 1)
    ending = screen.ending_text(story, game.session.states, game.ledger)
    assert f"THE CHOICE LEDGER (simulated players)\n{ENDING_PENDING}" in ending
    gate.set()
    assert computed_in == [] and game.ledger is not None and game.ledger.wait(20)


def test_an_episode_end_without_a_turning_point_says_nothing_about_the_ledger() -> None:
    story = load_story(FIXTURE.parent / "rules_lab")  # no turning points at all
    gate = threading.Event()
    worker = LedgerWorker.start(story, lambda s: gate.wait(20))
    first = initial_state(story, 1)
    scene = screen.scene(story, [first, step(story, first, "out")[0]], worker=worker)
    assert scene.title_card is not None and scene.title_card.startswith("EPISODE 2")
    assert scene.ledger == ()
    gate.set()


def test_a_failed_computation_means_no_ledger_and_nothing_printed(
    story: Story, tmp_path: Path, computed_in: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(story: Story) -> object:
        raise RuntimeError("the disk is on fire")

    worker = LedgerWorker.start(story, broken)
    assert worker.wait(20) and worker.failed
    game = new_game(story, tmp_path, worker)
    choose(game, 1, 1, 1)
    assert game.scene().ledger == ()
    choose(game, 1)
    assert "CHOICE LEDGER" not in screen.ending_text(story, game.session.states, worker)
    assert computed_in == []  # not computed in the foreground instead
    assert capsys.readouterr() == ("", "")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("at_a_terminal", [True, False])
def test_line_mode_computes_the_ledger_meanwhile_only_for_a_player_at_a_terminal(
    story: Story, tmp_path: Path, computed_in: list[str], at_a_terminal: bool
) -> None:
    game = new_game(story, tmp_path)
    source = _Terminal("1\n1\n1\n") if at_a_terminal else io.StringIO("1\n1\n1\n")
    out = io.StringIO()
    PlainUI(game, source, out).run()
    if at_a_terminal:  # the worker was started with play; the script computed it in line
        assert game.ledger is not None and game.ledger.wait(20)
        assert computed_in == ["hyosan-ledger"]
    else:
        assert game.ledger is None and computed_in == ["MainThread"]
        assert "Which way: you chose “Run for the science lab.”" in out.getvalue()


def test_a_reload_computes_the_edited_storys_ledger_after_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "story"
    shutil.copytree(FIXTURE, folder)
    story = load_story(folder)
    gate, order = threading.Event(), []

    def compute(given: Story) -> object:
        assert gate.wait(20)
        order.append(given)
        return None

    game = new_game(story, tmp_path, LedgerWorker.start(story, compute))
    old = game.ledger
    path = folder / "episodes" / "one.yaml"
    path.write_text(path.read_text().replace("The hall is quiet.", "The hall is silent."))
    edited = load_story(folder)
    watch = Watch(game, folder)
    try:
        lines, error = watch.apply(Update(edited, []))
    finally:
        os.close(watch.wake_fd)
        os.close(watch._wake_w)
    assert not error and lines[0].startswith("Story reloaded")
    assert game.ledger is not old and game.ledger is not None and game.ledger.story is edited
    gate.set()
    assert game.ledger.wait(20) and order == [story, edited]  # never two at once


def test_a_worker_replaced_before_it_began_computes_nothing(story: Story) -> None:
    gate, order = threading.Event(), []

    def compute(given: Story) -> object:
        assert gate.wait(20)
        order.append(given.id)
        return None

    first = LedgerWorker.start(story, compute)
    second = first.replace(story)
    third = second.replace(story)
    gate.set()
    assert third.wait(20) and not third.failed
    assert second.failed and order == [story.id, story.id]  # the first, then the last
