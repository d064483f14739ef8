"""The player's commands, shared by both front ends, and the `Game` that interprets input.

Owns: the command table (a registry: adding a command is one decorated function), the
menu the player picks from (the start offer, the choices, a list of saves, the ending's
options) and the meaning of a line of input. Replies are data (`Reply`); the front ends
decide how to show them. No terminal code, no printing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from engine.diagnostics import did_you_mean
from engine.runtime.rules import ChoiceError, RunEndedError
from engine.saves.format import SaveError, SaveFile
from engine.session import Session
from engine.ui import roster, runfiles, screen
from engine.ui.ledger_worker import LedgerWorker
from engine.ui.reply import LOAD_HINT, MenuItem, Reply, choice_item

__all__ = ["COMMANDS", "Command", "Game", "MenuItem", "Reply", "command"]

QUICK_SLOT = "quicksave"


Handler = Callable[["Game", str], Reply]
Answer = Callable[[], Reply]


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

    resume_args (options for this story and saves folder) and program (the words that
    run hyosan) make the line that tells the player how to come back. `offer` is the
    autosave the player may continue (None: nothing to offer). `answers`: while a yes/no
    question is open (its items are the sub-menu), what yes (and keep) do.
    """

    session: Session
    resume_args: list[str] = field(default_factory=list)
    program: list[str] = field(default_factory=lambda: ["hyosan"])
    answers: dict[str, Callable[[], Reply]] = field(default_factory=dict)
    offer: SaveFile | None = None
    seed: int | None = None
    new_seed: Callable[[], int] = lambda: 0
    now: Callable[[], datetime | None] = lambda: None
    submenu: tuple[MenuItem, ...] = ()
    submenu_title: str = ""
    width: int = 100  # the front end keeps this at the text width, for tables in panels
    line_mode: bool = False  # help describes line mode's words, not the full screen's keys
    ledger: LedgerWorker | None = None  # the choice ledger, computed while playing

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
        return [choice_item(shown) for shown in self.session.shown_choices()]

    def menu_title(self) -> str:
        if self.offer is not None:
            return "A saved game was found."
        return self.submenu_title if self.submenu else ""

    def scene(self, first_shown: bool = False) -> screen.Scene:
        return screen.scene(self.session.story, self.session.states, first_shown, self.ledger)

    # --- input ---
    def handle(self, line: str) -> Reply:
        """Interpret one line: a number picks from the menu; a word runs a command."""
        line = line.strip()
        if self.answers:
            return self.answer(line)
        if not line:
            if self.submenu:
                self.close_submenu()
                return Reply(moved=True)
            return Reply(self.hint(), error=True)
        word, _, rest = line.partition(" ")
        if word.isdigit():  # '²'.isdigit() too, but only short ASCII digits are a number
            number = _menu_number(word)
            if number is None:
                shown = word if len(word) <= 12 else word[:12] + "…"
                return Reply(f"There is no {shown} here. {self.hint()}", error=True)
            return self.pick(number)
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
        if self.answers:
            return self.answer(str(number))
        items = self.menu()
        if not 1 <= number <= len(items):
            return Reply(f"There is no {number} here. {self.hint()}", error=True)
        line, locked = items[number - 1].line, items[number - 1].locked
        if locked:  # greyed out: say why, change nothing
            return Reply(locked, error=True)
        self.close_submenu()
        return self.handle(line)

    def hint(self) -> str:
        count = len(self.menu())
        if self.answers:
            return f"Type y or n, or 1-{count}."
        numbers = "1" if count == 1 else f"1-{count}"
        return f"Type {numbers} to choose, or ? for help." if count else "Type ? for help."

    def close_submenu(self) -> None:
        self.submenu, self.submenu_title, self.answers = (), "", {}

    # --- questions ---
    def ask(self, title: str, items: list[tuple[str, str]], yes: Answer, keep: Answer) -> Reply:
        """Open a question: `items` are (label, answer word: no, yes or keep)."""
        self.submenu, self.submenu_title = tuple(MenuItem(*item) for item in items), title
        self.answers = {"y": yes, "yes": yes, "keep": keep}
        return Reply(runfiles.ANSWER_HINT, menu=self.submenu)

    def answer(self, line: str) -> Reply:
        """The answer to the open question: y/yes, n/no/Enter, a number, or quit."""
        word = line.strip().lower()
        number = _menu_number(word)
        if number is not None and 1 <= number <= len(self.submenu):
            word = self.submenu[number - 1].line
        run, leave = self.answers.get(word), word in ("q", "quit", "exit")
        if run is None and not leave and word not in ("", "n", "no"):
            return Reply(f"Answer the question first. {self.hint()}", error=True)
        self.close_submenu()
        return run() if run else Reply(quit=True) if leave else Reply("Unchanged.", moved=True)

    # --- leaving ---
    def resume_command(self) -> str:
        target = self.session.resume_target() or "autosave"
        return runfiles.resume_command(self.program, self.resume_args, target)

    def finish(self) -> list[str]:
        """Save what is unsaved; the lines to print on the way out."""
        if self.offer is not None:
            return []
        return runfiles.farewell(self.session, self.program, self.resume_args)

    def autosave_warning(self) -> str:
        error = self.session.autosave_error
        return f"Autosave failed: {error}" if error else ""


