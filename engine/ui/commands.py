"""The player's commands, shared by both front ends, and the `Game` that interprets input.

Owns: the command table (a registry: adding a command is one decorated function), the
menu the player picks from (the start offer, the choices, a list of saves, the ending's
options) and the meaning of a line of input. Replies are data (`Reply`); the front ends
decide how to show them. No terminal code, no printing.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.diagnostics import did_you_mean
from engine.runtime.rules import ChoiceError, RunEndedError
from engine.saves.files import list_slots, slot_path
from engine.saves.format import SaveError, SaveFile
from engine.session import Session
from engine.ui import roster, screen

__all__ = ["COMMANDS", "Command", "Game", "MenuItem", "Reply", "command"]

QUICK_SLOT = "quicksave"


@dataclass(frozen=True)
class MenuItem:
    """One line of the menu: what the player reads, and the input it stands for."""

    label: str
    line: str


@dataclass(frozen=True)
class Reply:
    """What a command did, for the front end to show.

    message: one line (a confirmation or a hint); panel: a block of text under `title`
    (help, roster, the list of saves); menu: items to pick from instead of the choices;
    moved: the run changed, show the scene again; quit: leave.
    """

    message: str = ""
    title: str = ""
    panel: str = ""
    menu: tuple[MenuItem, ...] = ()
    moved: bool = False
    quit: bool = False
    error: bool = False


Handler = Callable[["Game", str], Reply]


@dataclass(frozen=True)
class Command:
    """A named command: typed as its name or an alias; `key` is its key in the full screen."""

    name: str
    run: Handler
    help: str
    aliases: tuple[str, ...] = ()
    key: str | None = None
    usage: str = ""
    hidden: bool = False


COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    help: str,
    *,
    aliases: tuple[str, ...] = (),
    key: str | None = None,
    usage: str = "",
    hidden: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a command (the decorated function runs it)."""

    def register(run: Handler) -> Handler:
        COMMANDS[name] = Command(name, run, help, aliases, key, usage or name, hidden)
        return run

    return register


def find_command(word: str) -> Command | None:
    word = word.lower()
    for entry in COMMANDS.values():
        if word == entry.name or word in entry.aliases or word == entry.key:
            return entry
    return None


