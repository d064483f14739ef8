"""The full-screen front end: a prompt_toolkit Application.

Owns: the layout (the scrollable story text, the menu, a message line, a command line
that opens on ':' and the status bar), the keys, and the terminal's life cycle (Ctrl-C
asks before quitting, Ctrl-D / SIGTERM / SIGHUP / a closed terminal save and leave, the
screen is restored on every way out). What a key or a typed word *means* is decided by
`commands.Game`; what the screen says comes from `screen.py`. This is the only module
that imports prompt_toolkit, so line mode and the tools never pay for it. Every key
handler and every part of the screen is guarded: an unexpected exception becomes a
one-line message (the run is saved after every choice) and never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import textwrap
from collections.abc import Callable
from typing import Any

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.data_structures import Point
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import (
    ConditionalContainer,
    ConditionalMargin,
    FormattedTextControl,
    HSplit,
    Layout,
    ScrollbarMargin,
    Window,
)
from prompt_toolkit.layout.controls import BufferControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.output import Output

from engine.ui import screen
from engine.ui.commands import COMMANDS, Game, Reply
from engine.ui.guard import shown, unexpected
from engine.ui.panes import story_pane
from engine.ui.theme import STYLE

__all__ = ["TerminalUI"]

_MAX_TEXT_WIDTH = 100
_HANGUP = "hangup"


class TerminalUI:
    """Play `game` full screen. `input`/`output` default to the terminal; tests pass
    `create_pipe_input()` and `DummyOutput()`."""

    def __init__(self, game: Game, input: Input | None = None, output: Output | None = None):
        self.game = game
        self.selected = 0
        self.panel: tuple[str, str] | None = None  # (title, text) shown instead of the scene
        self.message = ""
        self.message_is_error = False
        self.first_scene = True
        self.interrupted = False
        self.scroll_line = 0
        self.command_mode = False
        self.command = Buffer(multiline=False, accept_handler=self._accept_command)
        self.text_window = Window(
            FormattedTextControl(self._text, get_cursor_position=self._cursor, show_cursor=False),
            wrap_lines=False,
            right_margins=[
                ConditionalMargin(
                    ScrollbarMargin(display_arrows=True), filter=Condition(self._overflows)
                )
            ],
            left_margins=[],
        )
        self.app: Application[str | None] = Application(
            layout=Layout(self._layout()),
            key_bindings=self._bindings(),
            style=STYLE,
            full_screen=True,
            input=input,
            output=output,
            mouse_support=False,
        )

    # --- running ---
    def run(self, notices: tuple[str, ...] = ()) -> int:
        """Run until the player leaves; print where the run is saved; return 0."""
        if notices:
            self.say(" ".join(notices))
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
                self.text_window,
                Window(height=1, char="─", style="class:rule"),
                Window(
                    FormattedTextControl(
                        lambda: self._drawn(self._menu), focusable=True, show_cursor=False
                    ),
                    height=Dimension(min=1, max=12),
                    dont_extend_height=True,
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
                    FormattedTextControl(lambda: self._drawn(self._message)),
                    height=Dimension(min=1, max=4),
                    dont_extend_height=True,
                    wrap_lines=True,
                ),
                Window(
                    FormattedTextControl(lambda: self._drawn(self._status)),
                    style="class:status",
                    dont_extend_height=True,
                    wrap_lines=False,
                ),
            ]
        )

    def _width(self) -> int:
        columns = self.app.output.get_size().columns
        return max(20, min(columns - 4, _MAX_TEXT_WIDTH))

    def _text_lines(self) -> StyleAndTextTuples:
        width = self._width()
        self.game.width = width
        return list(story_pane(self.game, self.panel, width, self.first_scene))

    def _text(self) -> StyleAndTextTuples:
        lines = self._drawn(self._text_lines)
        self._line_count = len(lines)
        return lines

    def _drawn(self, part: Callable[[], StyleAndTextTuples]) -> StyleAndTextTuples:
        """A part of the screen; one that raises shows a line saying so instead."""
        try:
            return part()
        except Exception as exc:
            return [("class:message.error", " " + unexpected(exc))]

    def _overflows(self) -> bool:
        info = self.text_window.render_info
        return info is not None and info.content_height > info.window_height

    def _cursor(self) -> Point:
        return Point(0, min(self.scroll_line, max(0, getattr(self, "_line_count", 1) - 1)))

    def _menu(self) -> StyleAndTextTuples:
        game = self.game
        items = game.menu()
        self.selected = min(self.selected, max(0, len(items) - 1))
        width = self._width()
        out: StyleAndTextTuples = []
        title = game.menu_title()
        if title:
            out.append(("class:menu.title", f" {title}\n"))
        for number, item in enumerate(items, start=1):
            is_selected = number - 1 == self.selected
            style = "class:menu.selected" if is_selected else "class:menu"
            marker = "▸" if is_selected else " "
            lines = textwrap.wrap(item.label, max(10, width - 6)) or [""]
            out.append((style, f"{marker}{number:>2}. {lines[0]}"))
            out.append(("", "\n"))
            for rest in lines[1:]:
                out.append((style, f"     {rest}"))
                out.append(("", "\n"))
        if out and out[-1] == ("", "\n"):
            out.pop()
        return out

    def _message(self) -> StyleAndTextTuples:
        if self.message:
            style = "class:message.error" if self.message_is_error else "class:message"
            return [(style, " " + self.message)]
        info = self.text_window.render_info
        if info is not None and info.vertical_scroll + info.window_height < info.content_height:
            return [("class:rule", " ▼ more below: PgDn · ? for help")]
        return [("class:rule", " ↑↓ Enter or a number to choose · ? for help · q to quit")]

    def _status(self) -> StyleAndTextTuples:
        session = self.game.session
        columns = self.app.output.get_size().columns
        fragments = screen.status_fragments(session.story, session.state)
        out: StyleAndTextTuples = []
        for line in screen.flow(fragments, max(10, columns - 2)):
            out.append(("", " "))
            out.extend(line)
            out.append(("", "\n"))
        if out:
            out.pop()
        return out

    # --- acting ---
    def say(self, message: str, error: bool = False) -> None:
        self.message, self.message_is_error = shown(message).replace("\n", " "), error

    def apply(self, reply: Reply) -> None:
        """Show what a command did."""
        if reply.quit:
            self.app.exit(result="quit")
            return
        if reply.title or reply.panel:
            self.panel = (reply.title, reply.panel)
            self.scroll_line = 0
        if reply.moved:
            self.panel = None
            self.first_scene = False
            self.selected = 0
            self.scroll_line = 0
        if reply.menu:
            self.selected = 0
        self.say(reply.message, reply.error)

    def run_line(self, line: str) -> None:
        self.apply(self.game.handle(line))

    def pick(self, number: int) -> None:
        self.apply(self.game.pick(number))

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

    def scroll(self, pages: float) -> None:
        info = self.text_window.render_info
        if info is None:
            return
        height = max(1, info.window_height)
        top = info.vertical_scroll
        last = max(0, info.content_height - 1)
        if pages > 0:
            self.scroll_line = min(last, top + height - 1 + int(height * pages))
        else:
            self.scroll_line = max(0, top + int(height * pages))

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
        on("enter")(lambda: self.pick(self.selected + 1))
        on("pageup")(lambda: self.scroll(-1))
        on("pagedown")(lambda: self.scroll(1))
        on(" ")(lambda: self.scroll(1))
        on("home")(lambda: setattr(self, "scroll_line", 0))
        on("end")(lambda: setattr(self, "scroll_line", 10**6))
        on("escape")(self._escape)
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

    def _unknown_key(self, pressed: str) -> None:
        name = pressed if len(pressed) == 1 and pressed.isprintable() else str(pressed)
        self.say(f"The key “{name}” does nothing here. {self.game.hint()}", error=True)

    def _move(self, delta: int) -> None:
        count = len(self.game.menu())
        if count:
            self.selected = (self.selected + delta) % count
        self.say("")

    def _escape(self) -> None:
        if self.panel is not None:
            self.panel = None
            self.scroll_line = 0
        elif self.game.submenu:
            self.game.close_submenu()
        self.say("")

    def _key_command(self, name: str) -> None:
        if self.game.answers:  # a question is open: y and n answer it, q quits
            self.run_line(COMMANDS[name].key or name)
            return
        if name == "save":
            default = self.game.session.last_saved_slot or ""
            self.open_command(
                f"save {default}".rstrip() + " ",
                "Type a slot name (or keep this one) and press Enter; Esc cancels.",
            )
            return
        self.run_line(name)

    def _interrupt(self) -> None:
        if self.interrupted:
            self.app.exit(result="quit")
            return
        self.interrupted = True
        self.say("Press Ctrl-C again to quit (your run is saved), or go on choosing.")