_AT_OFFER = frozenset({"continue", "new", "quit", "help", "load"})


def _menu_number(word: str) -> int | None:
    """The menu number typed, in ASCII digits and short enough to be one; None for
    anything else ('²' and '①' pass str.isdigit() but int() refuses them)."""
    return int(word) if word.isascii() and word.isdigit() and len(word) <= 9 else None


def _all_words() -> list[str]:
    words = []
    for entry in COMMANDS.values():
        if not entry.hidden:
            words += [entry.name, *entry.aliases]
    return words


def _moved(game: Game, message: str = "") -> Reply:
    warning = game.autosave_warning()
    text = " ".join([warning or message, *game.session.take_notes()]).strip()
    return Reply(text, moved=True, error=bool(warning))


# --- the commands ---


@command("help", "list the commands and keys", aliases=("?", "h", "commands"), key="?")
def _help(game: Game, arg: str) -> Reply:
    from engine.ui.helptext import help_text

    return Reply(
        title="COMMANDS", panel=help_text(COMMANDS.values(), game.line_mode, game.width or 100)
    )


@command("roster", "everyone the story tracks: status, where, since when, and why", key="r")
def _roster(game: Game, arg: str) -> Reply:
    text = roster.roster_text(game.session.story, game.session.states)
    return Reply(title="ROSTER", panel=text)


@command("inventory", "what the group carries", aliases=("inv", "items"), key="i")
def _inventory(game: Game, arg: str) -> Reply:
    text = roster.inventory_text(game.session.story, game.session.state)
    return Reply(title="INVENTORY", panel=text)


@command("compare", "how your run differs from the canon, and why", aliases=("show",), key="c")
def _compare(game: Game, arg: str) -> Reply:
    story = game.session.story
    if story.canon is None:
        return Reply("This story declares no canon, so there is nothing to compare with.")
    from engine.canon.compare import compare_run
    from engine.report.compare import comparison_text

    cmp = compare_run(story, game.session.states)
    return Reply(title=f"Compared with {cmp.label}", panel=comparison_text(cmp, game.width))


@command("look", "show the scene again", aliases=("again", "text"))
def _look(game: Game, arg: str) -> Reply:
    return Reply(moved=True)


@command("save", "save the run to a slot (default: your last slot)", key="s", usage="save [SLOT]")
def _save(game: Game, arg: str) -> Reply:
    slot = arg or game.session.last_saved_slot or QUICK_SLOT
    try:
        other = game.session.save_conflict(slot)
    except (SaveError, OSError) as exc:
        return Reply(f"Not saved: {_reason(exc)}", error=True)
    if other is not None:
        replace = lambda: _write_slot(game, slot, replace=True)  # noqa: E731
        return game.ask(*runfiles.save_question(slot, other), replace, lambda: Reply("Not saved."))
    return _write_slot(game, slot, replace=False)


def _write_slot(game: Game, slot: str, replace: bool) -> Reply:
    try:
        path = game.session.save(slot, replace=replace)
    except (SaveError, OSError) as exc:
        return Reply(f"Not saved: {_reason(exc)}", error=True)
    return Reply(f"Saved to slot “{slot}” ({path}).")


