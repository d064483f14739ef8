"""Two processes never play the same slot: save files are locked while a game plays them.

The lock is `fcntl.flock` on `.<file>.lock` beside the save, so it goes away with its
process however that ends; a second game gets a clear message and a run file of its
own, and never waits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.saves.files import read_save
from engine.saves.lock import LockHeld, SlotLock, lock_path, try_lock

ROOT = Path(__file__).resolve().parent.parent
HYOSAN = Path(sys.executable).with_name("hyosan")
STORY = ROOT / "tests" / "fixtures" / "play_basic"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX processes")


def test_a_lock_names_its_holder_and_goes_away_when_the_holder_is_killed(tmp_path: Path) -> None:
    save = tmp_path / "mine.yaml"
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child holds the lock until killed
        os.close(read)
        held = try_lock(save)
        os.write(write, b"1" if isinstance(held, SlotLock) else b"0")
        time.sleep(60)
        os._exit(0)
    os.close(write)
    try:
        assert os.read(read, 1) == b"1"
        other = try_lock(save)
        assert isinstance(other, LockHeld) and other.pid == pid
        assert f"pid {pid}" in other.who()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
    mine = try_lock(save)  # the kernel let go of the killed holder's lock
    assert isinstance(mine, SlotLock)
    mine.release()
    assert not lock_path(save).exists()


def test_one_process_cannot_take_a_lock_twice(tmp_path: Path) -> None:
    first = try_lock(tmp_path / "a.yaml")
    assert isinstance(first, SlotLock)
    assert isinstance(try_lock(tmp_path / "a.yaml"), LockHeld)
    first.release()
    assert isinstance(try_lock(tmp_path / "a.yaml"), SlotLock)


def _play(saves: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "HYOSAN_SAVES"}
    command = [str(HYOSAN), "play", "--plain", "--story", str(STORY), "--saves-dir", str(saves)]
    return subprocess.Popen(
        [*command, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for(path: Path, steps: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if len(read_save(path).steps) == steps:
                return
        except Exception:  # not written yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"{path} never held {steps} steps")


@pytest.mark.skipif(not HYOSAN.exists(), reason="needs the installed hyosan script")
def test_a_second_game_on_the_same_slot_gets_a_message_and_its_own_run(tmp_path: Path) -> None:
    first = subprocess.run(
        [str(HYOSAN), "play", "--plain", "--story", str(STORY), "--saves-dir", str(tmp_path)],
        input="1\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    run = read_save(tmp_path / "autosave.yaml").slot
    one = _play(tmp_path, "--load", "autosave")  # plays on in the run's own file...
    assert one.stdin is not None
    one.stdin.write("1\n")  # bar the door
    one.stdin.flush()
    _wait_for(tmp_path / f"{run}.yaml", 2)
    _wait_for(tmp_path / "autosave.yaml", 2)
    two = _play(tmp_path, "--load", "autosave")  # ...so a second game cannot
    out, err = two.communicate("2\n", timeout=60)  # go down instead, then end of input
    assert two.returncode == 0, err
    assert f"{run}.yaml is open in another hyosan (pid {one.pid})" in out
    assert f"another hyosan (pid {one.pid}) is playing with the saves in {tmp_path}" in out
    one_out, _ = one.communicate("", timeout=60)
    assert one.returncode == 0
    assert [s.choice for s in read_save(tmp_path / f"{run}.yaml").steps] == ["lab", "bar"]
    assert [s.choice for s in read_save(tmp_path / "autosave.yaml").steps] == ["lab", "bar"]
    choices = {tuple(s.choice for s in read_save(p).steps) for p in tmp_path.glob("*.yaml")}
    assert ("lab", "bar", "down") in choices  # the second game's run, in a file of its own
    resume = out.rsplit("To resume: ", 1)[1].split()
    assert resume[-2:] != ["--load", "autosave"]  # the autosave is the first game's
    assert "To resume:" in one_out and one_out.rstrip().endswith("--load autosave")
