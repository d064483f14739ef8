"""The line-mode front end: for pipes, scripts, screen readers, CI and NO_COLOR.

Owns: printing scenes, numbered menus and replies as plain lines (never an escape code)
and reading one line of input at a time. Input and output are any text streams, so tests
drive it with io.StringIO. End of input, a second Ctrl-C or `Hangup` (SIGTERM/SIGHUP,
raised by the caller's signal handler) save the run and end with the line to resume.
A line that raises an unexpected exception gets a one-line message and play goes on;
output that cannot be written ends the game, and the run is still saved on the way out.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Callable
from typing import TextIO

from engine.diagnostics import printable
from engine.ui import prose, screen
from engine.ui.commands import Game, Reply
from engine.ui.guard import shown, unexpected
from engine.ui.ledger_worker import started

__all__ = ["Hangup", "PlainUI", "terminal_reader"]

Reader = Callable[[str], str | None]


def terminal_reader() -> Reader:
    """Read a line at a terminal with line editing (readline, where there is one): the
    arrow keys move in the line and recall earlier lines instead of printing `^[[A`.
    Returns None at the end of input."""
    with contextlib.suppress(ImportError):
        import readline  # input() edits lines once it is loaded

        # No escape codes around the prompt: the output stays plain text.
        readline.parse_and_bind("set enable-bracketed-paste off")
        readline.parse_and_bind("set enable-meta-key off")

    def read(prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:
            return None

    return read


class Hangup(Exception):
    """The terminal went away or the process was asked to stop: save and leave."""


class PlainUI:
    """Play `game` reading lines from `input` and writing lines to `output`.

    width: wrap prose at this many columns (0: one line per paragraph, best for screen
    readers and scripts). echo: repeat each line read after the prompt, so a transcript
    of piped input reads like a session. reader: reads a line after writing the prompt
    it is given (a terminal's line editor, `terminal_reader`) instead of `input`.
    """

    def __init__(
        self,
        game: Game,
        input: TextIO,
        output: TextIO,
        width: int = 0,
        echo: bool = False,
        reader: Reader | None = None,
    ) -> None:
        self.game = game
        self.input = input
        self.output = output
        self.width = width
        game.width = width or 100
        game.line_mode = True
        self.echo = echo
        self.reader = reader

    def run(self, notices: tuple[str, ...] = ()) -> int:
        """Play until the player quits or input ends; return the exit code (0). A player
        at a terminal gets the choice ledger computed meanwhile (`LedgerWorker`); a
        script's input computes it at the first episode end, the same on every run."""
        if self.reader is not None or self.input.isatty():  # a player, not a script
            self.game.ledger = started(self.game.ledger, self.game.session.story)
        try:
            for notice in notices:
                self.say(notice)
            self.show(first=True)
            self._loop()
        except Hangup:
            pass
        finally:  # whatever ended the game, the run is saved on the way out
            self._leave()
        return 0

    def _loop(self) -> None:
        interrupted = False
        while True:
            try:
                line = self._read()
            except KeyboardInterrupt:
                if interrupted:
                    return
                interrupted = True
                self.say("\nPress Ctrl-C again to quit (your run is saved), or go on.")
                continue
            interrupted = False
            if line is None or not self._step(line):
                return

    def _step(self, line: str) -> bool:
        """Handle one line and show the reply; False when the player quits. An engine
        bug in either becomes a one-line message, and play goes on."""
        try:
            reply = self.game.handle(line)
        except Hangup:
            raise
        except Exception as exc:
            reply = Reply(unexpected(exc), error=True)
        if reply.quit:
            return False
        try:
            self.answer(reply)
        except (Hangup, OSError):  # OSError: the output is gone, so the game ends
            raise
        except Exception as exc:
            self.say(unexpected(exc))
            self.output.flush()
        return True

    def _read(self) -> str | None:
        if self.reader is not None:
            self.output.flush()
            read = self.reader("> ")
            if read is None:
                self.output.write("\n")
            return None if read is None else read.rstrip("\r\n")
        self.output.write("> ")
        self.output.flush()
        line = self.input.readline()
        if not line:
            self.output.write("\n")
            return None
        if self.echo:
            self.output.write(printable(line.rstrip("\r\n"), bidi=False) + "\n")
        return line.rstrip("\r\n")

    def _leave(self) -> None:
        lines = self.game.finish()
        try:
            for line in lines:
                self.say(line)
            self.output.flush()
        except (OSError, ValueError):  # the terminal is gone; the save is what matters
            pass

    # --- output ---
    def say(self, text: str = "") -> None:
        """One line out; control characters (from a story's text too) print as escapes,
        so nothing can drive the terminal."""
        self.output.write(printable(text, bidi=False) + "\n")

    def answer(self, reply: Reply) -> None:
        if reply.title or reply.panel:
            self.say()
            if reply.title:
                self.say(reply.title)
            self.say(reply.panel)
        if reply.moved:
            self.show()
        elif reply.menu:
            self.show_menu()
        if reply.message:
            self.say(shown(reply.message))
        self.output.flush()

    def show(self, first: bool = False) -> None:
        """The scene (or the start offer), the status line and the menu."""
        game = self.game
        if game.offer is None:
            self.show_scene(game.scene(first_shown=first))
        else:
            story = game.session.story
            self.say(f"{story.title}")
        self.show_menu()
        self.output.flush()

    def show_scene(self, scene: screen.Scene) -> None:
        session = self.game.session
        self.say()
        for notice in scene.notices:
            self.say(f"* {notice}")
        if scene.notices:
            self.say()
        if scene.recap is not None:
            for line in screen.recap_lines(scene.recap, self.width or 100):
                self.say(line)
            self.say()
        if scene.ledger:  # the choice ledger: how simulated players chose
            for line in scene.ledger:
                self.say(line)
            self.say()
        if scene.title_card:
            self.say(scene.title_card)
            self.say()
        for line in screen.wrap_prose(scene.text, self.width):
            self.say(line)
        if scene.ending_title:
            self.say()
            self.say(f"THE END · {scene.ending_title}")
            self.say()
            ending_text = screen.ending_text(session.story, session.states, self.game.ledger)
            ending = prose.plain(ending_text)
            for line in ending.splitlines():
                self.say(line)
        self.say()
        status = self.status_line()
        if self.width > 0:  # at a terminal: wrapped at words, continued under an indent
            for line in textwrap.wrap(status, self.width, subsequent_indent="  "):
                self.say(line)
        else:
            self.say(status)

    def status_line(self) -> str:
        session = self.game.session
        parts = screen.status_fragments(session.story, session.state)
        text = "".join("; " if style == "class:status.sep" else t for style, t in parts)
        return "Status: " + text

    def show_menu(self) -> None:
        game = self.game
        title = game.menu_title()
        if title:
            self.say(title)
        items = game.menu()
        for number, item in enumerate(items, start=1):
            self.say(f"  {number}. {item.label}")
        self.say(game.hint())
