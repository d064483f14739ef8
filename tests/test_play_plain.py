"""Line mode (`hyosan play --plain`, pipes, screen readers), driven in-process with StringIO,
plus the full-screen UI driven in-process with prompt_toolkit's pipe input."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.saves.files import read_save
from engine.session import Session
from engine.ui.commands import COMMANDS, Game, find_command
from engine.ui.plain import Hangup, PlainUI

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "play_basic"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


def play(story: Story, saves: Path, text: str, **game: object) -> tuple[str, Session]:
    session = Session(story, 1, saves)
    out = io.StringIO()
    code = PlainUI(Game(session, **game), io.StringIO(text), out).run()  # type: ignore[arg-type]
    assert code == 0
    return out.getvalue(), session


def test_plain_mode_plays_to_an_ending_with_numbered_choices(story: Story, tmp_path: Path) -> None:
    out, session = play(story, tmp_path, "1\n1\n1\n1\n")
    assert "EPISODE 1 · The Hall" in out and "EPISODE 2 · The Roof" in out
    assert "  1. Run for the science lab.\n  2. Make for the teachers' office.\n" in out
    assert "THE END · Rescued" in out
    assert "Which way: Run for the science lab. (as in the canon)" in out
    assert "\x1b" not in out
    assert session.is_over
    assert out.rstrip().endswith("To resume: hyosan play --load autosave")


def test_paragraphs_stay_whole_lines_for_screen_readers(story: Story, tmp_path: Path) -> None:
    out, _ = play(story, tmp_path, "")
    assert (
        "The hall is quiet. Somewhere below, a door bangs, and then another, and then the "
        "screaming starts, far away and getting closer.\n\nOn-jo looks at you." in out
    )


def test_status_line_shows_group_bites_and_inventory_but_not_hidden_bites(
    story: Story, tmp_path: Path
) -> None:
    out, _ = play(story, tmp_path, "2\n")
    status = [line for line in out.splitlines() if line.startswith("Status:")][-1]
    assert status == (
        "Status: Episode 1 · Turn 2; Group 4/4: On-jo, Su-hyeok, Nam-ra, Gyeong-su; "
        "Bitten: Gyeong-su; Inventory: Arrows ×3"
    )
    assert "* Han Gyeong-su has been bitten." in out
    assert "Su-hyeok has been bitten" not in out  # hidden until revealed


def test_roster_says_status_where_since_and_how(story: Story, tmp_path: Path) -> None:
    out, _ = play(story, tmp_path, "2\nroster\n")
    roster = out.split("ROSTER\n", 1)[1]
    gyeong_su = next(line for line in roster.splitlines() if line.startswith("Han Gyeong-su"))
    assert "bitten (turns in 3)" in gyeong_su and "with the group" in gyeong_su
    assert "since turn 1 (episode 1)" in gyeong_su
    assert "since turn 1 (episode 1)\n    ↳ bitten\n" in roster
    assert "after “" not in roster  # what happened, never a claimed cause (compare names those)
    su_hyeok = next(line for line in roster.splitlines() if line.startswith("Lee Su-hyeok"))
    assert "healthy" in su_hyeok and "since the start" in su_hyeok
    assert re.search(r"^Park Sun-hwa \(Ms\. Park\) +healthy +elsewhere", roster, re.M)


def test_commands_by_word_and_by_key_letter(story: Story, tmp_path: Path) -> None:
    out, session = play(story, tmp_path, "1\ni\ninventory\nu\nredo\nsave lunch\nload\n2\n")
    assert out.count("INVENTORY\nMobile phone — Nearly out of battery.") == 2
    assert "Undone. Back at turn 1." in out and "Redone. Turn 2." in out
    assert "Saved to slot “lunch”" in out
    assert "SAVED GAMES in" in out and "lunch · Episode 1 · 4 alive · just now (20" in out
    assert "Loaded “" in out
    assert session.turn == 1


def test_unknown_commands_and_numbers_get_a_one_line_hint(story: Story, tmp_path: Path) -> None:
    out, session = play(story, tmp_path, "dance\n7\nundp\n\n")
    assert "Unknown command “dance”. Type 1-2 to choose, or ? for help." in out
    assert "There is no 7 here. Type 1-2 to choose, or ? for help." in out
    assert 'Unknown command “undp”. Did you mean "undo"?' in out
    assert session.turn == 0


def test_help_lists_every_visible_command(story: Story, tmp_path: Path) -> None:
    out, _ = play(story, tmp_path, "?\n")
    rows = out.split("COMMANDS\n", 1)[1].split("\n\n", 1)[0]
    for entry in COMMANDS.values():
        assert (f" {entry.usage}" in rows) != entry.hidden, entry.name


def test_a_new_command_is_one_registry_entry(story: Story, tmp_path: Path) -> None:
    from engine.ui.commands import Reply, command

    @command("compare", "compare the run with the show", key="c")
    def _compare(game: Game, arg: str) -> Reply:
        return Reply(title="COMPARE", panel=f"{game.session.turn} steps")

    try:
        out, _ = play(story, tmp_path, "1\ncompare\n?\n")
        assert "COMPARE\n1 steps" in out and "compare the run with the show" in out
        assert find_command("c") is COMMANDS["compare"]
    finally:
        del COMMANDS["compare"]


def test_end_of_input_saves_and_prints_how_to_resume(story: Story, tmp_path: Path) -> None:
    out, _ = play(story, tmp_path, "2\n1\n", resume_args=["--story", "x y"])
    assert out.rstrip().endswith("To resume: hyosan play --story 'x y' --load autosave")
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 2


class _Keyboard(io.StringIO):
    """Input that raises something (Ctrl-C, a hang-up) at given lines."""

    def __init__(self, lines: list[str | Callable[[], None]]) -> None:
        super().__init__()
        self.lines = lines

    def readline(self, size: int = -1) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        if callable(line):
            line()
            return ""
        return line


def _ctrl_c() -> None:
    raise KeyboardInterrupt


def _hangup() -> None:
    raise Hangup


def test_ctrl_c_asks_once_and_quits_on_the_second(story: Story, tmp_path: Path) -> None:
    session = Session(story, 1, tmp_path)
    out = io.StringIO()
    keys = _Keyboard(["1\n", _ctrl_c, "1\n", _ctrl_c, _ctrl_c, "2\n"])
    assert PlainUI(Game(session), keys, out).run() == 0
    assert out.getvalue().count("Press Ctrl-C again to quit") == 2
    assert session.turn == 2 and keys.lines == ["2\n"]
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 2


def test_a_hangup_saves_and_exits(story: Story, tmp_path: Path) -> None:
    session = Session(story, 1, tmp_path)
    out = io.StringIO()
    assert PlainUI(Game(session), _Keyboard(["2\n", _hangup, "1\n"]), out).run() == 0
    assert "To resume: hyosan play --load autosave" in out.getvalue()
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 1


def test_the_autosave_is_offered_and_continued(story: Story, tmp_path: Path) -> None:
    first = Session(story, 1, tmp_path)
    first.choose("office")
    save = read_save(tmp_path / "autosave.yaml")
    session = Session(story, 99, tmp_path)
    out = io.StringIO()
    game = Game(session, offer=save)
    PlainUI(game, io.StringIO("roster\n1\n"), out).run()
    text = out.getvalue()
    assert (
        "A saved game was found.\n  1. Continue · Episode 1 · 4 alive · just now\n  2. New game"
        in text
    )
    assert "First choose: 1 to continue, 2 for a new game." in text
    assert session.turn == 1 and session.seed == 1


def test_new_game_at_the_offer_leaves_the_old_autosave_until_a_choice(
    story: Story, tmp_path: Path
) -> None:
    Session(story, 1, tmp_path).choose("office")
    save = read_save(tmp_path / "autosave.yaml")
    session = Session(story, 2, tmp_path)
    out = io.StringIO()
    PlainUI(Game(session, offer=save), io.StringIO("2\n"), out).run()
    assert session.turn == 0
    assert read_save(tmp_path / "autosave.yaml").steps == save.steps  # an empty run saves nothing
    assert "Nothing to save: no choice was made in this game." in out.getvalue()
    session = Session(story, 3, tmp_path)
    PlainUI(Game(session, offer=save), io.StringIO("2\n1\n"), io.StringIO()).run()
    assert len(read_save(tmp_path / "autosave.yaml").steps) == 1  # the autosave follows it
    assert read_save(tmp_path / "autosave.yaml").slot == session.slot
    assert read_save(tmp_path / f"{save.slot}.yaml").steps == save.steps  # the old run is kept


def test_quitting_at_the_offer_changes_nothing(story: Story, tmp_path: Path) -> None:
    Session(story, 1, tmp_path).choose("office")
    before = (tmp_path / "autosave.yaml").read_text()
    save = read_save(tmp_path / "autosave.yaml")
    out = io.StringIO()
    PlainUI(Game(Session(story, 2, tmp_path), offer=save), io.StringIO("q\n"), out).run()
    assert (tmp_path / "autosave.yaml").read_text() == before
    assert "To resume" not in out.getvalue()


def test_full_screen_ui_runs_on_pipe_input_and_dummy_output(story: Story, tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from engine.ui.terminal import TerminalUI

    session = Session(story, 1, tmp_path)
    with create_pipe_input() as keys:
        ui = TerminalUI(Game(session), input=keys, output=DummyOutput())
        keys.send_text("\x1b[B\r" + "1" + "x" + ":save noon\r" + "u" + "y" + "r" + "\x03\x03")
        assert ui.run() == 0
    assert [c for _, c in session.state.steps()] == ["office", "bar"]
    assert ui.panel is not None and ui.panel[0] == "ROSTER"
    assert len(read_save(tmp_path / "noon.yaml").steps) == 2


LOCKED = Path(__file__).resolve().parent / "fixtures" / "ui_locked"
WHY = "“Open the lab door.” cannot be taken now: the door is barred."


def test_line_mode_numbers_a_locked_choice_in_story_order_with_its_reason(
    tmp_path: Path,
) -> None:
    out, session = play(load_story(LOCKED), tmp_path, "1\nchoose door\n")
    menu = (
        "  1. Open the lab door. (locked: the door is barred)\n"
        "  2. Lift the bar.\n"
        "  3. Walk away.\n"
        "Type 1-3 to choose, or ? for help.\n"
    )
    assert menu in out
    assert out.count(WHY + "\n") == 2  # by its number, then by its id: why, nothing else
    assert out.count("The corridor ends at the science lab.") == 1
    assert session.turn == 0 and not (tmp_path / "autosave.yaml").exists()  # nothing taken


def test_another_path_makes_the_locked_choice_an_ordinary_one(tmp_path: Path) -> None:
    out, session = play(load_story(LOCKED), tmp_path, "2\n1\n")
    after_the_bar = out.split("Turn 2", 1)[1]
    assert "  1. Open the lab door.\n  2. Walk away.\n" in after_the_bar
    assert "(locked" not in after_the_bar
    assert "THE END · In the Lab" in out
    assert [c for _, c in session.state.steps()] == ["bar", "door"]
