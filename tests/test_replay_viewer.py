"""The full-screen viewer of `hyosan replay SAVE`: its keys, its status line, and the real
thing in a pseudo-terminal.

The keys are tested on `Pager` (no terminal); the Application is run in-process on a
pipe; `hyosan replay` itself runs in a pty, its output read through the small terminal
emulator of test_play_terminal.py (prompt_toolkit redraws only what changed).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from engine.compiler.loader import load_story
from engine.replay import ReplayResult, replay_save, step_views
from engine.report.replay import viewer_screens
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.saves.files import read_save, write_save
from engine.saves.format import SaveFile, make_save
from engine.ui.replay_viewer import Pager, ReplayViewer, scroll_label, status_line

ROOT = Path(__file__).resolve().parent.parent
HYOSAN = ROOT / ".venv" / "bin" / "hyosan"
CANON = ROOT / "saves" / "canon.yaml"
FIXTURE = ROOT / "tests" / "fixtures" / "saves_story"
RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]
TIMEOUT = 20


def fixture_save(story: Story) -> SaveFile:
    states = [initial_state(story, 7)]
    for choice in RUN:
        states.append(step(story, states[-1], choice)[0])
    return make_save(story, 7, states, "run", now="2024-05-01T12:00:00Z")


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


@pytest.fixture
def save_path(story: Story, tmp_path: Path) -> Path:
    path = tmp_path / "run.yaml"
    write_save(path, fixture_save(story))
    return path


# --- the keys, without a terminal ---


def pressed(pager: Pager, *keys: str) -> Pager:
    for key in keys:
        assert pager.press(key), f"{key!r} closed the viewer"
    return pager


@pytest.mark.parametrize("key", ["space", "pagedown"])
def test_space_pages_through_a_long_step_before_moving_on(key: str) -> None:
    pager = Pager([45, 10, 5], height=20)
    assert (pressed(pager, key).position, pager.top) == (0, 19)  # one line kept
    assert (pressed(pager, key).position, pager.top) == (0, 25)  # the step's last 20 lines
    assert pager.at_end
    assert (pressed(pager, key).position, pager.top) == (1, 0)  # now the next step


def test_paging_down_shows_every_line_of_a_long_step() -> None:
    pager = Pager([103, 4], height=7)
    seen: set[int] = set()
    while pager.position == 0:
        seen.update(range(pager.top, min(pager.top + pager.height, 103)))
        pressed(pager, "space")
    assert seen == set(range(103))


def test_page_up_scrolls_back_then_shows_the_end_of_the_previous_step() -> None:
    pager = Pager([45, 30], position=1, height=20)
    pressed(pager, "pagedown")
    assert (pager.position, pager.top) == (1, 10)
    assert (pressed(pager, "pageup").position, pager.top) == (1, 0)
    assert (pressed(pager, "pageup").position, pager.top) == (0, 25)


def test_n_and_right_show_the_next_step_from_its_top_and_stop_at_the_last() -> None:
    pager = Pager([30, 30, 30, 5], height=10)
    pressed(pager, "pagedown")
    assert (pressed(pager, "n").position, pager.top) == (1, 0)
    assert pressed(pager, "enter").position == 1  # Enter alone does nothing: p then Enter
    assert pressed(pager, "right").position == 2  # is not "back, then forward again"
    assert pressed(pager, "n").position == 3
    assert pressed(pager, "n", "N").position == 3  # the last screen stays


def test_p_and_left_show_the_previous_step_and_stop_at_the_first() -> None:
    pager = Pager([5, 5, 5], position=2)
    assert pressed(pager, "p").position == 1
    assert pressed(pager, "left").position == 0
    assert pressed(pager, "P").position == 0


def test_home_and_end_show_the_first_and_the_last_screen() -> None:
    pager = Pager([40, 5, 5, 5], position=2, height=10)
    assert pressed(pager, "end").position == 3
    assert (pressed(pager, "home", "pagedown", "home").position, pager.top) == (0, 0)


def test_digits_then_enter_jump_to_that_step() -> None:
    pager = Pager([5] * 9)
    pressed(pager, "1", "2")
    assert (pager.typed, pager.position) == ("12", 0)  # nothing moves before Enter
    assert (pressed(pager, "enter").position, pager.typed) == (8, "")  # past the end: the last
    assert pressed(pager, "3", "enter").position == 2
    assert pressed(pager, "0", "enter").position == 0


def test_backspace_edits_the_typed_number() -> None:
    pager = pressed(Pager([5] * 20), "1", "9", "backspace", "4")
    assert pager.typed == "14"
    assert pressed(pager, "enter").position == 13


def test_esc_cancels_a_typed_number_then_quits() -> None:
    pager = pressed(Pager([5] * 9, position=1), "7", "escape")
    assert (pager.typed, pager.position) == ("", 1)
    assert pressed(pager, "enter").position == 1  # nothing typed: Enter does nothing
    assert not pager.press("escape")


def test_a_move_key_drops_a_half_typed_number() -> None:
    pager = pressed(Pager([5] * 9), "7", "n")
    assert (pager.typed, pager.position) == ("", 1)


@pytest.mark.parametrize("key", ["q", "Q", "c-c", "c-d"])
def test_q_ctrl_c_and_ctrl_d_quit_even_while_a_number_is_typed(key: str) -> None:
    pager = pressed(Pager([5, 5]), "1")
    assert not pager.press(key)


def test_a_resize_keeps_the_scroll_inside_the_step() -> None:
    pager = pressed(Pager([45, 5], height=10), "space", "space", "space", "space")
    assert pager.top == 35
    pager.fit([30, 5], 20)  # wider and taller: fewer, more visible lines
    assert pager.top == 10 and pager.at_end


def test_the_status_line_says_where_the_reader_is_and_what_the_keys_do() -> None:
    pager = Pager([5, 5, 5, 5], position=2)
    assert status_line(pager, 3, "the end") == (
        "step 3/3 · n next · p previous · Space more · PgUp back · a number, Enter: go to · q quit"
    )
    assert status_line(pressed(pager, "n"), 3, "the end").startswith("the end · n next")
    typed = status_line(pressed(pager, "1", "2"), 3, "the end")
    assert typed.startswith("go to step 12 · Enter goes")
    assert "⏎" not in typed and "⏎" not in status_line(pager, 3, "the end")


def test_a_long_step_says_which_lines_are_shown_and_that_space_shows_more() -> None:
    pager = Pager([45, 5], height=20)
    assert scroll_label(pager) == "lines 1-20 of 45 ▼ Space for more"
    assert scroll_label(pressed(pager, "space", "space")) == "lines 26-45 of 45"
    assert scroll_label(pressed(pager, "n")) == ""


def test_a_save_that_no_longer_replays_ends_with_a_screen_saying_where_it_stops(
    story: Story,
) -> None:
    save = fixture_save(story)
    steps = list(save.steps)
    steps[3] = dataclasses.replace(steps[3], choice="fly")
    result = replay_save(story, dataclasses.replace(save, steps=tuple(steps)))
    screens = viewer_screens(story, result, step_views(story, result.states), 78)
    assert len(screens) == 4
    assert screens[-1].startswith("== The replay stops after step 3 ==\n\nstep 4 (episode")
    assert '"fly"' in screens[-1]


# --- the Application, in-process on a pipe ---


def run_viewer(story: Story, keys: str, first: int = 0) -> tuple[ReplayViewer, float]:
    """Run the viewer on the fixture run with `keys` typed; the viewer and the seconds
    it ran."""
    save = fixture_save(story)
    result: ReplayResult = replay_save(story, save)
    views = step_views(story, result.states)
    with create_pipe_input() as pipe:
        viewer = ReplayViewer(
            story, save, Path("run.yaml"), result, views, first, input=pipe, output=DummyOutput()
        )
        pipe.send_text(keys)
        started = time.monotonic()
        viewer.run()
        return viewer, time.monotonic() - started


def test_keys_typed_into_the_viewer_move_it_and_q_closes_it(story: Story) -> None:
    viewer, _ = run_viewer(story, "n5\rp\x1b[Cq", first=1)
    assert viewer.pager.position == 4  # step 2, then 5, back to 4, on to 5 (0-based: 4)
    assert not viewer.app.is_running


def test_esc_quits_at_once_without_waiting_for_an_escape_sequence(story: Story) -> None:
    _, seconds = run_viewer(story, "\x1b")
    assert seconds < 0.4  # prompt_toolkit's own wait for a lone Esc is 0.5 s


# --- `hyosan replay` in a pseudo-terminal ---

needs_pty = pytest.mark.skipif(
    sys.platform == "win32" or not HYOSAN.exists(), reason="needs a POSIX pty and .venv/bin/hyosan"
)


class Terminal:
    """`hyosan replay ARGS` in a pty, its output read through test_play_terminal.Screen."""

    def __init__(self, *args: str, rows: int = 30, cols: int = 100) -> None:
        from test_play_terminal import Screen  # tests/ is on sys.path under pytest

        env = dict(os.environ, TERM="xterm")
        env.pop("NO_COLOR", None)
        self.child = pexpect.spawn(
            str(HYOSAN),
            ["replay", *args],
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            cwd=str(ROOT),
            dimensions=(rows, cols),
        )
        self.screen = Screen(rows, cols)

    def wait_for(self, *texts: str) -> str:
        """Read until every one of `texts` is on the screen; the screen."""
        return self.wait_until(lambda screen: all(text in screen for text in texts), texts)

    def wait_until(self, done: Callable[[str], bool], what: object) -> str:
        """Read until `done(screen)`; the screen. `what` names it in the failure."""
        deadline = time.monotonic() + TIMEOUT
        while not done(self.screen.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what!r}; the screen:\n{self.screen.text()}")
            try:
                self.screen.feed(self.child.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise AssertionError(f"exited before {what!r}:\n{self.screen.text()}") from None
        return self.screen.text()

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int:
        """Wait for `hyosan` to end; its exit status."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus is not None, f"killed by signal {self.child.signalstatus}"
        return int(self.child.exitstatus)


