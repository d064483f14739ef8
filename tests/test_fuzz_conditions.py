"""Fuzzing conditions: token soup, well-formed trees and raw text, in and out of a story.

Against the example story's names, every drawn condition either compiles (and then
gives true or false on real states of the story) or raises `LanguageError` with a
documented code and an offset inside the condition, in bounded time. Inside a story
file, written in any YAML quoting style, the diagnostic points at a real line and
column of that file. The budget comes from tests/fuzzing.py (`pytest --fuzz`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fuzzing import budget, within_budget
from hypothesis import given
from hypothesis import strategies as st

from engine.compiler.language import Symbols, compile_condition
from engine.compiler.loader import check_story, load_story
from engine.compiler.syntax import LanguageError
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, step
from engine.runtime.state import GameState

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "example"
CODES = {"E030", "E031", "E032", "E033", "E034", "E040", "E041"}


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(EXAMPLE)


@pytest.fixture(scope="module")
def symbols(story: Story) -> Symbols:
    return Symbols(
        dict(story.cast_index),
        dict(story.item_index),
        set(story.flags),
        dict(story.counter_index),
        set(story.nodes),
    )


@pytest.fixture(scope="module")
def states(story: Story) -> list[GameState]:
    """A few states of a walk through the story, to evaluate compiled conditions on."""
    state = initial_state(story, 3)
    found = [state]
    for _ in range(12):
        offered = available_choices(story, state)
        if not offered:
            break
        state = step(story, state, offered[-1].id)[0]
        found.append(state)
    return found


NAMES = ["door_barred", "kit_found", "trust", "noise", "episode", "turn", "ghost", "survivors"]
FUNCTIONS = ["has", "count", "alive", "status", "place", "with_group", "bitten", "just_turned"]
FUNCTIONS += ["visited", "survivors", "hass", "__import__", "eval"]
STRINGS = ["'phone'", "'arrows'", "'on-jo'", "'nam-ra'", "'one.hall'", "'bitten'", "'group'"]
STRINGS += ["'zombi'", "'nobody'", "'", '"on-jo"', "''"]
NUMBERS = ["0", "1", "3", "9" * 15, "9" * 16, "9" * 400, "9" * 5000, "²", "٣", "-1", "1.5"]
tokens = st.one_of(
    st.sampled_from(NAMES + FUNCTIONS + STRINGS + NUMBERS),
    st.sampled_from(["and", "or", "not", "true", "false", "(", ")", ",", "==", "!=", "<", "<="]),
    st.sampled_from([">", ">=", "=", "&&", "||", "!", "\x00", "\u202e", "\n", "\t", "#", ":"]),
)
soups = st.lists(tokens, max_size=40).map(" ".join)
leaves = st.one_of(
    st.sampled_from(NAMES),
    st.tuples(
        st.sampled_from(FUNCTIONS), st.lists(st.sampled_from(STRINGS + NUMBERS), max_size=2)
    ).map(lambda call: f"{call[0]}({', '.join(call[1])})"),
    st.tuples(
        st.sampled_from(NAMES), st.sampled_from(["==", "<", ">="]), st.sampled_from(NUMBERS)
    ).map(" ".join),
)
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join),
        inner.map(lambda c: f"not {c}"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=30,
)
deep = st.tuples(st.integers(1, 3000), st.sampled_from(["(", "not ", "has(", "not ("]), leaves).map(
    lambda d: d[1] * d[0] + d[2] + ")" * (d[0] if "(" in d[1] else 0)
)
chains = st.tuples(st.integers(1, 8000), st.sampled_from([" and ", " or "]), leaves).map(
    lambda c: c[1].join([c[2]] * c[0])
)
conditions = st.one_of(soups, trees, deep, chains, st.text(max_size=60))


def compile_or_refuse(source: str, symbols: Symbols, states: list[GameState]) -> None:
    with within_budget(f"compiling {source[:40]!r}"):
        try:
            compiled = compile_condition(source, symbols)
        except LanguageError as exc:
            assert exc.code in CODES, exc.code
            assert 0 <= exc.offset <= len(source), (exc.offset, len(source))
            return
    for state in states:
        assert compiled.test(state) in (True, False)


@budget(600)
@given(source=conditions)
def test_a_condition_compiles_or_is_refused_with_a_documented_code(
    source: str, symbols: Symbols, states: list[GameState]
) -> None:
    compile_or_refuse(source, symbols, states)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-conditions-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


MANIFEST = "id: c\nstart: a\ncast: {on-jo: {name: On-jo}}\nflags: {door: D}\nepisodes: [one.yaml]\n"


@budget(100)
@given(source=conditions, style=st.sampled_from([None, "'", '"', "|", ">"]))
def test_a_condition_in_a_story_is_reported_at_a_real_place(
    scratch: Path, source: str, style: str | None
) -> None:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    (folder / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    choice = {"id": "if", "text": "If.", "if": source, "goto": "end"}
    episode = {
        "episode": 1,
        "nodes": {
            "a": {"text": "A.", "choices": [choice, {"id": "go", "text": "Go.", "goto": "end"}]},
            "end": {"text": "E.", "ending": {"id": "end", "title": "E"}},
        },
    }
    text = yaml.safe_dump(episode, sort_keys=False, default_style=style, allow_unicode=True)
    (folder / "one.yaml").write_text(text, encoding="utf-8")
    with within_budget("checking a story"):
        _, diagnostics = check_story(folder)
    lines = text.splitlines()
    for diagnostic in diagnostics:
        if diagnostic.pos.path.endswith("one.yaml"):
            assert 1 <= diagnostic.pos.line <= len(lines), diagnostic
            assert 1 <= diagnostic.pos.col <= len(lines[diagnostic.pos.line - 1]) + 1, diagnostic
