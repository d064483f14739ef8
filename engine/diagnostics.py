"""Author-facing problems: the `Diagnostic` record, the code catalogue and did-you-mean.

Owns: the list of every diagnostic code with its severity, summary and fix. Every other
module reports problems by code through `Diagnostics.add`, so a code's wording lives
in one place. Must not touch the terminal: `cli.py` prints.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

__all__ = [
    "CODES",
    "Code",
    "Diagnostic",
    "Diagnostics",
    "Pos",
    "Reporter",
    "StoryError",
    "did_you_mean",
    "in_file_order",
    "printable",
    "suggestion_budget",
    "suggestions_left",
]


class Pos(NamedTuple):
    """A place in a source file: 1-based line and column."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class Code(NamedTuple):
    severity: str  # "error" or "warning"
    summary: str
    fix: str


CODES: dict[str, Code] = {
    "E001": Code("error", "YAML syntax error", "correct the YAML at this position"),
    "E002": Code("error", "cannot read the story", "check the path and the file permissions"),
    "E003": Code("error", "not a UTF-8 text file", "save the file as UTF-8 text"),
    "E004": Code("error", "file too large", "split the file into several episode files"),
    "E005": Code(
        "error",
        "document too deep or too large",
        "flatten the nesting, or use fewer aliases",
    ),
    "E006": Code("error", "empty file", "write the file's content, or remove it from the manifest"),
    "E007": Code(
        "error",
        "unsupported YAML tag",
        "remove the tag: story files hold plain mappings, lists, strings and numbers",
    ),
    "E010": Code("error", "unknown key", "remove the key or correct its spelling"),
    "E011": Code("error", "missing field", "add the field"),
    "E012": Code("error", "wrong type", "give a value of the expected type"),
    "E013": Code("error", "invalid value", "use one of the allowed values"),
    "E020": Code("error", "duplicate id", "give each one its own id"),
    "E021": Code("error", "duplicate key", "remove one of the two keys"),
    "E030": Code("error", "unknown node", "correct the node id, or add a node with that id"),
    "E031": Code("error", "unknown character", "use a character declared under cast:"),
    "E032": Code("error", "unknown item", "use an item declared under items:"),
    "E033": Code("error", "unknown flag", "declare the flag under flags:, or correct its name"),
    "E034": Code(
        "error", "unknown counter", "declare the counter under counters:, or correct its name"
    ),
    "E035": Code(
        "error",
        "set on a counter",
        "set: and clear: take a flag; set a counter with set_counter: {trust: 3}",
    ),
    "E040": Code("error", "condition syntax error", "correct the condition at this column"),
    "E041": Code("error", "condition type error", "compare values of the same kind"),
    "E050": Code(
        "error",
        "turning point names a missing canon choice",
        "set canon: to the id of one of this node's choices",
    ),
    "E051": Code(
        "error",
        "ending with choices",
        "remove the choices, or remove ending: to make it a scene",
    ),
    "E052": Code(
        "error",
        "dead end",
        "add a choice, or make the node an ending",
    ),
    "E053": Code(
        "error",
        "no choice is always available",
        "give at least one choice no if:, unless: or once: true, so the player can never be stuck",
    ),
    "E054": Code("error", "episode problem", "give every episode file its own episode number"),
    "E055": Code("error", "invalid canon data", "correct the canon: section of the manifest"),
    "E056": Code("error", "branch conflict", "rename one of them, or remove one"),
    "E057": Code(
        "error",
        "a loop no choice leaves",
        "give a node of the loop a choice that leads on toward an ending",
    ),
    "E058": Code(
        "error",
        "no ending can be reached",
        "add a path of choices from the start to an ending node",
    ),
    "E060": Code(
        "error",
        "the canon path disagrees with the canon",
        "correct the canon: roster or ending, or the canon choices that lead there",
    ),
    "E061": Code(
        "error",
        "the canon's choice is not declared",
        "add `canon: true` to the choice the canon takes at this node",
    ),
    "E062": Code(
        "error",
        "$resume outside an interrupt",
        "goto the node play should go on to: $resume belongs only in an on_turn node and "
        "the nodes it leads to",
    ),
    "E063": Code(
        "error",
        "$turned outside an interrupt",
        "name the character: $turned stands for whoever just turned, only in an on_turn "
        "node's do: and its choices",
    ),
    "E064": Code(
        "error",
        "an on_turn that can never fire",
        "bite the character (the clock turning them diverts play), or remove the on_turn",
    ),
    "E065": Code(
        "error",
        "the canon choice is never offered on the canon path",
        "correct the choice's if:, or the earlier canon choices that should make it hold",
    ),
    "W101": Code(
        "warning",
        "unreachable node",
        "add a choice that goes to this node, or remove it",
    ),
    "W102": Code(
        "warning",
        "ending nothing leads to",
        "add a choice that goes to this ending, or remove it",
    ),
    "W103": Code(
        "warning",
        "write-only flag",
        "test the flag in an if: (a choice, a text piece or a when:), or remove it",
    ),
    "W104": Code(
        "warning",
        "write-only counter",
        "test the counter in an if: (a choice, a text piece or a when:), or remove it",
    ),
    "W105": Code(
        "warning",
        "a long chain of single-option nodes",
        "give some of these nodes a second choice, or merge their text into fewer nodes",
    ),
    "W106": Code(
        "warning",
        "a bite always resolved by script",
        "let some path leave the bitten character to the infection clock (no turn:, kill: or "
        "cure: of them before the incubation runs out), or turn or kill them at once "
        "instead of biting",
    ),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a story or a save, with where it is and how to fix it."""

    pos: Pos
    code: str
    message: str
    suggestion: str | None = None
    fix: str | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def fix_text(self) -> str:
        """The fix to print: this diagnostic's own, else its code's."""
        return self.fix or CODES[self.code].fix

    def render(self) -> str:
        """The diagnostic as printed; ids and text from the story are escaped, so a
        control or bidi character in them can neither hide nor fake a line."""
        where = printable(str(self.pos), lines=False)
        lines = [f"{where}: {self.severity} {self.code}: {printable(self.message, lines=False)}"]
        if self.suggestion:
            lines.append(f"  did you mean {printable(self.suggestion, lines=False)}?")
        lines.append(f"  fix: {printable(self.fix_text, lines=False)}")
        return "\n".join(lines)


def in_file_order(d: Diagnostic) -> tuple[str, int, int, str]:
    """The sort key that lists diagnostics by file, line, column, then code."""
    return (d.pos.path, d.pos.line, d.pos.col, d.code)


@dataclass
class Diagnostics:
    """An ordered collection that keeps one diagnostic per (position, code)."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[Pos, str]] = field(default_factory=set)

    def add(
        self,
        pos: Pos,
        code: str,
        message: str,
        *,
        suggestion: str | None = None,
        fix: str | None = None,
    ) -> None:
        if code not in CODES:
            raise KeyError(f"internal error: unknown diagnostic code {code}")
        if (pos, code) in self._seen:
            return
        self._seen.add((pos, code))
        self.items.append(Diagnostic(pos, code, message, suggestion, fix))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=in_file_order)


