"""What the games show, without a terminal: emphasis in prose, the story pane's
scrollback, the viewport's idea of what was read, and the choice ledger's lines."""

from __future__ import annotations

import io
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest

from engine.compiler.loader import load_story
from engine.runtime.model import Story
from engine.session import Session
from engine.ui import prose
from engine.ui.commands import Game
from engine.ui.panes import Scrollback, story_pane
from engine.ui.plain import PlainUI
from engine.ui.viewport import Viewport

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EM = prose.EMPHASIS


@pytest.fixture(scope="module")
def long_story() -> Story:
    return load_story(FIXTURES / "terminal_long")


@pytest.fixture(scope="module")
def basic_story() -> Story:
    return load_story(FIXTURES / "play_basic")


def test_stars_and_underscores_mark_emphasis_and_backslashes_escape_them() -> None:
    assert prose.spans("She *never* looks back.") == [
        ("", "She "),
        (EM, "never"),
        ("", " looks back."),
    ]
    assert prose.spans("a _quiet_ word") == [("", "a "), (EM, "quiet"), ("", " word")]
    assert prose.plain(r"Grade \*A\* only") == "Grade *A* only"
    assert prose.plain(r"a \_b\_ c") == "a _b_ c"


def test_arithmetic_snake_case_and_lone_marks_stay_as_written() -> None:
    for text in ("2 * 3 * 4", "snake_case_name", "a * b", "_ alone", "file_name_here.txt"):
        assert prose.plain(text) == text
        assert all(style == "" for style, _ in prose.spans(text))


def test_wrapping_keeps_emphasis_and_never_splits_a_word() -> None:
    lines = prose.styled_lines("The hall is *very quiet* tonight and nobody moves.", 12)
    texts = ["".join(t for _, t in line) for line in lines]
    assert texts == ["The hall is", "very quiet", "tonight and", "nobody", "moves."]
    assert lines[1] == [(EM, "very quiet")]
    assert all(len(t) <= 12 for t in texts)


@pytest.mark.parametrize("width", [1, 4, 12, 40, 76])
def test_prose_without_emphasis_wraps_as_prose_with_it(width: int) -> None:
    """Plain paragraphs take a faster path; its lines are the ones the emphasis-keeping
    wrap gives, word for word (long words cut, blank lines between paragraphs)."""
    text = (
        "The hall is quiet tonight and nobody moves.\n\n"
        "Supercalifragilisticexpialidocious words   and  odd\tspacing stay whole.\n\n"
        "A *marked* paragraph for the slow path."
    )
    marked = "The hall is *quiet* tonight and nobody moves. Supercalifragilisticexpialidocious"
    plain_lines = prose.styled_lines(text, width)
    for line in plain_lines:
        assert sum(len(t) for _, t in line) <= width
    slow = prose.styled_lines(marked.replace("*", "_"), width)
    fast = prose.styled_lines(marked.replace("*", ""), width)
    assert ["".join(t for _, t in line) for line in slow] == [
        "".join(t for _, t in line) for line in fast
    ]
    assert [] in plain_lines  # paragraphs are still apart


def test_line_mode_shows_emphasis_as_plain_words(long_story: Story, tmp_path: Path) -> None:
    out = io.StringIO()
    game = Game(Session(long_story, 1, tmp_path))
    PlainUI(game, io.StringIO("?\n"), out).run()
    text = out.getvalue()
    assert "The gate is never locked at night" in text and "*never*" not in text
    assert "Grade *A* students only, in faded red letters" in text
    assert "Type the number of a choice" in text and "[u]" not in text  # line-mode help


def test_the_pane_keeps_every_earlier_scene_with_the_choice_made(
    basic_story: Story, tmp_path: Path
) -> None:
    session = Session(basic_story, 1, tmp_path)
    session.autosaving = False
    game = Game(session)
    history = Scrollback()
    session.choose("office")
    session.choose("bar")
    pane = story_pane(game, None, 60, False, history)
    text = ["".join(t for _, t in line) for line in pane.lines]
    assert text[pane.start :] and "The stairs lead up to the roof." in "\n".join(text[pane.start :])
    before = "\n".join(text[: pane.start])
    assert "The hall is quiet." in before and "The lab smells of bleach." in before
    assert before.index("You chose: Make for the teachers' office.") < before.index("lab smells")
    assert "▸ You chose: Bar the door." in before
    session.undo()
    shorter = story_pane(game, None, 60, False, history)
    assert "You chose: Bar the door." not in "\n".join(
        "".join(t for _, t in line) for line in shorter.lines
    )


def test_the_viewport_knows_what_is_still_unread() -> None:
    view = Viewport()
    view.show_scene(10)
    view.fit(40, 12)
    assert view.top == 10 and view.hidden_below() == 18
    view.mark_seen()
    view.page(1)
    view.mark_seen()
    assert view.hidden_below() == 7
    view.page(1)
    view.mark_seen()
    assert view.hidden_below() == 0 and view.below == 0
    view.fit(40, 8)  # the menu opens: the end of the text stays in view
    assert view.top + view.height == 40
    view.scroll(-100)
    assert view.top == 0 and view.hidden_below() == 0  # read already


class _Ledger(types.ModuleType):
    def __init__(self, episode: list[str], ending: list[str]) -> None:
        super().__init__("engine.report.ledger")
        self.calls: list[tuple[str, int | None, int]] = []
        self._episode, self._ending = episode, ending

    def episode_lines(
        self, story: Story, steps: Sequence[tuple[str, str]], episode: int
    ) -> list[str]:
        self.calls.append(("episode", episode, len(steps)))
        return self._episode

    def ending_lines(self, story: Story, steps: Sequence[tuple[str, str]]) -> list[str]:
        self.calls.append(("ending", None, len(steps)))
        return self._ending


def play_to_the_end(story: Story, saves: Path) -> str:
    out = io.StringIO()
    PlainUI(Game(Session(story, 1, saves)), io.StringIO("1\n1\n1\n1\n"), out).run()
    return out.getvalue()


def test_the_ledger_shows_at_each_episode_end_and_on_the_ending_screen(
    basic_story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _Ledger(["Which way: 70% chose the same."], ["31% of runs saved Gyeong-su."])
    monkeypatch.setitem(sys.modules, "engine.report.ledger", fake)
    text = play_to_the_end(basic_story, tmp_path)
    assert ("episode", 1, 3) in fake.calls and ("ending", None, 4) in fake.calls
    assert text.index("Which way: 70% chose the same.") < text.index("EPISODE 2")
    assert text.index("THE END · Rescued") < text.index("31% of runs saved Gyeong-su.")


@pytest.mark.parametrize("module", [None, _Ledger([], []), types.ModuleType("empty")])
def test_a_missing_or_silent_ledger_shows_nothing(
    basic_story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: object
) -> None:
    monkeypatch.setitem(sys.modules, "engine.report.ledger", module)
    text = play_to_the_end(basic_story, tmp_path)
    assert "THE END · Rescued" in text and "CHOICE LEDGER" not in text
