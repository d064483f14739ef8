"""The full-screen front end: a prompt_toolkit Application.

Owns: drawing the frames `frame.ScreenModel` lays out (the story pane with the run's
scrollback, a rule saying what is above and below, the menu, a message line, a command
line that opens on ':' and the status bar), the keys and the mouse wheel, and the
terminal's life cycle (Ctrl-C asks before quitting, Ctrl-D / SIGTERM / SIGHUP / a closed
terminal save and leave, the screen is restored on every way out). What a key or a typed
word *means* is decided by `commands.Game`. Every key handler and every part of the
screen is guarded: an unexpected exception becomes a one-line message (the run is saved
after every choice) and never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from typing import Any

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.layout.controls import BufferControl, UIContent, UIControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.mouse_events import MouseEvent, MouseEventType
from prompt_toolkit.output import Output

from engine.ui.commands import COMMANDS, Game, Reply
from engine.ui.frame import PANEL_KEYS, Frame, ScreenModel, rule_line
from engine.ui.guard import unexpected
from engine.ui.ledger_worker import started
from engine.ui.panes import Line
from engine.ui.theme import game_style
from engine.ui.viewport import Viewport

__all__ = ["TerminalUI"]

_HANGUP = "hangup"
_WHEEL = 3  # lines per mouse-wheel notch


class _PaneControl(UIControl):
    """The story pane: the lines of the viewport, and the mouse wheel scrolling it."""

    def __init__(self, ui: TerminalUI) -> None:
        self.ui = ui

    def create_content(self, width: int, height: int) -> UIContent:
        lines: list[StyleAndTextTuples] = [
            list(line) for line in self.ui._drawn_lines(self.ui._visible)
        ]
        return UIContent(get_line=lambda i: lines[i], line_count=len(lines))

    def mouse_handler(self, mouse_event: MouseEvent) -> Any:
        kind = mouse_event.event_type
        if kind in (MouseEventType.SCROLL_UP, MouseEventType.SCROLL_DOWN):
            lines = -_WHEEL if kind == MouseEventType.SCROLL_UP else _WHEEL
            self.ui._guard(lambda: self.ui.scroll_lines(lines))
            return None
        return NotImplemented


class TerminalUI(ScreenModel):
    """Play `game` full screen. `input`/`output` default to the terminal; tests pass
    `create_pipe_input()` and `DummyOutput()`. `theme` is "dark" or "light"; without
    `color` (NO_COLOR) the screen uses no colour at all."""

    def __init__(
        self,
        game: Game,
        input: Input | None = None,
        output: Output | None = None,
        *,
        theme: str = "dark",
        color: bool = True,
    ) -> None:
        super().__init__(game)
        self.interrupted = False
        self.command = Buffer(multiline=False, accept_handler=self._accept_command)
        self._version = 0
        self._memo: tuple[tuple[int, int, int, int], Frame] | None = None
        self.app: Application[str | None] = Application(
            layout=Layout(self._layout()),
            key_bindings=self._bindings(),
            style=game_style(theme, color),
            full_screen=True,
            input=input,
            output=output,
            mouse_support=True,
        )
        # Esc acts at once: a lone Esc is not held back waiting for an escape sequence.
        self.app.ttimeoutlen = 0.05
        self.app.timeoutlen = 0.05

    # --- running ---
    def run(self, notices: tuple[str, ...] = ()) -> int:
        """Run until the player leaves; print where the run is saved; return 0."""
        if notices:
            self.say(" ".join(notices))
        self.game.ledger = started(self.game.ledger, self.game.session.story)
        # Input closed or terminal gone: leave quietly, the save is what matters.
        try:
            with contextlib.suppress(EOFError, OSError):
                self.app.run(pre_run=self._install_signals, set_exception_handler=False)
        finally:  # whatever ended the game, the run is saved on the way out
            for line in self.game.finish():
                try:
                    print(line, flush=True)
                except OSError:
                    break
        return 0

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._leave)

    def _leave(self) -> None:
        if self.app.is_running and not self.app.future.done():  # type: ignore[union-attr]
            self.app.exit(result=_HANGUP)

    # --- layout ---
    def _layout(self) -> HSplit:
        in_command = Condition(lambda: self.command_mode)
        return HSplit(
            [
                Window(_PaneControl(self), height=lambda: self._height("text")),
                Window(FormattedTextControl(lambda: self._drawn(self._rule)), height=1),
                Window(
                    FormattedTextControl(
                        lambda: self._drawn(lambda: _joined(self._frame().menu)),
                        focusable=True,
                        show_cursor=False,
                    ),
                    height=lambda: self._height("menu"),
                    wrap_lines=False,
                ),
                ConditionalContainer(
                    Window(
                        BufferControl(self.command, input_processors=[]),
                        height=1,
                        get_line_prefix=lambda *_: [("class:command", ": ")],
                    ),
                    filter=in_command,
                ),
                Window(  # up to 4 lines: a load's notes (where the run goes on) must show whole
                    FormattedTextControl(
                        lambda: self._drawn(lambda: _joined(self._frame().message))
                    ),
                    height=lambda: self._height("message"),
                    wrap_lines=False,
                ),
                Window(height=lambda: self._height("filler")),
                Window(
                    FormattedTextControl(
                        lambda: self._drawn(lambda: _joined(self._frame().status))
                    ),
                    style="class:status",
                    height=lambda: self._height("status"),
                    wrap_lines=False,
                ),
            ],
            style="class:screen",
        )

    def _height(self, part: str) -> Dimension:
        try:
            frame = self._frame()
        except Exception:
            return Dimension.exact(1)
        sizes = {
            "text": frame.text_height,
            "menu": frame.menu_height,
            "message": len(frame.message),
            "status": len(frame.status),
            "filler": frame.filler,
        }
        return Dimension.exact(sizes[part])

    def _frame(self) -> Frame:
        """The screen laid out for the window's size, computed once per redraw."""
        size = self.app.output.get_size()
        key = (self.app.render_counter, self._version, size.rows, size.columns)
        if self._memo is None or self._memo[0] != key:
            self._memo = (key, self.lay_out(size.rows, size.columns))
            if self.redraw_soon:  # the menu has opened: show it at once
                self.redraw_soon = False
                self.app.invalidate()
        return self._memo[1]

    def _rule(self) -> StyleAndTextTuples:
        frame = self._frame()
        columns = self.app.output.get_size().columns
        return list(rule_line(frame.view, columns, below=not (frame.gated and self.panel is None)))

    def _visible(self) -> list[Line]:
        frame = self._frame()
        view = frame.view
        return frame.lines[view.top : view.top + frame.text_height]

    def _drawn(self, part: Callable[[], StyleAndTextTuples]) -> StyleAndTextTuples:
        """A part of the screen; one that raises shows a line saying so instead."""
        try:
            return part()
        except Exception as exc:
            return [("class:message.error", " " + unexpected(exc))]

    def _drawn_lines(self, part: Callable[[], list[Line]]) -> list[Line]:
        try:
            return part()
        except Exception as exc:
            return [[("class:message.error", " " + unexpected(exc))]]

    # --- acting ---
    def apply(self, reply: Reply) -> None:
        """Show what a command did."""
        if reply.quit:
            self.app.exit(result="quit")
            return
        self.show(reply)

    def run_line(self, line: str) -> None:
        self._act(lambda: self.game.handle(line))

    def _act(self, command: Callable[[], Reply]) -> None:
        redo = len(self.game.session.redo_stack)
        reply = command()
        # An undo goes back to a scene read to its end before: its choices are open.
        self.read_before = reply.moved and len(self.game.session.redo_stack) > redo
        self.apply(reply)

    def pick(self, number: int, enter: bool = False) -> None:
        frame = self._frame()
        if frame.gated and not self.game.answers:
            if enter and self.panel is None:
                self.scroll(1)
                return
            self.say(self.wait_message(frame.view.hidden_below()))
            self.message_is_read_on = True
            return
        self._act(lambda: self.game.pick(number))

    def _accept_command(self, buffer: Buffer) -> bool:
        def accept() -> None:
            self.command_mode = False
            self.app.layout.focus_last()
            text = buffer.text
            self.run_line(text if text.strip() else "look")

        self._guard(accept)
        return False

    def open_command(self, text: str = "", hint: str = "") -> None:
        self.command_mode = True
        self.command.set_document(self.command.document.__class__(text, len(text)))
        self.app.layout.focus(self.command)
        self.say(hint or "Type a command and press Enter (help lists them); Esc cancels.")

    def close_command(self) -> None:
        self.command_mode = False
        self.command.reset()
        self.app.layout.focus_last()
        self.say("")

    def _view(self) -> Viewport:
        return self._frame().view

    def scroll(self, pages: int) -> None:
        if pages > 0:
            self.read_on()
        self._view().page(pages)

    def scroll_lines(self, lines: int) -> None:
        if lines > 0:
            self.read_on()
        self._view().scroll(lines)

    def to_end(self) -> None:
        self.read_on()
        self._view().end()

    # --- keys ---
    def _bindings(self) -> KeyBindings:
        keys = KeyBindings()
        playing = Condition(lambda: not self.command_mode)
        typing = Condition(lambda: self.command_mode)

        def on(*names: str, filter: Any = playing) -> Callable[[Callable[[], None]], None]:
            def register(action: Callable[[], None]) -> None:
                @keys.add(*names, filter=filter)
                def _(event: KeyPressEvent) -> None:
                    self._guard(action)

            return register

        @keys.add(Keys.Any, filter=playing)
        def _unknown(event: KeyPressEvent) -> None:
            pressed = event.key_sequence[0].key
            self._guard(lambda: self._unknown_key(pressed))

        on("up")(lambda: self._move(-1))
        on("down")(lambda: self._move(1))
        on("c-p")(lambda: self._move(-1))
        on("c-n")(lambda: self._move(1))
        on("enter")(lambda: self.pick(self.selected + 1, enter=True))
        on("pageup")(lambda: self.scroll(-1))
        on("pagedown")(lambda: self.scroll(1))
        on(" ")(lambda: self.scroll(1))
        on("home")(lambda: self._view().home())
        on("end")(self.to_end)
        on("tab")(self.toggle_names)
        on("escape")(self.escape)
        on(":")(self.open_command)
        on("/")(self.open_command)
        for digit in "123456789":
            on(digit)(lambda n=int(digit): self.pick(n))  # type: ignore[misc]
        for entry in COMMANDS.values():
            if entry.key:
                on(entry.key)(lambda entry=entry: self._key_command(entry.name))  # type: ignore[misc]
        on("c-c")(self._interrupt)
        on("<sigint>")(self._interrupt)
        on("c-d")(self._leave)
        on("<sigint>", filter=typing)(self.close_command)
        on("c-c", filter=typing)(self.close_command)
        on("escape", filter=typing)(self.close_command)
        on("c-d", filter=typing)(self._leave)
        return keys

    def _guard(self, action: Callable[[], None]) -> None:
        """Run a key's action; an engine bug becomes a one-line message and play goes on
        (every choice is saved as it is made)."""
        if action != self._interrupt:
            self.interrupted = False
        try:
            action()
        except Exception as exc:
            self.say(unexpected(exc), error=True)
        self._version += 1

    def _unknown_key(self, pressed: str) -> None:
        gated = self._frame().gated and not self.game.answers
        self.say(self.unknown_key_message(pressed, gated), error=True)

    def _move(self, delta: int) -> None:
        if self._frame().gated and not self.game.answers:  # no menu to move in: scroll
            self.scroll_lines(delta)
            return
        count = len(self.game.menu())
        if count:
            self.selected = (self.selected + delta) % count
        self.say("")

    def _key_command(self, name: str) -> None:
        if self.game.answers:  # a question is open: y and n answer it, q quits
            self.run_line(COMMANDS[name].key or name)
            return
        if self.panel is not None and self.panel_name == name:  # its own key closes it
            self.escape()
            return
        if name == "save":
            default = self.game.session.last_saved_slot or ""
            self.open_command(
                f"save {default}".rstrip() + " ",
                "Type a slot name (or keep this one) and press Enter; Esc cancels.",
            )
            return
        self.run_line(name)
        if self.panel is not None and name in PANEL_KEYS:
            self.panel_name = name

    def _interrupt(self) -> None:
        if self.interrupted:
            self.app.exit(result="quit")
            return
        self.interrupted = True
        self.say("Press Ctrl-C again to quit (your run is saved), or go on choosing.")


def _joined(lines: list[Line]) -> StyleAndTextTuples:
    """Lines as one fragment list, with newlines between them."""
    out: StyleAndTextTuples = []
    for number, line in enumerate(lines):
        if number:
            out.append(("", "\n"))
        out.extend(line)
    return out
