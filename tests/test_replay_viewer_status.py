"""The replay viewer's status line fits the window: fewer and shorter key hints as the
window narrows, never a second line."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.utils import get_cwidth

from engine.compiler.loader import load_story
from engine.replay import replay_save, step_views
from engine.runtime.rules import initial_state, step
from engine.saves.format import make_save
from engine.ui.replay_viewer import KEYS_HINT, Pager, ReplayViewer, status_line

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "saves_story"
RUN = ["classroom", "take-bat", "stairs", "swing", "wait", "put-down", "signal"]


class _Window(DummyOutput):
    """A terminal of `columns` columns."""

    def __init__(self, columns: int) -> None:
        super().__init__()
        self.columns = columns

    def get_size(self) -> Size:
        return Size(rows=24, columns=self.columns)


def viewer(columns: int) -> ReplayViewer:
    story = load_story(FIXTURE)
    states = [initial_state(story, 7)]
    for choice in RUN:
        states.append(step(story, states[-1], choice)[0])
    save = make_save(story, 7, states, "run", now="2024-05-01T12:00:00Z")
    result = replay_save(story, save)
    views = step_views(story, result.states)
    return ReplayViewer(story, save, Path("run.yaml"), result, views, output=_Window(columns))


def test_at_80_columns_the_line_keeps_every_move_and_points_to_the_other_keys() -> None:
    line = status_line(Pager([5] * 13, position=2), 12, "the end", 79)
    assert get_cwidth(line) <= 79
    assert line == "step 3/12 · n next · p previous · Space more · PgUp back · q quit · ? all keys"
    wide = status_line(Pager([5] * 13, position=2), 12, "the end", 99)
    assert wide == f"step 3/12 · {KEYS_HINT}"  # a wide window still shows every key


def test_at_40_columns_the_line_keeps_where_the_reader_is_and_the_main_keys() -> None:
    line = status_line(Pager([5] * 131, position=99), 130, "the end", 39)
    assert line == "step 100/130 · n next · p prev · q quit"
    typed = Pager([5] * 13)
    typed.press("1")
    assert status_line(typed, 12, "the end", 39) == "go to step 1 · Enter goes · Esc cancels"


def test_the_line_never_needs_more_columns_than_it_is_given() -> None:
    for width in range(1, 100):
        for pager, last in (
            (Pager([5] * 13, position=2), "the end"),
            (Pager([5] * 13, position=12), "The replay stops after step 3"),
        ):
            line = status_line(pager, 12, last, width)
            assert line and "\n" not in line
            assert get_cwidth(line) <= width, (width, line)


@pytest.mark.parametrize("columns", [80, 40])
def test_the_viewers_status_bar_fits_its_window(columns: int) -> None:
    shown = "".join(fragment[1] for fragment in viewer(columns)._status())
    assert shown.startswith(" step 1/7 · n next")
    assert get_cwidth(shown) <= columns and "q quit" in shown
