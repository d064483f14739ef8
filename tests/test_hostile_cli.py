"""Hostile command lines, streams and keys: a clear message and a sane exit code, never a
traceback or exit 70 (issue 13).

Counts and widths out of range are usage errors (exit 2); a closed or full output is a
one-line error (exit 1) and a reader that goes away is quiet; `replay --check --to N`
checks N steps; a typed command or menu number in non-ASCII digits, or with 5,000
digits, is "no such choice"; a key handler or a line that raises shows one line and
play goes on, and the run is still saved at the end.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.saves.format import dump_save, make_save
from engine.session import Session
from engine.ui.commands import Game
from engine.ui.plain import PlainUI

ROOT = Path(__file__).resolve().parent.parent
HYOSAN = Path(sys.executable).with_name("hyosan")
FIXTURES = ROOT / "tests" / "fixtures"
PLAY = FIXTURES / "play_basic"
SAVES_STORY = FIXTURES / "saves_story"
RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(PLAY)


def hyosan(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HYOSAN), *args], capture_output=True, text=True, timeout=60, **kwargs
    )


def assert_clean(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


# --- counts and widths --------------------------------------------------------------------


@pytest.mark.parametrize("width", ["-4", "0", "5", "1000000000000000000000000000000", "²"])
def test_compare_width_out_of_range_is_a_usage_error(
    width: str, run_cli: Callable[..., Any]
) -> None:
    result = run_cli("compare", "run.yaml", "--width", width)
    assert result.code == 2, result.err
    assert "--width" in result.err
    assert_clean(result.err)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-n", str(10**30)], "must be at most 1,000,000"),
        (["-n", "²"], "is not a whole number"),
        (["-n", "9" * 5000], "must be at most 1,000,000"),
        (["--max-steps", "0"], "must be 1 or more"),
        (["--max-steps", str(10**12)], "must be at most 1,000,000"),
    ],
)
def test_randomtest_counts_out_of_range_are_usage_errors(
    args: list[str], said: str, run_cli: Callable[..., Any]
) -> None:
    result = run_cli("randomtest", str(PLAY), *args)
    assert result.code == 2
    assert said in result.err
    assert_clean(result.err)


def test_explore_max_states_has_a_ceiling(run_cli: Callable[..., Any]) -> None:
    result = run_cli("explore", str(PLAY), "--max-states", str(10**30))
    assert result.code == 2 and "must be at most" in result.err


# --- replay --check --to N ----------------------------------------------------------------


def saved_run(tmp_path: Path, damage_step: int | None = None) -> Path:
    """The fixture run as a save file; `damage_step` gets a wrong digest."""
    loaded = load_story(SAVES_STORY)
    states = [initial_state(loaded, 7)]
    for choice in RUN:
        states.append(step(loaded, states[-1], choice)[0])
    text = dump_save(make_save(loaded, 7, states, "run", now="2024-05-01T12:00:00Z"))
    if damage_step is not None:
        digest = make_save(loaded, 7, states, "run").steps[damage_step - 1].digest
        text = text.replace(digest, "f" * len(digest), 1)
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_replay_check_to_checks_only_the_first_n_steps(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    save = saved_run(tmp_path, damage_step=5)
    story_args = ["--story", str(SAVES_STORY)]
    assert run_cli("replay", str(save), "--check", *story_args).code == 1
    assert run_cli("replay", str(save), "--check", "--to", "4", *story_args).code == 0
    assert run_cli("replay", str(save), "--check", "--to", "5", *story_args).code == 1


@pytest.mark.parametrize("to", ["99999", "0", "-1"])
def test_replay_check_to_beyond_the_run_is_a_usage_error(
    to: str, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    save = saved_run(tmp_path)
    result = run_cli("replay", str(save), "--check", "--to", to, "--story", str(SAVES_STORY))
    assert result.code == 2
    assert f"--to {to}: this run has steps 1 to {len(RUN)}" in result.err


# --- standard streams ----------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["check", str(PLAY)], ["schema"]])
def test_output_to_a_full_disk_is_a_clear_error(command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(HYOSAN), *command], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "hyosan: error: cannot write the output: No space left on device"
    ]


def test_a_closed_output_is_a_clear_error() -> None:
    done = hyosan("check", str(PLAY), stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert "standard output is closed" in done.stderr
    assert_clean(done.stderr)


def test_a_reader_that_goes_away_is_quiet() -> None:
    done = subprocess.run(
        f"{HYOSAN} schema | head -c 10", shell=True, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == ""


def test_a_closed_input_ends_the_game_like_end_of_input(tmp_path: Path) -> None:
    done = hyosan(
        "play", "--plain", "--new", "--story", str(PLAY), "--saves-dir", str(tmp_path),
        stdin=None, preexec_fn=lambda: os.close(0),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_clean(done.stderr)


# --- typed numbers and commands -------------------------------------------------------------


def play(story: Story, saves: Path, text: str, game: Game | None = None) -> tuple[str, Session]:
    session = game.session if game else Session(story, 1, saves)
    out = io.StringIO()
    code = PlainUI(game or Game(session), io.StringIO(text), out).run()
    assert code == 0
    return out.getvalue(), session


@pytest.mark.parametrize("typed", ["²", "①", "٣", "9" * 5000, "0", "007x"])
def test_a_number_that_is_no_menu_item_is_no_such_choice_in_plain_mode(
    typed: str, story: Story, tmp_path: Path
) -> None:
    out, session = play(story, tmp_path, f"{typed}\n1\n")
    assert "Something went wrong" not in out
    assert "There is no " in out or "Unknown command" in out
    assert len(session.state.steps()) == 1  # the line after it was still read
    assert "Your run is saved in" in out


def test_a_line_that_raises_leaves_the_rest_of_the_input_and_the_saved_line(
    story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    game = Game(Session(story, 1, tmp_path))
    real = Game.handle

    def handle(self: Game, line: str) -> Any:
        if line == "boom":
            raise RuntimeError("an engine bug")
        return real(self, line)

    monkeypatch.setattr(Game, "handle", handle)
    out, session = play(story, tmp_path, "boom\n1\n", game)
    assert "Something went wrong (RuntimeError: an engine bug)" in out
    assert len(session.state.steps()) == 1
    assert "Your run is saved in" in out


def terminal(story: Story, saves: Path, keys: str, game: Game | None = None) -> Any:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from engine.ui.terminal import TerminalUI

    game = game or Game(Session(story, 1, saves))
    with create_pipe_input() as pipe:
        ui = TerminalUI(game, input=pipe, output=DummyOutput())
        messages: list[str] = []
        real_say = ui.say

        def say(message: str, error: bool = False) -> None:
            messages.append(message)
            real_say(message, error)

        ui.say = say  # type: ignore[method-assign]
        pipe.send_text(keys + "\x03\x03")
        assert ui.run() == 0
    return ui, messages


@pytest.mark.parametrize("typed", ["²", "①", "9" * 5000])
def test_a_typed_command_with_odd_digits_is_no_such_choice_full_screen(
    typed: str, story: Story, tmp_path: Path
) -> None:
    ui, messages = terminal(story, tmp_path, f":{typed}\r" + "1")
    assert any(m.startswith("There is no ") for m in messages), messages
    assert not any("Something went wrong" in m for m in messages)
    assert len(ui.game.session.state.steps()) == 1


def test_a_key_handler_that_raises_shows_one_line_and_play_goes_on(
    story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def roster(*args: Any) -> Any:
        raise RuntimeError("an engine bug")

    monkeypatch.setattr("engine.ui.roster.roster_text", roster)
    ui, messages = terminal(story, tmp_path, "r" + "1")
    assert any("Something went wrong (RuntimeError" in m for m in messages), messages
    assert len(ui.game.session.state.steps()) == 1  # the key after it still worked


def test_an_id_typed_with_a_bidi_override_is_shown_escaped(story: Story, tmp_path: Path) -> None:
    out, _ = play(story, tmp_path, "go\u202eon\n")
    assert "\u202e" not in out.split("> ", 2)[-1].split("\n", 1)[1]
    assert "go\\u202eon" in out


def test_a_game_whose_run_cannot_be_saved_exits_1(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "saves"
    not_a_folder.write_text("a file, not a folder\n", encoding="utf-8")
    done = hyosan(
        "play", "--plain", "--new", "--story", str(PLAY), "--saves-dir", str(not_a_folder),
        input="1\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Could not save your run" in done.stdout
    assert_clean(done.stderr)


def test_terminal_escapes_in_a_story_print_escaped_in_line_mode(tmp_path: Path) -> None:
    """A story's text may hold `"\\e]52;..."` (a YAML escape): printed raw, it would drive
    the player's terminal (set the clipboard, clear the screen)."""
    folder = tmp_path / "story"
    (folder / "episodes").mkdir(parents=True)
    (folder / "story.yaml").write_text(
        "id: t\nstart: a\ncast: {}\nepisodes: [episodes/one.yaml]\n", encoding="utf-8"
    )
    (folder / "episodes" / "one.yaml").write_text(
        'episode: 1\nnodes:\n  a:\n    text: "Hi\\e]52;c;cm0gLXJmIH4=\\a\\e[2J there \\u200fשלום"\n'
        "    choices: [{id: go, text: Go., goto: end}]\n"
        "  end: {text: E., ending: {id: end, title: E}}\n",
        encoding="utf-8",
    )
    out, _ = play(load_story(folder), tmp_path / "saves", "1\n")
    assert "\x1b" not in out and "\x07" not in out
    assert "Hi\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J there \u200fשלום" in out  # RTL mark kept