@needs_pty
def test_the_canon_run_shows_step_1_then_n_shows_step_2_5_enter_jumps_to_5_and_q_quits() -> None:
    steps = read_save(CANON).steps
    total = len(steps)
    term = Terminal("saves/canon.yaml")
    first = term.wait_for(f"Step 1 of {total} ({steps[0].node})", f"step 1/{total} · n next")
    assert "Replay of saves/canon.yaml: All of Us Are Dead" in first
    assert "p previous · Space more · PgUp back" in first and "⏎" not in first
    term.send("n")
    term.wait_for(f"Step 2 of {total} ({steps[1].node})", f"step 2/{total}")
    term.send("5")
    term.wait_for("go to step 5")
    term.send("\r")
    term.wait_for(f"Step 5 of {total} ({steps[4].node})", f"step 5/{total} · n next")
    term.send("q")
    assert term.finish() == 0


LINES = re.compile(r"lines (\d+)-(\d+) of (\d+)")


@needs_pty
def test_a_long_step_in_a_small_terminal_is_read_to_its_end_with_space() -> None:
    term = Terminal("saves/canon.yaml", rows=14, cols=80)
    label = LINES.search(term.wait_for("Step 1 of", "▼ Space for more"))
    assert label is not None and label.group(1) == "1"
    first, last, total = map(int, label.groups())
    seen = set(range(first, last + 1))
    while last < total:
        height = last - first + 1
        first = min(first + height - 1, total - height + 1)  # a page, one line kept
        last = first + height - 1
        term.send(" ")
        seen.update(range(first, last + 1))
        screen = term.wait_for(f"lines {first}-{last} of {total}")
    assert seen == set(range(1, total + 1))
    assert "You chose:" in screen and "step 1/" in screen  # the end of the first step
    term.send(" ")
    term.wait_for("Step 2 of", "step 2/")
    term.send("\x04")  # Ctrl-D
    assert term.finish() == 0


