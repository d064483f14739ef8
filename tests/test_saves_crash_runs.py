"""No run is lost and no file is left unreadable, whenever a playing process is killed.

A child process (forked, so no interpreter start-up per round) plays through the
session's own code: new games, loads of any save, saves to two named slots, choices,
undos (and choices after them, which branch off). The test kills it with SIGKILL after
a random delay, 200 times with a fixed seed, and after each kill reads every file that
changed: each must be a whole save, a run file or a named save may only have grown, and
the run the autosave held must still be in some file. At the end every save replays
exactly and the next start removes every temporary file the kills left behind.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.replay import replay_save
from engine.runtime.model import Story
from engine.saves.files import clean_stale_temps, read_save
from engine.saves.format import SavedStep, SaveError
from engine.session import Session

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
KILLS = 200
Steps = tuple[SavedStep, ...]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


def play_forever(story: Story, folder: Path, seed: int) -> None:
    """The child: a player who never stops, until killed."""
    try:
        rng = random.Random(seed)
        session = Session(story, rng.randrange(1 << 32), folder)
        session.open_files()
        with contextlib.suppress(SaveError):
            session.load("autosave")
        while True:
            _move(session, rng, folder)
    finally:
        os._exit(0)


def _move(session: Session, rng: random.Random, folder: Path) -> None:
    roll = rng.random()
    if roll < 0.55:
        options = session.choices()
        if options:
            session.choose(rng.choice(options).id)  # after an undo: a new run file
        else:
            session.undo()
    elif roll < 0.65:
        session.undo()
    elif roll < 0.75:
        with contextlib.suppress(SaveError):
            session.save(rng.choice(["a", "b"]))  # never replaces another run
    elif roll < 0.9:
        names = [p.stem for p in folder.glob("*.yaml") if not p.stem.endswith(".bak")]
        with contextlib.suppress(SaveError):
            session.load(rng.choice(names or ["autosave"]))
    else:
        session.restart(rng.randrange(1 << 32))


class Watcher:
    """What the parent knows of the folder: each file's steps, re-read when it changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.steps: dict[str, Steps] = {}
        self.stamps: dict[str, tuple[int, int, int]] = {}

    def check(self) -> int:
        """Read what changed; assert nothing was lost. Returns how many files were read."""
        read = 0
        current: dict[str, Steps] = {}
        for path in self.folder.glob("*.yaml"):
            info = path.stat()
            stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
            if self.stamps.get(path.name) == stamp:
                current[path.name] = self.steps[path.name]
                continue
            current[path.name] = read_save(path).steps  # raises if a write was torn
            self.stamps[path.name] = stamp
            read += 1
        for name, old in self.steps.items():
            if name.endswith(".bak.yaml"):
                continue
            if name == "autosave.yaml":  # may follow another run, once this one is kept
                assert any(steps[: len(old)] == old for steps in current.values()), name
            else:  # a run file or a named save only grows
                assert current[name][: len(old)] == old, f"{name} lost steps"
        self.steps = current
        return read


def test_killing_a_playing_process_at_random_moments_loses_no_run(tmp_path: Path) -> None:
    story = load_story(FIXTURE)
    rng = random.Random(2025)
    watcher = Watcher(tmp_path)
    torn = 0
    started = time.monotonic()
    for round_number in range(KILLS):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            play_forever(story, tmp_path, round_number)
        time.sleep(rng.uniform(0.002, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        torn += len(list(tmp_path.glob(".*.tmp")))
        watcher.check()
    assert time.monotonic() - started < 120
    assert torn > 0  # the kills did land in the middle of writes
    assert len(watcher.steps) > 10  # runs, named saves, the autosave and backups
    clean_stale_temps(tmp_path)  # what the next start does
    assert list(tmp_path.glob(".*.tmp")) == []
    for path in sorted(tmp_path.glob("*.yaml")):
        assert replay_save(story, read_save(path)).is_exact, path
