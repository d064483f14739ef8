"""A save is never half-written: kill the saving process at random moments, every file loads.

A child process (forked, so no interpreter start-up per round) saves in a loop, to two
slots with backups; the test kills it with SIGKILL after a random delay, 200+ times, and
after each kill reads every save file left in the folder.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.saves.files import read_save, write_save
from engine.saves.format import SaveFile, make_save

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
KILLS = 220

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


def saves_of_growing_runs() -> list[SaveFile]:
    story = load_story(FIXTURE)
    rng = random.Random(5)
    states = [initial_state(story, 1)]
    out = []
    while len(out) < 60:
        if is_ending(story, states[-1]):
            states = [initial_state(story, len(out))]
        offered = available_choices(story, states[-1])
        states.append(step(story, states[-1], rng.choice(offered).id)[0])
        out.append(make_save(story, 1, states, "crash"))
    return out


def save_forever(folder: Path, saves: list[SaveFile]) -> None:
    """The child: write save after save, alternating two slots, keeping backups."""
    try:
        index = 0
        while True:
            slot = ("autosave", "mine")[index % 2]
            write_save(folder / f"{slot}.yaml", saves[index % len(saves)], backup=True)
            index += 1
    finally:
        os._exit(0)


def test_killing_the_saving_process_at_random_moments_never_leaves_a_broken_save(
    tmp_path: Path,
) -> None:
    saves = saves_of_growing_runs()
    valid = {save.steps for save in saves}
    rng = random.Random(2024)
    loaded = 0
    for _ in range(KILLS):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            save_forever(tmp_path, saves)
        time.sleep(rng.uniform(0, 0.04))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for path in tmp_path.glob("*.yaml"):
            save = read_save(path)  # raises SaveError if a write was torn
            assert save.steps in valid
            loaded += 1
    torn = len(list(tmp_path.glob(".*.tmp")))  # temporary files of writes cut short
    assert loaded > KILLS // 2 and torn > 0  # the kills did land in the middle of writes