@dataclass
class Game:
    """A session plus what the player is looking at: the start offer or a sub-menu.

    resume_args: the `hyosan play` options that point at this story and saves folder,
    for the line that tells the player how to come back. `offer` is the autosave the
    player may continue (None when there is nothing to offer).
    """

    session: Session
    resume_args: list[str] = field(default_factory=list)
    offer: SaveFile | None = None
    seed: int | None = None
    new_seed: Callable[[], int] = lambda: 0
    now: Callable[[], datetime | None] = lambda: None
    submenu: tuple[MenuItem, ...] = ()
    submenu_title: str = ""
    width: int = 100  # the front end keeps this at the text width, for tables in panels

    # --- what to show ---
    def menu(self) -> list[MenuItem]:
        """The items the player picks from now, in order (numbered from 1)."""
        if self.offer is not None:
            return [
                MenuItem(f"Continue · {screen.describe_save(self.offer, self.now())}", "continue"),
                MenuItem("New game", "new"),
            ]
        if self.submenu:
            return list(self.submenu)
        if self.session.is_over:
            items = [MenuItem("Undo the last choice", "undo")] if self.session.can_undo else []
            return [
                *items,
                MenuItem("Load a saved game", "load"),
                MenuItem("New game", "new"),
                MenuItem("Quit", "quit"),
            ]
        return [MenuItem(c.text.strip(), f"choose {c.id}") for c in self.session.choices()]

    def menu_title(self) -> str:
        if self.offer is not None:
            return "A saved game was found."
        return self.submenu_title if self.submenu else ""

    def scene(self, first_shown: bool = False) -> screen.Scene:
        return screen.scene(self.session.story, self.session.states, first_shown)

    # --- input ---
    def handle(self, line: str) -> Reply:
        """Interpret one line: a number picks from the menu; a word runs a command."""
        line = line.strip()
        if not line:
            if self.submenu:
                self.close_submenu()
                return Reply(moved=True)
            return Reply(self.hint(), error=True)
        word, _, rest = line.partition(" ")
        if word.isdigit():
            return self.pick(int(word))
        found = find_command(word)
        if found is None:
            guess = did_you_mean(word.lower(), _all_words())
            also = f" Did you mean {guess}?" if guess else ""
            return Reply(f"Unknown command “{word}”.{also} {self.hint()}", error=True)
        if self.offer is not None and found.name not in _AT_OFFER:
            return Reply("First choose: 1 to continue, 2 for a new game.", error=True)
        if found.name not in ("load", "choose"):
            self.close_submenu()
        return found.run(self, rest.strip())

    def pick(self, number: int) -> Reply:
        items = self.menu()
        if not 1 <= number <= len(items):
            return Reply(f"There is no {number} here. {self.hint()}", error=True)
        line = items[number - 1].line
        self.close_submenu()
        return self.handle(line)

    def hint(self) -> str:
        count = len(self.menu())
        numbers = "1" if count == 1 else f"1-{count}"
        return f"Type {numbers} to choose, or ? for help." if count else "Type ? for help."

    def close_submenu(self) -> None:
        self.submenu, self.submenu_title = (), ""

    # --- leaving ---
    def resume_command(self) -> str:
        return shlex.join(["hyosan", "play", *self.resume_args, "--load", self.session.slot])

    def finish(self) -> list[str]:
        """Save what is unsaved; the lines to print on the way out."""
        if self.offer is not None:
            return []
        try:
            path = self.session.autosave()
        except (SaveError, OSError) as exc:
            return [f"Could not save your run: {exc}"]
        return [f"Your run is saved in {path}.", f"To resume: {self.resume_command()}"]

    def autosave_warning(self) -> str:
        error = self.session.autosave_error
        return f"Autosave failed: {error}" if error else ""


_AT_OFFER = frozenset({"continue", "new", "quit", "help", "load"})


def _all_words() -> list[str]:
    words = []
    for entry in COMMANDS.values():
        if not entry.hidden:
            words += [entry.name, *entry.aliases]
    return words


def _moved(game: Game, message: str = "") -> Reply:
    warning = game.autosave_warning()
    return Reply(warning or message, moved=True, error=bool(warning))


# --- the commands ---


@command("help", "list the commands and keys", aliases=("?", "h", "commands"), key="?")
def _help(game: Game, arg: str) -> Reply:
    rows = []
    for entry in COMMANDS.values():
        if entry.hidden:
            continue
        words = ", ".join([entry.usage, *entry.aliases])
        key = f"[{entry.key}]" if entry.key else ""
        rows.append(f"  {key:5} {words:26} {entry.help}")
    keys = (
        "Choose with a number, or with the arrow keys and Enter. PgUp/PgDn scroll the text.\n"
        "':' types a command by name. Esc closes this panel. Ctrl-C twice, or Ctrl-D, quits.\n"
        "Every choice is saved as you go (the autosave)."
    )
    return Reply(title="COMMANDS", panel="\n".join(rows) + "\n\n" + keys)


@command("roster", "everyone the story tracks: status, where, since when, and why", key="r")
def _roster(game: Game, arg: str) -> Reply:
    text = roster.roster_text(game.session.story, game.session.states)
    return Reply(title="ROSTER", panel=text)


@command("inventory", "what the group carries", aliases=("inv", "items"), key="i")
def _inventory(game: Game, arg: str) -> Reply:
    text = roster.inventory_text(game.session.story, game.session.state)
    return Reply(title="INVENTORY", panel=text)


@command("compare", "how your run differs from the show, and why", aliases=("show",), key="c")
def _compare(game: Game, arg: str) -> Reply:
    from engine.canon.compare import compare_run
    from engine.report.compare import comparison_text

    cmp = compare_run(game.session.story, game.session.states)
    return Reply(title="Compared with the show", panel=comparison_text(cmp, game.width))


@command("look", "show the scene again", aliases=("again", "text"))
def _look(game: Game, arg: str) -> Reply:
    return Reply(moved=True)


