"""Fuzzing play: any sequence of lines in line mode, any sequence of keys full screen.

Hypothesis types at the game: menu numbers (in range, out of range, in other scripts'
digits, 5,000 digits long), every command with and without arguments (slot names that
escape the folder, paths to files that are not saves), control and bidi characters,
empty and very long lines; full screen, arrow keys, Escape, Ctrl-C, and `:` commands.
The game must never show a traceback or the "Something went wrong" line (that line is
the guard catching an engine bug), must end with the run saved, must leave the story's
files alone, and must keep every message printable. The budget comes from
tests/fuzzing.py (`pytest --fuzz` for the long run).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzing import NASTY, budget, fingerprint, no_raw_controls, within_budget
from hypothesis import given
from hypothesis import strategies as st

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.session import Session
from engine.ui.commands import COMMANDS, Game
from engine.ui.plain import PlainUI

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "play_basic"
BROKEN = "Something went wrong"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-play-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


WORDS = sorted({w for c in COMMANDS.values() for w in (c.name, *c.aliases, c.key) if w})
ARGUMENTS = ["", "noon", "autosave", "../escape", "/etc/passwd", "a" * 300, "\u202e", "."]
ARGUMENTS += [str(FIXTURE / "story.yaml"), "con", "x/y", "-", "1"]
numbers = st.one_of(
    st.integers(-3, 12).map(str), st.sampled_from(["²", "①", "٣", "9" * 5000, "00", "+1", "1.0"])
)
commands = st.tuples(st.sampled_from(WORDS), st.sampled_from(ARGUMENTS)).map(
    lambda c: f"{c[0]} {c[1]}".strip()
)
lines = st.one_of(numbers, numbers, commands, st.sampled_from(NASTY), st.text(max_size=30))


@budget(120)
@given(typed=st.lists(lines, max_size=25), seed=st.integers(0, 2**32))
def test_any_lines_in_plain_mode_play_on_and_end_saved(
    story: Story, scratch: Path, typed: list[str], seed: int
) -> None:
    saves = Path(tempfile.mkdtemp(dir=scratch))
    story_files = fingerprint(FIXTURE)
    text = "".join(line.replace("\n", " ").replace("\r", " ") + "\n" for line in typed)
    out = io.StringIO()
    with within_budget("a plain game"):
        code = PlainUI(Game(Session(story, seed, saves)), io.StringIO(text), out).run()
    shown = out.getvalue()
    assert code == 0
    assert BROKEN not in shown and "Traceback" not in shown, shown[-2000:]
    last = [line.removeprefix("> ") for line in shown.rstrip().splitlines()[-2:]]
    assert any(
        line.startswith(("Your run is saved", "To resume", "Nothing to save")) for line in last
    ), last
    assert fingerprint(FIXTURE) == story_files
    replies = [line for line in shown.splitlines() if not line.startswith("> ")]
    assert all(no_raw_controls(line) for line in replies), replies


KEYS = [
    "1", "2", "3", "9", "0", "\r", "\x1b[A", "\x1b[B", "\x1b[5~", "\x1b[6~", " ", "\x1b",
    "?", "r", "i", "c", "s", "l", "u", "y", "n", "z", "\x03", "\x7f", "\t", "²", "\u202e",
]  # fmt: skip
keys = st.one_of(
    st.sampled_from(KEYS),
    st.tuples(st.sampled_from([":", "/"]), lines).map(
        lambda c: c[0] + c[1].replace("\r", "") + "\r"
    ),
)


@budget(40)
@given(typed=st.lists(keys, max_size=20), seed=st.integers(0, 2**32))
def test_any_keys_full_screen_play_on_and_end_saved(
    story: Story, scratch: Path, typed: list[str], seed: int
) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from engine.ui.terminal import TerminalUI

    saves = Path(tempfile.mkdtemp(dir=scratch))
    messages: list[str] = []
    with create_pipe_input() as pipe, within_budget("a full-screen game"):
        ui = TerminalUI(Game(Session(story, seed, saves)), input=pipe, output=DummyOutput())
        say = ui.say

        def spy(message: str, error: bool = False) -> None:
            messages.append(message)
            say(message, error)

        ui.say = spy  # type: ignore[method-assign]
        pipe.send_text("".join(typed))
        pipe.close()  # end of input: the game saves and leaves
        assert ui.run() == 0
    assert not any(BROKEN in m for m in messages), messages
    assert all(no_raw_controls(ui_text) for ui_text in [ui.message]), ui.message
