"""The full-screen replay viewer of `hyosan replay SAVE`: a prompt_toolkit Application.

Owns: the viewer's keys and what they do (`Pager`, pure, so it is tested without a
terminal), its status line, its layout (the header with the replay's warnings, the
current step cut to the lines that fit, a rule saying which lines those are, the status
line) and its life cycle (every way out restores the screen). The text of every screen
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
from prompt_toolkit.utils import get_cwidth

from engine.diagnostics import printable
from engine.replay import ReplayResult, StepView
from engine.report.replay import WIDTH, last_screen_label, text_header, viewer_screens
from engine.runtime.model import Story
from engine.saves.format import SaveFile
from engine.ui.guard import unexpected
from engine.ui.theme import replay_style

__all__ = ["KEYS_HELP", "KEYS_HINT", "Pager", "ReplayViewer", "scroll_label", "status_line"]

# The keys the status line names, from all of them to the fewest: the first that fits
# the window is shown (the whole list is always a `?` away).
_HINTS: tuple[tuple[str, ...], ...] = (
    ("n next", "p previous", "Space more", "PgUp back", "a number, Enter: go to", "q quit"),
    ("n next", "p prev", "Space more", "PgUp back", "a number, Enter: go to", "q quit"),
    ("n next", "p previous", "Space more", "PgUp back", "q quit", "? all keys"),
    ("n next", "p prev", "Space more", "PgUp back", "q quit", "? all keys"),
    ("n next", "p prev", "Space more", "q quit", "? keys"),
    ("n next", "p prev", "q quit", "? keys"),
    ("n next", "p prev", "q quit"),
    ("q quit",),
    (),
)
_TYPED_HINTS: tuple[tuple[str, ...], ...] = (
    ("Enter goes", "Backspace edits", "Esc cancels"),
    ("Enter goes", "Esc cancels"),
    ("Enter goes",),
    (),
)
KEYS_HINT = " · ".join(_HINTS[0])
KEYS_HELP = (
    "Keys: n or → next step · p or ← previous · Space, PgDn and PgUp page · ↑ ↓ a line · "
    "Home, End the first and last · a number then Enter: that step · q or Esc quits."
)
_MAX_TYPED = 6  # digits: more cannot be a step number
_DIGITS = "0123456789"


class Pager:
    """Which screen is shown (0-based; the last one comes after the last step), how far
    it is scrolled (`top`, its first line shown) and the step number being typed.

    `lengths` holds each screen's line count and `height` how many lines fit; the viewer
    refits both on every redraw, as a resize changes them.
    """

    def __init__(self, lengths: Sequence[int], position: int = 0, height: int = 20) -> None:
        self.lengths = list(lengths) or [0]
        self.height = max(1, height)
        self.position = min(max(position, 0), len(self.lengths) - 1)
        self.top = 0
        self.typed = ""

    @property
    def screens(self) -> int:
        return len(self.lengths)

    @property
    def bottom(self) -> int:
        """The largest `top`: the screen's last line is then on the last row."""
        return max(0, self.lengths[self.position] - self.height)

    @property
    def at_end(self) -> bool:
        """True when the current screen's last line is visible."""
        return self.top >= self.bottom

    def fit(self, lengths: Sequence[int], height: int) -> None:
        """New line counts and a new height (a redraw, maybe after a resize)."""
        self.lengths = list(lengths) or [0]
        self.height = max(1, height)
        self.position = min(self.position, len(self.lengths) - 1)
        self.top = min(self.top, self.bottom)

    def press(self, key: str) -> bool:
        """Handle one key (a prompt_toolkit key name; "space" for the space bar).
        False when the viewer should close."""
        if key in ("q", "Q", "c-c", "c-d") or (key == "escape" and not self.typed):
            return False
        if len(key) == 1 and key in _DIGITS:  # ASCII only: int('²') would fail
            self.typed = (self.typed + key)[:_MAX_TYPED]
        elif key in ("backspace", "escape"):
            self.typed = self.typed[:-1] if key == "backspace" else ""
        elif key == "enter" and self.typed:
            number, self.typed = int(self.typed), ""
            self.go(number - 1)
        elif key in _MOVES:
            self.typed = ""
            _MOVES[key](self)
        return True

    def go(self, index: int) -> None:
        """Show screen `index` (clamped to the run) from its first line."""
        index = min(max(index, 0), self.screens - 1)
        if index != self.position:
            self.position, self.top = index, 0

    def next(self) -> None:
        self.go(self.position + 1)

    def previous(self) -> None:
        self.go(self.position - 1)

    def first(self) -> None:
        self.go(0)
        self.top = 0

    def last(self) -> None:
        self.go(self.screens - 1)
        self.top = 0

    def page_down(self) -> None:
        """Scroll one page on; at the screen's end, go to the next screen."""
        if self.at_end:
            self.go(self.position + 1)
        else:
            self.top = min(self.top + self._page(), self.bottom)

    def page_up(self) -> None:
        """Scroll one page back; at the screen's top, show the end of the previous one."""
        if self.top > 0:
            self.top = max(0, self.top - self._page())
        elif self.position > 0:
            self.position -= 1
            self.top = self.bottom

    def line_down(self) -> None:
        self.top = min(self.top + 1, self.bottom)

    def line_up(self) -> None:
        self.top = max(0, self.top - 1)

    def _page(self) -> int:
        return max(1, self.height - 1)  # one line stays, to read on from


_MOVES: dict[str, Callable[[Pager], None]] = {
    **dict.fromkeys(("n", "N", "right"), Pager.next),  # Enter only ends a typed number
    **dict.fromkeys(("p", "P", "left"), Pager.previous),
    **dict.fromkeys(("space", "pagedown"), Pager.page_down),
    "pageup": Pager.page_up,
    "down": Pager.line_down,
    "up": Pager.line_up,
    "home": Pager.first,
    "end": Pager.last,
}


def status_line(pager: Pager, steps: int, last: str, width: int = 0) -> str:
    """The bottom line: where the viewer is and what the keys do, or the number typed.

    `steps` is how many steps the run has; `last` names the screen after them. With a
    `width`, the line fits in that many columns: fewer and shorter key hints as it
    shrinks, and at the very least where the reader is, cut short. It never wraps.
    """
    if pager.typed:
        where, variants = f"go to step {pager.typed}", _TYPED_HINTS
    else:
        where = f"step {pager.position + 1}/{steps}" if pager.position < steps else last
        variants = _HINTS
    for hints in variants:
        line = " · ".join((where, *hints))
        if width <= 0 or get_cwidth(line) <= width:
            return line
    return _cut(where, width)


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` columns, ending in "…" when cut."""
    if get_cwidth(text) <= width:
        return text
    out, used = "", 1
    for char in text:
        used += get_cwidth(char)
        if used > width:
            break
        out += char
    return out + "…" if width > 0 else ""


def scroll_label(pager: Pager) -> str:
    """Which lines of a screen too long for the window are shown; "" when it all fits."""
    length = pager.lengths[pager.position]
    if length <= pager.height:
        return ""
    shown = min(pager.top + pager.height, length)
    more = " ▼ Space for more" if shown < length else ""
    return f"lines {pager.top + 1}-{shown} of {length}{more}"


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