def _default_slot(session: Session) -> str:
    if session.last_saved_slot:
        return session.last_saved_slot
    return session.slot if session.slot != "autosave" else QUICK_SLOT


@command("save", "save the run to a slot (default: your last slot)", key="s", usage="save [SLOT]")
def _save(game: Game, arg: str) -> Reply:
    slot = arg or _default_slot(game.session)
    try:
        path = game.session.save(slot)
    except (SaveError, OSError) as exc:
        return Reply(f"Not saved: {_reason(exc)}", error=True)
    return Reply(f"Saved to slot “{slot}” ({path}).")


@command("load", "list the saved games, or load one", key="l", usage="load [SLOT|PATH]")
def _load(game: Game, arg: str) -> Reply:
    if not arg:
        return _list_saves(game)
    try:
        messages = game.session.load(arg)
    except (SaveError, OSError) as exc:
        return Reply(f"Not loaded: {_reason(exc)}", error=True)
    game.offer = None
    game.close_submenu()
    note = " ".join(messages)
    return _moved(game, f"Loaded “{arg}”, turn {game.session.turn}. {note}".strip())


def _list_saves(game: Game) -> Reply:
    saves_dir = game.session.saves_dir
    try:
        slots = list_slots(saves_dir)
    except OSError:
        slots = []
    items = []
    for path, save in slots:
        target = _slot_name(saves_dir, path)
        if isinstance(save, SaveError):
            items.append(MenuItem(f"{target} · cannot be read: {save.message}", f"load {target}"))
            continue
        story = "" if save.story_id == game.session.story.id else f" · story {save.story_id}"
        desc = screen.describe_save(save, game.now())
        date = save.updated[:16].replace("T", " ")
        items.append(MenuItem(f"{target} · {desc} ({date}){story}", f"load {target}"))
    if not items:
        return Reply(f"No saved games in {saves_dir}.")
    game.submenu, game.submenu_title = tuple(items), f"SAVED GAMES in {saves_dir}"
    return Reply(
        "Pick a save to load (Enter on an empty line, or Esc, goes back).", menu=tuple(items)
    )


def _slot_name(saves_dir: Path, path: Path) -> str:
    try:
        if slot_path(saves_dir, path.stem) == path:
            return path.stem
    except SaveError:
        pass
    return str(path)


@command("undo", "go back to the previous choice", aliases=("back",), key="u")
def _undo(game: Game, arg: str) -> Reply:
    if not game.session.undo():
        return Reply("Nothing to undo: this is the start of the run.", error=True)
    return _moved(game, f"Undone. Back at turn {game.session.turn}.")


@command("redo", "take again the choice you undid", key="y")
def _redo(game: Game, arg: str) -> Reply:
    if game.session.redo() is None:
        return Reply("Nothing to redo.", error=True)
    return _moved(game, f"Redone. Turn {game.session.turn}.")


@command("new", "start a new game (your run stays in its saves)", aliases=("restart",), key="n")
def _new(game: Game, arg: str) -> Reply:
    if game.offer is None:
        game.session.restart(game.seed if game.seed is not None else game.new_seed())
    game.offer = None
    return Reply("A new game.", moved=True)


@command("continue", "continue the saved game offered at the start", hidden=True)
def _continue(game: Game, arg: str) -> Reply:
    if game.offer is None:
        return Reply("There is nothing to continue; choose, or type load.", error=True)
    return _load(game, game.session.slot)


@command("quit", "save and leave; next time, play on from here", aliases=("exit",), key="q")
def _quit(game: Game, arg: str) -> Reply:
    return Reply(quit=True)


@command("choose", "take a choice by its id", usage="choose ID", hidden=True)
def _choose(game: Game, arg: str) -> Reply:
    try:
        game.session.choose(arg)
    except ChoiceError as exc:
        return Reply(f"“{exc.choice}” is not a choice here. {game.hint()}", error=True)
    except RunEndedError:
        return Reply("The run has ended. " + game.hint(), error=True)
    return _moved(game)


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    hint = getattr(exc, "hint", None)
    return f"{message} ({hint})" if hint else message
