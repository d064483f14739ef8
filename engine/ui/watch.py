"""`hyosan play --watch`: live reload that keeps the player's place.

Owns: `Watch`, which watches the story folder (watchfiles, in a thread), re-checks the
story when a YAML file changes and hands the result to the front end's own thread:
- clean: the run is re-seated on the new story by node and choice ids
  (`engine.runtime.reseat`), the player is told what changed on the path, and the
  scene is drawn again;
- not clean: the diagnostics are shown (file:line:col) and the old story keeps running.

Line mode: `Watch.input` wraps standard input so that a reload arriving while the game
waits for a line is shown at once (between lines, in the game's own thread). Full
screen: the reload is scheduled on the application's event loop. Neither front end
needs to know about watching.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from engine.compiler.loader import check_story
from engine.diagnostics import Diagnostic
from engine.runtime.model import Story
from engine.runtime.reseat import reseat
from engine.ui.commands import Game
from engine.ui.ledger_worker import started
from engine.ui.plain import PlainUI
from engine.ui.reply import Reply

__all__ = ["MAX_SHOWN", "Update", "Watch"]

MAX_SHOWN = 8  # diagnostics shown after a broken save; `hyosan check` lists every one


@dataclass(frozen=True)
class Update:
    """A re-check of the story after a file changed: the story (None when it has
    errors) and every diagnostic."""

    story: Story | None
    diagnostics: list[Diagnostic]


class _FullScreen(Protocol):
    app: Any

    def apply(self, reply: Reply) -> None: ...


class Watch:
    """Watch `root` for changes to its YAML files while `game` is played."""

    def __init__(self, game: Game, root: Path) -> None:
        self.game = game
        self.root = Path(root)
        self.updates: queue.Queue[Update] = queue.Queue()
        self._stop = threading.Event()
        self.wake_fd, self._wake_w = os.pipe()  # written to when an update waits
        self._plain: PlainUI | None = None
        self._screen: _FullScreen | None = None
        self._broken = False  # the last check found errors
        self._thread = threading.Thread(target=self._watch, name="hyosan-watch", daemon=True)

    # --- the watching thread ---
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for fd in (self.wake_fd, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _watch(self) -> None:
        from watchfiles import watch  # only a watched game loads it

        folder = self.root if self.root.is_dir() else self.root.parent
        for changes in watch(folder, stop_event=self._stop, debounce=200, step=50):
            if any(path.endswith((".yaml", ".yml")) for _, path in changes):
                self.updates.put(Update(*check_story(self.root)))
                self._notify()

    def _notify(self) -> None:
        if self._screen is not None:
            app = self._screen.app
            if app.is_running and app.loop is not None:
                app.loop.call_soon_threadsafe(self._apply_full_screen)
            return
        with contextlib.suppress(OSError):  # OSError: the game has ended
            os.write(self._wake_w, b"!")

    # --- the game's thread ---
    def follow(self, ui: PlainUI | _FullScreen) -> None:
        """Show reloads in this front end (call before it runs), and start watching."""
        if isinstance(ui, PlainUI):
            self._plain = ui
        else:
            self._screen = ui
        self.start()

    def input(self, stream: TextIO) -> TextIO:
        """`stream`, read so that a reload is shown while the game waits for a line."""
        return _WatchedInput(self, stream)  # type: ignore[return-value]

    def apply(self, update: Update) -> tuple[list[str], bool]:
        """Take the update into the game: the lines to tell the player, and whether
        they report errors (the old story then keeps running)."""
        errors = [d for d in update.diagnostics if d.is_error]
        if update.story is None or errors:
            lines = ["The story has errors; the old story keeps running until they are fixed:"]
            lines += [d.render().splitlines()[0] for d in errors[:MAX_SHOWN]]
            if len(errors) > MAX_SHOWN:
                lines.append(f"... and {len(errors) - MAX_SHOWN} more (hyosan check lists them)")
            self._broken = True
            return lines, True
        was_broken, self._broken = self._broken, False
        session = self.game.session
        old = session.story
        if update.story.id != old.id:
            return [f'The story id changed to "{update.story.id}": restart to play it.'], True
        if update.story.fingerprint == old.fingerprint:
            return (
                ["The story is clean again, as it was: nothing changed."] if was_broken else []
            ), False
        before = session.state.steps()
        placed = reseat(update.story, session.seed, before, session.state.node)
        session.story = update.story
        if self.game.ledger is not None:  # the edited story's ledger, computed meanwhile
            self.game.ledger = started(self.game.ledger, update.story)
        session.states = placed.states
        session.redo_stack.clear()
        notes = placed.notes or ["nothing on your path changed"]
        if placed.states[-1].steps() != before and session.keeper.path is not None:
            # The saved run went another way: it is kept whole, never cut short.
            session.keeper.start_new()
            session.created = None
            session.dirty = True  # written on the next choice, or on the way out
            notes.append("the saved run is kept, and playing on saves to a new file")
        return ["Story reloaded: " + "; ".join(notes) + "."], False

    def pending(self) -> list[tuple[list[str], bool]]:
        """Every update waiting, taken into the game in order."""
        done: list[tuple[list[str], bool]] = []
        while True:
            try:
                update = self.updates.get_nowait()
            except queue.Empty:
                return done
            done.append(self.apply(update))

    def redraw_plain(self) -> None:
        """Line mode: say what the waiting updates changed and draw the scene again."""
        ui = self._plain
        said = [(lines, error) for lines, error in self.pending() if lines]
        if ui is None or not said:
            return
        ui.say()
        for lines, error in said:
            for line in lines:
                ui.say(f"* {line}")
            if not error:
                ui.show()
        ui.output.write("> ")
        ui.output.flush()

    def _apply_full_screen(self) -> None:
        ui = self._screen
        if ui is None:
            return
        for lines, error in self.pending():
            if lines:
                ui.apply(Reply(" ".join(lines), moved=not error, error=error))
        ui.app.invalidate()


class _WatchedInput:
    """Standard input read a line at a time, showing reloads while it waits."""

    def __init__(self, watch: Watch, stream: TextIO) -> None:
        self.watch = watch
        self.stream = stream
        self.buffer = b""
        self.ended = False
        try:
            self.fd: int | None = stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None  # not a real file: read it as it is

    def isatty(self) -> bool:
        return self.stream.isatty()

    def readline(self) -> str:
        if self.fd is None:
            self.watch.redraw_plain()
            return self.stream.readline()
        while b"\n" not in self.buffer and not self.ended:
            self.watch.redraw_plain()
            ready, _, _ = select.select([self.fd, self.watch.wake_fd], [], [])
            if self.watch.wake_fd in ready:
                os.read(self.watch.wake_fd, 1024)
            if self.fd in ready:
                data = os.read(self.fd, 4096)
                self.buffer += data
                self.ended = not data
        line, newline, rest = self.buffer.partition(b"\n")
        self.buffer = rest
        return (line + newline).decode("utf-8", "replace")
