"""`hyosan play` in a real pseudo-terminal: what a player sees and keeps.

The full-screen UI redraws only what changed, so its output is fed through a tiny
terminal emulator (`Screen`) and the tests look at the screen, as a player does.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.saves.files import read_save

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
HYOSAN = ROOT / ".venv" / "bin" / "hyosan"
STORY = ROOT / "tests" / "fixtures" / "play_basic"
TIMEOUT = 20
ROWS, COLS = 30, 100

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not HYOSAN.exists(), reason="needs a POSIX pty and .venv/bin/hyosan"
)

_CSI = re.compile(r"\x1b\[([?>=]?)([0-9;]*)([ -/]*)([@-~])")
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


class Screen:
    """Just enough of a VT100 to read what prompt_toolkit draws."""

    def __init__(self, rows: int, cols: int) -> None:
        self.resize(rows, cols)
        self.pending = ""

    def resize(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0

    def text(self) -> str:
        return "\n".join("".join(line).rstrip() for line in self.grid)

    def feed(self, data: str) -> None:
        data, self.pending = self.pending + data, ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                match = _CSI.match(data, i) or _OSC.match(data, i)
                if match is None:
                    if len(data) - i < 16:  # an escape cut in half: wait for the rest
                        self.pending = data[i:]
                        return
                    i += 2
                    continue
                if match.re is _CSI:
                    self._csi(match.group(1), match.group(2), match.group(4))
                i = match.end()
                continue
            self._char(ch)
            i += 1

    def _char(self, ch: str) -> None:
        if ch == "\r":
            self.col = 0
        elif ch == "\n":
            self.row = min(self.rows - 1, self.row + 1)
        elif ch == "\b":
            self.col = max(0, self.col - 1)
        elif ch >= " ":
            if self.col >= self.cols:
                self.col, self.row = 0, min(self.rows - 1, self.row + 1)
            self.grid[self.row][self.col] = ch
            self.col += 1

    def _csi(self, private: str, params: str, final: str) -> None:
        args = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = max(1, args[0]) if args else 1
        if private:
            if params in ("1049", "47", "1047") and final in "hl":
                self.resize(self.rows, self.cols)
            return
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n)
        elif final == "C":
            self.col = min(self.cols - 1, self.col + n)
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final in "Hf":
            row = args[0] if args else 1
            col = args[1] if len(args) > 1 else 1
            self.row = min(self.rows - 1, max(row, 1) - 1)
            self.col = min(self.cols - 1, max(col, 1) - 1)
        elif final == "G":
            self.col = min(self.cols - 1, n - 1)
        elif final == "K":
            self._erase_line(args[0] if args else 0)
        elif final == "J":
            self._erase_screen(args[0] if args else 0)

    def _erase_line(self, mode: int) -> None:
        line = self.grid[self.row]
        start, end = {0: (self.col, self.cols), 1: (0, self.col + 1)}.get(mode, (0, self.cols))
        for c in range(start, min(end, self.cols)):
            line[c] = " "

    def _erase_screen(self, mode: int) -> None:
        self._erase_line(mode if mode < 2 else 2)
        rows = range(self.row + 1, self.rows) if mode == 0 else range(self.rows)
        if mode == 1:
            rows = range(0, self.row)
        for r in rows:
            self.grid[r] = [" "] * self.cols


class Player:
    """`hyosan play` in a pty (30x100 unless told), read through `Screen`."""

    def __init__(
        self,
        saves: Path,
        *args: str,
        env: dict[str, str] | None = None,
        rows: int = ROWS,
        cols: int = COLS,
        story: Path = STORY,
    ) -> None:
        full_env = dict(os.environ, TERM="xterm", **(env or {}))
        if not (env and "NO_COLOR" in env):
            full_env.pop("NO_COLOR", None)
        full_env.pop("HYOSAN_SAVES", None)
        argv = ["play", "--story", str(story), "--saves-dir", str(saves), "--seed", "1", *args]
        self.child = pexpect.spawn(
            str(HYOSAN),
            argv,
            env=full_env,
            encoding="utf-8",
            timeout=TIMEOUT,
            cwd=str(ROOT),
            dimensions=(rows, cols),
        )
        self.screen = Screen(rows, cols)
        self.raw = ""

    def _pump(self, wait: float) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            raise
        self.raw += data
        self.screen.feed(data)

    def _settle(self, quiet: float = 0.15, limit: float = 3.0) -> None:
        """Read until the program has been silent for `quiet` seconds: a redraw can
        arrive in several writes, and the screen is only whole after the last one."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = len(self.raw)
            try:
                self._pump(quiet)
            except pexpect.EOF:
                return
            if len(self.raw) == before:
                return

    def wait_for(self, text: str, timeout: float = TIMEOUT, screen_only: bool = False) -> str:
        """Wait until `text` is on the screen (or in the raw output); return the screen."""
        deadline = time.monotonic() + timeout
        while True:
            if text in self.screen.text() or (not screen_only and text in _plain(self.raw)):
                self._settle()
                return self.screen.text()
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {text!r}; the screen:\n{self.screen.text()}")
            try:
                self._pump(0.2)
            except pexpect.EOF:
                if text in self.screen.text() or text in _plain(self.raw):
                    return self.screen.text()
                raise AssertionError(f"exited before {text!r}:\n{self.raw[-2000:]}") from None

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def resize(self, rows: int, cols: int) -> None:
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def finish(self) -> int:
        """Wait for the program to end; its exit status."""
        deadline = time.monotonic() + TIMEOUT
        while self.child.isalive() and time.monotonic() < deadline:
            try:
                self._pump(0.2)
            except pexpect.EOF:
                break
        self.child.close()
        assert self.child.exitstatus is not None, f"killed by signal {self.child.signalstatus}"
        return int(self.child.exitstatus)