@command("load", "list the saved games, or load one", key="l", usage="load [SLOT|PATH]")
def _load(game: Game, arg: str) -> Reply:
    if not arg:
        return _list_saves(game)
    session = game.session
    before = session.keeper.source
    try:
        messages = session.load(arg)
    except (SaveError, OSError) as exc:
        return Reply(f"Not loaded: {_reason(exc)}", error=True)
    game.offer = None
    game.close_submenu()
    if before is not None and before != session.keeper.source:
        messages.append(f"The run you were playing is kept in {before}.")
    note = " ".join(messages)
    where = f"turn {session.turn + 1}"
    if session.is_over:  # no turn left to play: say how long the run was
        where = f"at its end after {session.turn} turn{'s' if session.turn != 1 else ''}"
    return _moved(game, f"Loaded “{arg}”, {where}. {note}".strip())


def _list_saves(game: Game) -> Reply:
    found = runfiles.saves_menu(game.session, game.now())
    if isinstance(found, str):
        return Reply(found)
    game.submenu_title, items = found
    game.submenu = tuple(MenuItem(*item) for item in items)
    return Reply(LOAD_HINT, menu=game.submenu)


@command("undo", "go back to the previous choice", aliases=("back",), key="u")
def _undo(game: Game, arg: str) -> Reply:
    done = game.session.undo()
    if done is None:
        return Reply("Nothing to undo: this is the start of the run.", error=True)
    if done == "run":
        name = game.session.slot or "the run you left"
        return _moved(game, f"Back to “{name}”, turn {game.session.turn + 1}.")
    return _moved(game, f"Undone. Back at turn {game.session.turn + 1}.")


@command("redo", "take again the choice you undid", key="y")
def _redo(game: Game, arg: str) -> Reply:
    if game.session.redo() is None:
        return Reply("Nothing to redo.", error=True)
    return _moved(game, f"Redone. Turn {game.session.turn + 1}.")


@command("new", "start a new game (your run stays in its saves)", aliases=("restart",), key="n")
def _new(game: Game, arg: str) -> Reply:
    if game.offer is not None:
        game.offer = None
        return Reply("A new game.", moved=True)
    kept = game.session.keeper.source
    game.session.restart(game.seed if game.seed is not None else game.new_seed())
    back = f" Your run is kept in {kept}; undo (u) goes back to it." if kept else ""
    return _moved(game, "A new game." + back)


@command("continue", "continue the saved game offered at the start", hidden=True)
def _continue(game: Game, arg: str) -> Reply:
    if game.offer is None:
        return Reply("There is nothing to continue; choose, or type load.", error=True)
    source = game.offer.source or "autosave"
    return _load(game, runfiles.slot_label(game.session.saves_dir, source))


@command("quit", "save and leave; next time, play on from here", aliases=("exit",), key="q")
def _quit(game: Game, arg: str) -> Reply:
    return Reply(quit=True)


@command("choose", "take a choice by its id", usage="choose ID", hidden=True)
def _choose(game: Game, arg: str) -> Reply:
    session = game.session
    cut = session.would_cut(arg) if arg in {c.id for c in session.choices()} else 0
    if cut:
        title, items = runfiles.cut_question(session, cut)
        yes, keep = (lambda: _take(game, arg, replace=True)), (lambda: _take(game, arg, False))
        return game.ask(title, items, yes, keep)
    return _take(game, arg, replace=False)


def _take(game: Game, arg: str, replace: bool) -> Reply:
    try:
        game.session.choose(arg, replace=replace)
    except ChoiceError as exc:
        shown = [choice_item(s).locked for s in game.session.shown_choices() if s.choice.id == arg]
        why = shown[0] if shown else ""  # greyed out: why; else it is not here at all
        return Reply(why or f"“{exc.choice}” is not a choice here. {game.hint()}", error=True)
    except RunEndedError:
        return Reply("The run has ended. " + game.hint(), error=True)
    return _moved(game)


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    hint = getattr(exc, "hint", None)
    return f"{message} ({hint})" if hint else message
