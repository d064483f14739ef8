"""Conditions written outside a story, about a loaded story: the questions `hyosan reach`
asks.

Owns: `compile_query` (a condition from the command line, compiled with the story's own
names exactly as the story's conditions are, plus the name `ending`), `QueryError`
(what is wrong, at which column, with a caret line under it) and `tracking_visits` (the
story made to record visits to the nodes a query asks `visited()` about).

`ending` is the id of the ending the state is at, or `''` when it is not at an ending.
It may only be compared, with `==` or `!=`, with a quoted ending id or `''`:
``ending == 'show' and alive('cheong-san')``. It is compiled by turning the comparison
into one over a hidden number (the ending's position in the story, 0 for none) that only
the query's view of a state holds; a story that declares a flag or counter named
`ending` keeps its own meaning for the name. A query that uses `ending` must be tested
on a `GameState` (it reads the state's node).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from engine.compiler.language import Symbols, compile_condition
from engine.compiler.syntax import Expr, LanguageError, parse_condition
from engine.diagnostics import Pos, did_you_mean
from engine.errors import EXIT_USAGE, UserError
from engine.runtime.conditions import CharacterView, Condition, StateView, Test
from engine.runtime.model import Story

__all__ = ["ENDING", "QueryError", "compile_query", "tracking_visits"]

ENDING = "ending"
_HIDDEN = "ENDING"  # as long as `ending`, so columns stay exact; never a declared name
_WHERE = Pos("<condition>", 1, 1)


class QueryError(UserError):
    """A condition that does not compile: `column` is 1-based, in `source`."""

    def __init__(self, source: str, column: int, message: str, code: str) -> None:
        self.source = source
        self.column = column
        self.problem = message
        super().__init__(f"the condition, column {column}: {message} [{code}]", EXIT_USAGE)

    def caret(self) -> list[str]:
        """The condition and a caret under the column (two lines, to print indented)."""
        return [self.source, " " * (self.column - 1) + "^"]


def compile_query(story: Story, source: str) -> Condition:
    """`source` compiled against `story`'s names (and `ending`); raises QueryError."""
    try:
        tree = parse_condition(source)
        numbers = _ending_numbers(story)
        uses_ending = ENDING not in story.flags and ENDING not in story.counter_index
        text = _hide_ending(source, tree, numbers) if uses_ending else source
        symbols = _symbols(story, hidden=text != source)
        compiled = compile_condition(text, symbols)
    except LanguageError as exc:
        message = exc.message + (f"; did you mean {exc.suggestion}?" if exc.suggestion else "")
        raise QueryError(source, exc.offset + 1, message, exc.code) from None
    reads = compiled.reads - {("counter", _HIDDEN)}
    if text == source:
        return Condition(source, compiled.test, _WHERE, reads)
    by_node = {
        node.id: numbers[node.ending.id] for node in story.nodes.values() if node.ending is not None
    }
    return Condition(source, _with_ending(compiled.test, by_node), _WHERE, reads)


def tracking_visits(story: Story, query: Condition) -> Story:
    """`story`, recording visits to every node `query` asks `visited()` about.

    A story records only the visits its own conditions ask about; a query may ask about
    others. Recording more visits changes no step's outcome and no save's digest."""
    wanted = frozenset(name for kind, name in query.reads if kind == "visited")
    counted = frozenset(name for kind, name in query.reads if kind == "visits")
    if wanted <= story.tracked_visits and counted <= story.counted_visits:
        return story
    return dataclasses.replace(
        story,
        tracked_visits=story.tracked_visits | wanted,
        counted_visits=story.counted_visits | counted,
    )


def _symbols(story: Story, *, hidden: bool) -> Symbols:
    counters = dict(story.counter_index)
    if hidden:
        counters[_HIDDEN] = len(story.counter_ids)
    return Symbols(
        dict(story.cast_index),
        dict(story.item_index),
        story.flags,
        counters,
        story.nodes,
        {cid: c.name for cid, c in story.cast.items()},
        story.places,
    )


def _ending_numbers(story: Story) -> dict[str, int]:
    numbers = {"": 0}
    for node in story.endings():
        assert node.ending is not None
        numbers.setdefault(node.ending.id, len(numbers))
    return numbers


def _hide_ending(source: str, tree: Expr, numbers: dict[str, int]) -> str:
    """`source` with every `ending == 'id'` written as a comparison of numbers, at the
    same columns: `ending` becomes the hidden counter, the quoted id its number."""
    edits: list[tuple[int, str, int]] = []  # (offset, new text, length replaced)
    for expr, parent in _walk(tree, None):
        if expr.kind != "name" or expr.value != ENDING:
            continue
        other = _other_side(expr, parent)
        edits.append((expr.offset, _HIDDEN, len(ENDING)))
        if other.value not in numbers:
            known = [n for n in numbers if n]
            raise LanguageError(
                "E041",
                f'unknown ending "{other.value}" (endings: {", ".join(known) or "none"})',
                other.offset + 1,
                did_you_mean(other.value, known),
            )
        width = len(other.value) + 2  # with its quotes
        edits.append((other.offset, str(numbers[other.value]).ljust(width), width))
    text = source
    for offset, new, length in sorted(edits, reverse=True):
        if len(new) != length:  # more endings than the quotes leave room for
            raise LanguageError("E041", "compare `ending` with a longer id", offset)
        text = text[:offset] + new + text[offset + length :]
    return text


def _other_side(expr: Expr, parent: Expr | None) -> Expr:
    """The quoted id `ending` is compared with; LanguageError when it is not compared."""
    if parent is None or parent.kind != "cmp" or parent.value not in ("==", "!="):
        raise LanguageError(
            "E041",
            "`ending` can only be compared with == or != and an ending id: ending == 'show'",
            expr.offset,
        )
    other: Expr = parent.args[1] if parent.args[0] is expr else parent.args[0]
    if other.kind != "string":
        raise LanguageError(
            "E041", "compare `ending` with a quoted ending id, like 'show', or ''", other.offset
        )
    return other


def _walk(expr: Expr, parent: Expr | None) -> list[tuple[Expr, Expr | None]]:
    """Every node of the tree with its parent (iteratively: the tree may be deep)."""
    found: list[tuple[Expr, Expr | None]] = []
    stack: list[tuple[Expr, Expr | None]] = [(expr, parent)]
    while stack:
        node, above = stack.pop()
        found.append((node, above))
        stack.extend((arg, node) for arg in node.args if isinstance(arg, Expr))
    return found


def _with_ending(test: Test, by_node: dict[str, int]) -> Test:
    def holds(state: StateView) -> bool:
        node: str = getattr(state, "node", "")
        return test(_EndingView(state, by_node.get(node, 0)))

    return holds


class _EndingView:
    """A state seen by a query that uses `ending`: the hidden counter comes last."""

    __slots__ = ("_state", "counters")

    def __init__(self, state: StateView, ending: int) -> None:
        self._state = state
        self.counters: Sequence[int] = (*state.counters, ending)

    @property
    def roster(self) -> Sequence[CharacterView]:
        return self._state.roster

    @property
    def inventory(self) -> Sequence[int]:
        return self._state.inventory

    @property
    def flags(self) -> Any:
        return self._state.flags

    @property
    def visited(self) -> Any:
        return self._state.visited

    @property
    def just_turned(self) -> Any:
        return self._state.just_turned

    @property
    def episode(self) -> int:
        return self._state.episode

    @property
    def turn(self) -> int:
        return self._state.turn

    @property
    def rng(self) -> int:
        return self._state.rng

    @property
    def visits(self) -> Any:
        return self._state.visits