def _plain(raw: str) -> str:
    return _OSC.sub("", _CSI.sub("", raw))


DOWN, ESC, CTRL_C, CTRL_D = "\x1b[B", "\x1b", "\x03", "\x04"


def _esc(player: Player) -> None:
    # A lone Esc is told apart from an escape sequence by a short pause.
    player.send(ESC)
    time.sleep(0.8)


def test_player_chooses_by_arrow_and_number_sees_roster_saves_and_quits(tmp_path: Path) -> None:
    player = Player(tmp_path)
    first = player.wait_for("Run for the science lab.")
    assert "EPISODE 1 · The Hall" in first
    assert "Group 4/4" in first and "Items 0" in first
    player.send(DOWN + "\r")
    player.wait_for("Bar the door.")
    player.send("\t")  # the status bar's names
    screen = player.wait_for("Inventory: Arrows", screen_only=True)
    assert "Bitten: Gyeong-su" in screen
    assert "Su-hyeok" in screen and "Bitten: Su-hyeok" not in screen  # a hidden bite
    player.send("r")
    player.wait_for("ROSTER")
    # The panel may arrive in several writes: wait for the lines asserted, not the title.
    roster = player.wait_for("Han Gyeong-su", screen_only=True)
    assert "↳ bitten" in player.wait_for("↳ bitten")
    assert "ROSTER" in roster
    _esc(player)
    player.send("2")
    player.wait_for("The stairs lead up to the roof.")
    player.send("s")
    player.wait_for("slot name")
    player.send("mine\r")
    player.wait_for("Saved to slot “mine”")
    player.send("q")
    player.wait_for("To resume:")
    assert player.finish() == 0
    assert "hyosan play --story" in _plain(player.raw) and "--load autosave" in _plain(player.raw)
    assert len(read_save(tmp_path / "mine.yaml").steps) == 2
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 2


def test_restart_offers_the_autosave_then_undo_and_redo(tmp_path: Path) -> None:
    player = Player(tmp_path)
    player.wait_for("Run for the science lab.")
    player.send("1")
    player.wait_for("Bar the door.")
    player.send("1")
    player.wait_for("The stairs lead up")
    player.send("q")
    assert player.finish() == 0

    again = Player(tmp_path)
    offer = again.wait_for("Continue · Episode 1 · 4 alive")
    assert "New game" in offer
    again.send("\r")
    again.wait_for("The stairs lead up to the roof.")
    again.send("u")
    again.wait_for("Undone. Back at turn 2.")
    assert "Bar the door." in again.screen.text()
    again.send("u")
    again.wait_for("Run for the science lab.")
    again.send("y")
    again.wait_for("Redone. Turn 2.")
    assert "Bar the door." in again.screen.text()
    again.send("q")
    assert again.finish() == 0
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 2  # an undo never cuts a save