@needs_pty
def test_in_a_terminal_the_viewer_steps_back_and_forth_to_the_ending_and_esc_quits(
    save_path: Path,
) -> None:
    term = Terminal(str(save_path), "--story", str(FIXTURE), "--to", "2")
    term.wait_for("Step 2 of 7 (a.classroom)", "step 2/7")
    term.send("n")
    term.wait_for("Step 3 of 7 (a.hall)", "step 3/7")
    term.send("p")
    term.wait_for("Step 2 of 7", "step 2/7")
    term.send("\r")  # Enter alone: nothing (p then Enter is not "back, then forward")
    term.send("n")
    term.wait_for("Step 3 of 7", "step 3/7")
    term.send("7\r")
    term.wait_for("Step 7 of 7", "step 7/7")
    term.send("n")
    term.wait_for("== The end: Rescued from the Roof ==", "the end · n next")
    term.send("\x1b")
    assert term.finish() == 0


@needs_pty
def test_the_replays_warnings_are_shown_in_the_header(save_path: Path) -> None:
    digest = read_save(save_path).steps[2].digest
    save_path.write_text(save_path.read_text().replace(digest, "f" * 16))
    term = Terminal(str(save_path), "--story", str(FIXTURE))
    term.wait_for("warning: step 3: the state after it differs from the saved one", "step 1/7")
    term.send("q")
    assert term.finish() == 0


def test_a_superscript_or_other_non_ascii_digit_is_not_taken_as_a_step_number() -> None:
    pager = Pager([5, 5, 5], height=10)
    for key in ("²", "①", "٣"):
        assert pager.press(key)
        assert pager.typed == ""
    assert pager.press("enter") and pager.position == 0  # nothing typed, so nothing to go to


def test_up_and_down_scroll_a_long_step_a_line_at_a_time() -> None:
    pager = pressed(Pager([45, 5], height=20), "down", "down")
    assert pager.top == 2 and pager.position == 0
    assert pressed(pager, "up").top == 1
    assert pressed(pager, "up", "up").top == 0  # never above the step's first line
    pressed(pager, "end")
    assert pressed(pager, "down").position == pager.position  # no move past the end


@needs_pty
def test_question_mark_lists_the_keys_and_an_unknown_key_says_so(save_path: Path) -> None:
    term = Terminal(str(save_path), "--story", str(FIXTURE), rows=12, cols=60)
    term.wait_for("Step 1 of", "▼ Space for more")
    term.send("?")
    term.wait_for("Keys: n or → next step")
    term.send("x")
    term.wait_for("The key “x” does nothing here.")
    term.send("\x1b[B")  # ↓: one line further into the step
    screen = term.wait_until(lambda s: LINES.search(s) is not None and "lines 2-" in s, "lines 2-")
    assert "does nothing" not in screen
    term.send("n")
    term.wait_for("Step 2 of")
    term.send("q")
    assert term.finish() == 0
