"""The full-screen replay viewer of `hyosan replay SAVE`: a prompt_toolkit Application.

Owns: the viewer's key bindings (what each key does is `engine/ui/pager.py`'s `Pager`,
pure, so it is tested without a terminal, with the status line), its layout (the header
with the replay's warnings, the current step cut to the lines that fit, a rule saying
which lines those are, the status line) and its life cycle (every way out restores the
screen). The text of every screen
comes from `engine/report/replay.py`; replaying from `engine/replay.py`. Never prints,
never reads files, never imports `engine.cli`. `hyosan replay` imports this module only
when the viewer is used, so transcripts never pay for prompt_toolkit.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.layout.controls import UIContent, UIControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.output import Output

from engine.diagnostics import printable
from engine.replay import ReplayResult, StepView
from engine.report.replay import WIDTH, last_screen_label, text_header, viewer_screens
from engine.runtime.model import Story
from engine.saves.format import SaveFile
from engine.ui.guard import unexpected
from engine.ui.pager import KEYS_HELP, KEYS_HINT, Pager, scroll_label, status_line
from engine.ui.theme import replay_style

__all__ = ["KEYS_HELP", "KEYS_HINT", "Pager", "ReplayViewer", "scroll_label", "status_line"]


class _PageControl(UIControl):
    """The lines of the current screen that fit the window, asked for at each redraw
    with the window's size."""

    def __init__(self, lines: Callable[[int, int | None], list[str]]) -> None:
        self._lines = lines

    def create_content(self, width: int, height: int | None) -> UIContent:
        lines = self._lines(width, height)
        return UIContent(lambda i: [("", lines[i])], line_count=len(lines), show_cursor=False)


class ReplayViewer:
    """Show a replayed run one screen at a time until the reader quits. `input`/`output`
    default to the terminal; tests pass `create_pipe_input()` and `DummyOutput()`."""

    def __init__(
        self,
        story: Story,
        save: SaveFile,
        path: Path,
        result: ReplayResult,
        views: Sequence[StepView],
        first: int = 0,
        input: Input | None = None,
        output: Output | None = None,
        *,
        theme: str = "dark",
        color: bool = True,
    ) -> None:
        self.header = printable(text_header(story, save, path, result))  # names from a file
        self.warnings = tuple(printable(warning) for warning in result.warnings)
        self.problem = ""  # what went wrong in a key's handler (an engine bug), if anything
        self.steps = len(views)
        self.last = last_screen_label(story, result)
        self._render: Callable[[int], list[str]] = lambda width: viewer_screens(
            story, result, views, width
        )
        self._screens: dict[int, list[list[str]]] = {}  # by window width
        self.pager = Pager([0] * (len(views) + 1), first)
        self.app: Application[None] = Application(
            layout=Layout(self._layout()),
            key_bindings=self._bindings(),
            style=replay_style(theme, color),
            full_screen=True,
            input=input,
            output=output,
            mouse_support=False,
        )
        # A lone Esc quits at once instead of waiting to see if a key sequence follows.
        self.app.ttimeoutlen = self.app.timeoutlen = 0.05

    def run(self) -> None:
        """Show the run until the reader quits (or the terminal goes away)."""
        with contextlib.suppress(EOFError, OSError):
            self.app.run(pre_run=self._install_signals, set_exception_handler=False)

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(sig, self._quit)

    def _quit(self) -> None:
        if self.app.is_running and not self.app.future.done():  # type: ignore[union-attr]
            self.app.exit()

    # --- layout ---
    def _layout(self) -> HSplit:
        return HSplit(
            [
                Window(
                    FormattedTextControl(self._header), wrap_lines=True, dont_extend_height=True
                ),
                Window(height=1, char="─", style="class:rule"),
                Window(_PageControl(self._visible), height=Dimension(min=1, preferred=1)),
                # Below the page, so it is drawn after the page has been fitted.
                Window(FormattedTextControl(self._rule), height=1, style="class:rule"),
                Window(
                    FormattedTextControl(self._status),
                    style="class:status",
                    wrap_lines=True,
                    dont_extend_height=True,
                ),
            ],
            style="class:screen",
        )

    def _header(self) -> StyleAndTextTuples:
        out: StyleAndTextTuples = [("class:header", self.header)]
        out += [("class:warning", f"\nwarning: {warning}") for warning in self.warnings]
        return out

    def _rule(self) -> StyleAndTextTuples:
        columns = self.app.output.get_size().columns
        label = scroll_label(self.pager)
        if not label:
            return [("", "─" * columns)]
        return [("", "─" * max(1, columns - len(label) - 4) + f" {label} ─")]

    def _status(self) -> StyleAndTextTuples:
        """The status line in the window's width (after a one-column margin); a problem
        or the list of keys (`?`) is a message and wraps instead."""
        if self.problem:
            return [("", " " + self.problem)]
        columns = self.app.output.get_size().columns
        return [("", " " + status_line(self.pager, self.steps, self.last, columns - 1))]

    def _visible(self, width: int, height: int | None) -> list[str]:
        """The lines of the current screen that fit; the pager learns the sizes first.
        Without a height (a size query, not a redraw) the rest of the screen."""
        screens = self._screen_lines(width)
        if height is not None:
            self.pager.fit([len(lines) for lines in screens], height)
        lines = screens[self.pager.position][self.pager.top :]
        return lines if height is None else lines[:height]

    def _screen_lines(self, width: int) -> list[list[str]]:
        """Every screen as lines that fit `width` columns (after a one-column margin)."""
        if width not in self._screens:
            inner = max(20, min(WIDTH, width - 2))
            self._screens[width] = [
                [" " + line for line in _fit(text, inner)] for text in self._render(inner)
            ]
        return self._screens[width]

    # --- keys ---
    def _bindings(self) -> KeyBindings:
        keys = KeyBindings()
        names = {" ": "space", "<sigint>": "c-c"}
        for key in (
            *"nNpPqQ0123456789 ",
            *("right", "left", "up", "down", "enter", "pageup", "pagedown", "home", "end"),
            *("backspace", "escape", "c-c", "c-d", "<sigint>"),
        ):
            keys.add(key)(self._handler(names.get(key, key)))

        @keys.add("?")
        def _help(event: KeyPressEvent) -> None:
            self.problem = KEYS_HELP

        @keys.add(Keys.Any)
        def _other(event: KeyPressEvent) -> None:
            pressed = event.key_sequence[0].key
            shown = pressed if len(pressed) == 1 and pressed.isprintable() else str(pressed)
            self.problem = f"The key “{shown}” does nothing here. {KEYS_HELP}"

        return keys

    def _handler(self, name: str) -> Callable[[KeyPressEvent], None]:
        def handle(event: KeyPressEvent) -> None:
            self.problem = ""
            try:
                going = self.pager.press(name)
            except Exception as exc:  # an engine bug: one line on the status bar, not a crash
                self.problem = unexpected(exc)
                return
            if not going:
                self._quit()

        return handle


def _fit(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` columns; an overlong line wraps under itself."""
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            lines.append(line)
        else:
            indent = " " * min(len(line) - len(line.lstrip()) + 2, width // 2)
            lines += textwrap.wrap(line, width, subsequent_indent=indent) or [""]
    return lines