def test_ctrl_c_mid_run_asks_then_quits_leaving_a_save_that_loads(tmp_path: Path) -> None:
    player = Player(tmp_path)
    player.wait_for("Run for the science lab.")
    player.send("2")
    player.wait_for("Bar the door.")
    player.send(CTRL_C)
    player.wait_for("Press Ctrl-C again to quit")
    player.send(CTRL_C)
    player.wait_for("To resume:")
    assert player.finish() == 0
    assert "Traceback" not in player.raw
    assert player.raw.rstrip().endswith("--load autosave")

    resumed = Player(tmp_path, "--load", "autosave")
    screen = resumed.wait_for("Bar the door.")
    assert "Bitten 1" in screen and "Items 1" in screen and "Turn 2" in screen
    assert "You chose: Make for the teachers' office." in screen  # the scrollback
    resumed.send(CTRL_D)
    assert resumed.finish() == 0


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_signal_saves_and_exits_cleanly(tmp_path: Path, signame: str) -> None:
    player = Player(tmp_path)
    player.wait_for("Run for the science lab.")
    player.send("1")
    player.wait_for("Bar the door.")
    player.child.kill(getattr(signal, signame))
    assert player.finish() == 0
    assert "--load autosave" in _plain(player.raw)
    assert "Traceback" not in player.raw
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 1


def test_unknown_key_and_command_give_a_one_line_hint(tmp_path: Path) -> None:
    player = Player(tmp_path)
    player.wait_for("Run for the science lab.")
    player.send("x")
    player.wait_for("The key “x” does nothing here. Type 1-2 to choose, or ? for help.")
    player.send(":dance\r")
    player.wait_for("Unknown command “dance”.")
    player.send("?")
    player.wait_for("COMMANDS")
    for word in ("roster", "inventory", "save [SLOT]", "load [SLOT|PATH]", "undo", "redo", "quit"):
        player.wait_for(word, screen_only=True)  # the panel may arrive in several writes
    player.send("q")
    assert player.finish() == 0


def test_resizing_the_terminal_reflows_the_text(tmp_path: Path) -> None:
    player = Player(tmp_path)
    wide = player.wait_for("Run for the science lab.")
    assert (
        "The hall is quiet. Somewhere below, a door bangs, and then another, and then the" in wide
    )
    player.resize(30, 50)
    narrow = player.wait_for("bangs, and then another, and then the", screen_only=True)
    assert all(len(line) <= 50 for line in narrow.splitlines())
    assert "The hall is quiet. Somewhere below, a door" in narrow
    player.send("q")
    assert player.finish() == 0


def test_playing_to_an_ending_shows_the_ending_screen(tmp_path: Path) -> None:
    player = Player(tmp_path)
    player.wait_for("Run for the science lab.")
    for key, then in (("1", "Bar the door."), ("1", "Climb."), ("1", "EPISODE 2 · The Roof")):
        player.send(key)
        player.wait_for(then)
    player.send("1")
    ending = player.wait_for("THE END · Rescued")
    assert "Everyone who reached the roof was lifted out." in ending
    player.send(" ")  # scroll to the path summary
    player.wait_for("Which way: Run for the science lab. (as in the canon)")
    player.send("q")
    assert player.finish() == 0
    assert read_save(tmp_path / "autosave.yaml").ending == "rescued"


def test_plain_mode_in_a_terminal_prints_no_escape_codes_and_arrows_do_not_echo(
    tmp_path: Path,
) -> None:
    player = Player(tmp_path, "--plain", rows=24, cols=40)
    player.wait_for("1. Run for the science lab.")
    player.send("\x1b[A\x1b[B1\r")  # arrow keys edit the line; they print nothing
    player.wait_for("Bar the door.")
    player.send("?\r")
    player.wait_for("Type the number of a choice")
    player.send(CTRL_D)
    assert player.finish() == 0
    assert "\x1b" not in player.raw and "^[" not in player.raw
    assert "To resume:" in player.raw
    status = player.raw[player.raw.rindex("Status:") :].split("\r\n\r\n")[0].splitlines()
    assert len(status) > 1 and all(len(line) <= 40 for line in status)  # wrapped at words
    words = " ".join(line.strip() for line in status)
    assert "Group 4/4: On-jo, Su-hyeok, Nam-ra, Gyeong-su;" in words
    assert "[u]" not in player.raw  # help describes line mode: words, not keys


def test_plain_mode_through_a_pipe_plays_to_an_ending(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(HYOSAN), "play", "--story", str(STORY), "--saves-dir", str(tmp_path), "--seed", "1"],
        input="1\n1\n1\n1\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(ROOT),
        env={k: v for k, v in os.environ.items() if k != "HYOSAN_SAVES"},
    )
    assert result.returncode == 0, result.stderr
    assert "THE END · Rescued" in result.stdout
    assert "\x1b" not in result.stdout
    assert result.stdout.rstrip().endswith("--load autosave")
    story = load_story(STORY)
    assert read_save(tmp_path / "autosave.yaml").story_id == story.id