class Reporter(Protocol):
    """Anything a compiler step reports a problem to (the compiler's context)."""

    def error(
        self,
        pos: Pos,
        code: str,
        message: str,
        suggestion: str | None = None,
        fix: str | None = None,
    ) -> None: ...


class StoryError(Exception):
    """A story (or save) that cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0].render().splitlines()[0] if diagnostics else "story error"
        super().__init__(first)


def _escapes(keep: str, bidi: bool) -> dict[int, str]:
    controls = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
    table = {c: f"\\x{c:02x}" for c in controls if chr(c) not in keep}
    if bidi:
        marks = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
        table.update({c: f"\\u{c:04x}" for c in [*marks, 0x2028, 0x2029]})
    return table


# (lines, bidi) -> the characters to escape, and a quick test for them (almost no text
# needs an escape, and translate() is slow).
_TABLES = {
    (lines, bidi): _escapes("\n\t" if lines else "\t", bidi)
    for lines in (True, False)
    for bidi in (True, False)
}
_UNSAFE = {
    key: re.compile("[" + re.escape("".join(map(chr, table))) + "]")
    for key, table in _TABLES.items()
}


def printable(text: str, *, lines: bool = True, bidi: bool = True) -> str:
    """`text` safe to print on a terminal: control characters (C0, C1, DEL) and Unicode
    bidi controls (the "Trojan Source" characters) become visible escapes such as
    `\\x1b` and `\\u202e`. Newlines and tabs stay when `lines` (a block of text); a
    newline is escaped too when the text must stay on one line. `bidi=False` keeps the
    bidi controls, for prose, where right-to-left text needs them."""
    if not _UNSAFE[lines, bidi].search(text):
        return text
    return text.translate(_TABLES[lines, bidi])


_BUDGET: ContextVar[list[int] | None] = ContextVar("suggestion_budget", default=None)
_LONGEST_WORD = 200  # no suggestion for a longer word: nothing declared is that long


@contextmanager
def suggestion_budget(comparisons: int) -> Iterator[None]:
    """Within the block, `did_you_mean` compares at most `comparisons` candidates in
    all, then suggests nothing: thousands of mistakes against thousands of ids must not
    cost quadratic time (each suggestion compares the word with every candidate)."""
    token = _BUDGET.set([comparisons])
    try:
        yield
    finally:
        _BUDGET.reset(token)


def suggestions_left() -> list[int] | None:
    """The comparisons `did_you_mean` may still make in this `suggestion_budget` (a list
    of one, spent in place), or None outside one."""
    return _BUDGET.get()


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to `word`, quoted, or None when nothing is close (or the
    budget of `suggestion_budget` is spent)."""
    budget = _BUDGET.get()
    if len(word) > _LONGEST_WORD or (budget is not None and budget[0] == 0):
        return None
    pool = list(candidates)
    if budget is not None:
        if budget[0] < len(pool):
            budget[0] = 0
            return None
        budget[0] -= len(pool)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f'"{matches[0]}"' if matches else None
