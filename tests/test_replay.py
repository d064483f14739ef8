"""`hyosan replay SAVE`: the transcript, --check, --to and --branch-at.

The full-screen viewer is tested in test_replay_viewer.py.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from engine.cli._saves import program_words
from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.runtime.rules import initial_state, step
from engine.saves.files import read_save, write_save
from engine.saves.format import make_save

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]


@pytest.fixture
def save_path(tmp_path: Path) -> Path:
    story = load_story(FIXTURE)
    states = [initial_state(story, 7)]
    for choice in RUN:
        states.append(step(story, states[-1], choice)[0])
    path = tmp_path / "run.yaml"
    write_save(path, make_save(story, 7, states, "run", now="2024-05-01T12:00:00Z"))
    return path


def replay(*args: str) -> int:
    return main(["replay", *args, "--story", str(FIXTURE)])


def test_plain_transcript_shows_every_step_choice_roster_change_and_the_ending(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--plain") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Replay of {save_path}: The Stairwell\n(seed 7, 7 steps, ending: roof)")
    for number in range(1, 8):
        assert f"Step {number} of 7 (" in out
    assert "== Episode 1: The Hall ==" in out and "== Episode 2: The Roof ==" in out
    assert "Turning point: The empty hall (in the show: Run for the stairs.)" in out
    assert "  > Take the bat. [take-bat]\n    Go back. [back]\nYou chose: Take the bat." in out
    assert "  * Ms. Park: elsewhere -> group" in out
    assert "  * Nam-ra: healthy -> bitten" in out
    assert "  * On-jo: bitten -> zombie" in out
    ending = out[out.index("== The end: Rescued from the Roof ==") :]
    assert ending.startswith("== The end: Rescued from the Roof ==\n\nA helicopter.\n\n")
    survivors, lost = ending.rstrip().splitlines()[-2:]
    assert survivors.startswith("Survivors (") and "Su-hyeok" in survivors
    assert lost.startswith("Dead or turned: ") and "On-jo (zombie)" in lost


def test_output_to_a_pipe_is_the_plain_transcript(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--plain") == 0
    plain = capsys.readouterr().out
    assert replay(str(save_path)) == 0  # capsys is not a terminal
    assert capsys.readouterr().out == plain


def test_markdown_transcript(save_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert replay(str(save_path), "--format", "markdown") == 0
    out = capsys.readouterr().out
    assert out.startswith("# Replay: The Stairwell\n")
    assert "## Episode 2: The Roof" in out
    assert "### Step 2 of 7 (`a.classroom`)" in out
    assert "- **Take the bat.** (`take-bat`, chosen)\n- Go back. (`back`)" in out
    assert "## The end: Rescued from the Roof" in out


def test_plain_with_to_prints_the_run_up_to_that_step(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--plain", "--to", "3") == 0
    out = capsys.readouterr().out
    assert "Step 3 of 7" in out and "Step 4 of 7" not in out and "The end" not in out


@pytest.mark.parametrize("to", ["0", "8", "-1"])
def test_to_outside_the_run_is_a_usage_error(
    to: str, save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--plain", "--to", to) == 2
    assert f"--to {to}: this run has steps 1 to 7" in capsys.readouterr().err


def test_check_is_silent_and_exits_0_for_an_exact_replay(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--check") == 0
    assert capsys.readouterr() == ("", "")


def test_check_fails_when_a_digest_was_tampered_with(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = save_path.read_text()
    digest = read_save(save_path).steps[2].digest
    save_path.write_text(text.replace(digest, "f" * 16))
    assert replay(str(save_path), "--check") == 1
    assert "step 3: the state after it differs from the saved one" in capsys.readouterr().err


def test_a_slot_name_is_looked_up_in_the_saves_folder(
    save_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYOSAN_SAVES", str(save_path.parent))
    monkeypatch.chdir(save_path.parent.parent)
    assert replay("run", "--check") == 0


def test_branch_at_writes_a_new_save_with_the_first_n_steps_and_leaves_the_original(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = save_path.read_bytes()
    assert replay(str(save_path), "--branch-at", "3") == 0
    out = capsys.readouterr().out
    branch = save_path.with_name("run-branch-3.yaml")
    assert f"Wrote {branch}: the first 3 steps of {save_path}" in out
    hyosan = shlex.join(program_words())  # the command that runs this hyosan, as printed
    assert f"{hyosan} play --load {branch} --story {FIXTURE}" in out
    assert save_path.read_bytes() == before
    new, old = read_save(branch), read_save(save_path)
    assert new.steps == old.steps[:3] and new.seed == old.seed and new.slot == "run-branch-3"
    assert (new.ending, new.episode) == (None, 2)
    assert replay(str(branch), "--check") == 0
    assert replay(str(save_path), "--branch-at", "3") == 0  # the name is taken: a new one
    assert save_path.with_name("run-branch-3-2.yaml").is_file()


def test_branch_at_0_starts_again_with_the_same_seed(
    save_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fresh.yaml"
    assert replay(str(save_path), "--branch-at", "0", "--out", str(out)) == 0
    assert read_save(out).steps == () and read_save(out).seed == 7


def test_branch_never_overwrites_an_existing_file(
    save_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("mine")
    assert replay(str(save_path), "--branch-at", "2", "--out", str(other)) == 1
    assert "already exists; a branch never overwrites a file" in capsys.readouterr().err
    assert other.read_text() == "mine"
    assert replay(str(save_path), "--branch-at", "2", "--out", str(save_path)) == 1


@pytest.mark.parametrize("at", ["-1", "8"])
def test_branch_outside_the_run_is_a_usage_error(
    at: str, save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--branch-at", at) == 2
    assert "this run has steps 0 to 7" in capsys.readouterr().err


def test_out_without_branch_at_is_a_usage_error(
    save_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(str(save_path), "--out", "x.yaml") == 2
    assert "--out only goes with --branch-at N" in capsys.readouterr().err


EMPHASIS = Path(__file__).parent / "fixtures" / "replay_emphasis"


@pytest.fixture
def emphasis_save(tmp_path: Path) -> Path:
    story = load_story(EMPHASIS)
    states = [initial_state(story, 3)]
    states.append(step(story, states[-1], "run")[0])
    path = tmp_path / "quiet.yaml"
    write_save(path, make_save(story, 3, states, "quiet", now="2024-05-01T12:00:00Z"))
    return path


def test_plain_transcript_shows_emphasised_words_without_their_marks(
    emphasis_save: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(emphasis_save), "--plain", "--story", str(EMPHASIS)]) == 0
    out = capsys.readouterr().out
    words = " ".join(out.split())  # the scene is re-wrapped to the transcript's width
    assert "The hall is never this quiet. A sign reads Grade *A* only," in words
    assert "the locker of file_name_7 hangs open in faded red." in words
    assert "  > Run for the stairs. [run]\n    Hide in the _back_ room. [hide]" in out
    assert "You chose: Run for the stairs." in out
    assert "The roof, at last.\n\nThey made it." in out
    assert "*never*" not in out and "_faded_" not in out and "\\" not in out


def test_markdown_transcript_keeps_the_emphasis_marks(
    emphasis_save: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["replay", str(emphasis_save), "--format", "markdown", "--story", str(EMPHASIS)]
    assert main(args) == 0
    out = capsys.readouterr().out
    words = " ".join(out.split())
    assert "The hall is *never* this quiet. A sign reads Grade \\*A\\* only" in words
    assert "- **Run for the *stairs*.** (`run`, chosen)" in out
    assert "- Hide in the \\_back\\_ room. (`hide`)" in out
    assert "The roof, at _last_." in out
