"""The condition language: every documented form, its errors, and that nothing reaches eval.

Conditions are compiled against the example story's ids and evaluated against states
reached by playing it, so each form is checked the way a story uses it.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.language import Symbols, compile_condition
from engine.compiler.syntax import LanguageError, parse_condition
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.runtime.state import GameState

FORMAT_DOC = Path(__file__).resolve().parent.parent / "docs" / "format.md"

# Seed 0's first draw takes the `then` branch of the lab window's chance (three arrows);
# seed 1's takes `else`.
LUCKY, UNLUCKY = 0, 1


def symbols_of(story: Story) -> Symbols:
    return Symbols(
        story.cast_index, story.item_index, story.flags, story.counter_index, story.nodes
    )


def play(story: Story, seed: int, *choices: str) -> GameState:
    state = initial_state(story, seed)
    for choice in choices:
        state, _events = step(story, state, choice)
    return state


@pytest.fixture(scope="module")
def states(example_story: Story) -> dict[str, GameState]:
    """Named moments of the example story."""
    s = example_story
    return {
        "start": initial_state(s, UNLUCKY),
        "office": play(s, UNLUCKY, "office"),
        "scratched": play(s, UNLUCKY, "office", "wait"),
        "isak_turned": play(s, UNLUCKY, "office", "wait", "tend"),
        "episode2": play(s, UNLUCKY, "office", "wait", "tend", "push"),
        "roof_up": play(s, UNLUCKY, "office", "wait", "tend", "push", "up"),
        "roof_down": play(s, UNLUCKY, "lab", "wait", "ignore", "push", "down"),
        "arrows": play(s, LUCKY, "lab", "chance"),
    }


@pytest.fixture(scope="module")
def holds(example_story: Story, states: dict[str, GameState]) -> Callable[[str, str], bool]:
    """holds(condition, moment): compile the condition and evaluate it at that moment."""
    symbols = symbols_of(example_story)

    def evaluate(source: str, moment: str) -> bool:
        test = compile_condition(source, symbols).test
        return bool(test(states[moment]))

    return evaluate


def compile_error(story: Story, source: str) -> LanguageError:
    with pytest.raises(LanguageError) as raised:
        compile_condition(source, symbols_of(story))
    return raised.value


# --- every form, evaluated --------------------------------------------------------------

FORMS = [
    # (condition, moment, expected)
    ("has('first-aid-kit')", "start", False),
    ("has('first-aid-kit')", "office", True),
    ("has('arrows', 3)", "arrows", True),
    ("has('arrows', 4)", "arrows", False),
    ("has('arrows')", "office", False),
    ("count('arrows') >= 2", "arrows", True),
    ("count('arrows') == 0", "office", True),
    ("alive('i-sak')", "start", True),  # bitten is alive
    ("alive('i-sak')", "isak_turned", False),  # a zombie is not
    ("alive('i-sak')", "episode2", False),  # dead
    ("alive('nam-ra')", "roof_down", True),  # bitten, with a clock running
    ("status('gyeong-su') == 'bitten'", "scratched", True),
    ("status('gyeong-su') != 'bitten'", "start", True),
    ("status('i-sak') == 'zombie'", "isak_turned", True),
    ("status('i-sak') == 'dead'", "episode2", True),
    ("place('ms-park') == 'elsewhere'", "start", True),
    ("place('ms-park') == 'group'", "roof_up", True),
    ("place('nam-ra') == 'separated'", "roof_down", True),
    ("'group' == place('on-jo')", "start", True),
    ("with_group('ms-park')", "start", False),
    ("with_group('ms-park')", "roof_up", True),
    ("with_group('i-sak')", "episode2", False),  # still in place, but dead
    ("bitten('gyeong-su')", "scratched", True),
    ("bitten('gyeong-su')", "office", False),
    ("just_turned('i-sak')", "isak_turned", True),
    ("just_turned('i-sak')", "episode2", False),
    ("just_turned('gyeong-su')", "isak_turned", False),
    ("visited('one.isak_turns')", "start", False),
    ("visited('one.isak_turns')", "episode2", True),
    ("survivors() == 4", "start", True),  # ms-park is elsewhere
    ("survivors() == 3", "isak_turned", True),
    ("survivors() >= 4", "roof_up", True),
    ("kit_found", "start", False),
    ("kit_found", "office", True),
    ("door_barred", "roof_up", True),
    ("trust >= 2", "office", True),
    ("trust == 1", "start", True),
    ("noise == 1", "office", True),
    ("episode == 1", "isak_turned", True),
    ("episode >= 2", "episode2", True),
    ("turn > 3", "episode2", True),
    ("turn == 0", "start", True),
    ("true", "start", True),
    ("false", "start", False),
    ("not kit_found", "start", True),
    ("not (kit_found or door_barred) and trust == 1", "start", True),
    ("not (kit_found or door_barred) and trust == 1", "office", False),
    ("kit_found and trust > 2 and noise < 2", "office", True),
    ("kit_found or door_barred and false", "office", True),  # and binds tighter than or
    ("(kit_found or door_barred) and false", "office", False),
    ("not not kit_found", "office", True),
    ("not trust > 2", "office", False),  # not applies to the whole comparison
    ("((trust == 3))", "office", True),
    ("trust < 3", "office", False),
    ("trust <= 3", "office", True),
    ("trust > 2", "office", True),
    ("trust >= 4", "office", False),
    ("trust != 3", "office", False),
    ("true == true", "start", True),
    ("has('phone')==false", "start", False),  # spaces are optional; the start gives it
]


@pytest.mark.parametrize(("source", "moment", "expected"), FORMS)
def test_condition_form_holds_as_documented(
    holds: Callable[[str, str], bool], source: str, moment: str, expected: bool
) -> None:
    assert holds(source, moment) is expected


def test_visited_conditions_report_the_nodes_the_state_must_track(example_story: Story) -> None:
    compiled = compile_condition(
        "visited('one.lab') or visited('two.roof')", symbols_of(example_story)
    )
    assert compiled.visits == {"one.lab", "two.roof"}


def test_a_compiled_condition_names_every_variable_it_reads(example_story: Story) -> None:
    compiled = compile_condition(
        "has('first-aid-kit', 2) and kit_found and turn > 3 and visited('one.lab')"
        " and alive('i-sak')",
        symbols_of(example_story),
    )
    assert compiled.reads == {
        ("item", "first-aid-kit"),
        ("flag", "kit_found"),
        ("builtin", "turn"),
        ("visited", "one.lab"),
        ("character", "i-sak"),
    }


def test_every_condition_example_in_the_format_doc_compiles() -> None:
    """docs/format.md's example conditions, against the ids they name."""
    text = FORMAT_DOC.read_text(encoding="utf-8")
    block = text.split("## Conditions", 1)[1].split("```", 2)[1]
    examples = [e for line in block.splitlines() for e in re.split(r"\s{2,}", line.strip()) if e]
    assert len(examples) >= 15
    cast = ["nam-ra", "gyeong-su", "so-ju", "ha-ri", "i-sak"]
    symbols = Symbols(
        cast_index={c: i for i, c in enumerate(cast)},
        item_index={"phone": 0, "arrows": 1},
        flags={"video_deleted", "a", "b", "c"},
        counter_index={"trust": 0},
        nodes={"ep03.booth"},
    )
    for example in examples:
        compile_condition(example, symbols)


# --- errors ------------------------------------------------------------------------------

ERRORS = [
    # (condition, code, offset of the offending character, message fragment, suggestion)
    ("has('phone) and true", "E040", 4, "this string is never closed", None),
    ('alive("on-jo)', "E040", 6, "this string is never closed", None),
    ("trust = 2", "E040", 6, "unexpected character '=' (use == to compare)", None),
    ("kit_found && door_barred", "E040", 10, "(use and, or, not)", None),
    ("kit_found || door_barred", "E040", 10, "(use and, or, not)", None),
    ("!kit_found", "E040", 0, "(use and, or, not)", None),
    ("has('phone') and and", "E040", 17, "'and' needs something before it", None),
    ("has('phone') has('arrows')", "E040", 13, "unexpected 'has' (missing and/or?)", None),
    ("(kit_found", "E040", 10, "expected ')'", None),
    ("alive('on-jo'", "E040", 13, "expected ')' to close the call", None),
    ("trust >", "E040", 7, "expected a value, found the end", None),
    ("", "E040", 0, "the condition is empty", None),
    ("   ", "E040", 0, "the condition is empty", None),
    ("alvie('on-jo')", "E040", 0, 'unknown function "alvie"', "alive"),
    ("trust > 1 and survivor() > 2", "E040", 14, 'unknown function "survivor"', "survivors"),
    ("survivors > 2", "E040", 0, "survivors is a function: write survivors(...)", None),
    ("alive()", "E041", 0, "alive() takes 1 argument(s), not 0", None),
    ("alive('on-jo', 'i-sak')", "E041", 0, "alive() takes 1 argument(s), not 2", None),
    ("has('phone', 1, 2)", "E041", 0, "has() takes 1 or 2 argument(s), not 3", None),
    ("survivors(1) > 0", "E041", 0, "survivors() takes 0 argument(s), not 1", None),
    ("has('phone', 'two')", "E041", 13, "expected a whole number here", None),
    ("alive(3)", "E041", 6, "expected a quoted character id", None),
    ("trust == status('on-jo')", "E041", 6, "cannot compare a number with a status", None),
    ("status('on-jo') == 3", "E041", 16, "cannot compare a status with a number", None),
    ("kit_found == 1", "E041", 10, "cannot compare a true/false value with a number", None),
    ("status('on-jo') == 'biten'", "E041", 19, "'biten' is not a status", "bitten"),
    ("'zombi' != status('on-jo')", "E041", 0, "'zombi' is not a status", "zombie"),
    ("place('on-jo') == 'grup'", "E041", 18, "'grup' is not a place", "group"),
    ("status('on-jo') > 'bitten'", "E041", 16, "> needs numbers on both sides", None),
    ("trust", "E041", 0, "this is a number, not true/false", None),
    ("count('arrows')", "E041", 0, "this is a number, not true/false", None),
    ("kit_found and trust", "E041", 14, "this is a number, not true/false", None),
    ("alive('on-joo')", "E031", 7, 'unknown character "on-joo"', "on-jo"),
    ("has('arows')", "E032", 5, 'unknown item "arows"', "arrows"),
    ("visited('one.lba')", "E030", 9, 'unknown node "one.lba"', "one.lab"),
    ("kit_fond", "E033", 0, 'unknown flag or counter "kit_fond"', "kit_found"),
    ("trust > 1 and nosie < 2", "E033", 14, 'unknown flag or counter "nosie"', "noise"),
]


@pytest.mark.parametrize(("source", "code", "offset", "message", "suggestion"), ERRORS)
def test_condition_mistake_is_reported_at_its_character(
    example_story: Story,
    source: str,
    code: str,
    offset: int,
    message: str,
    suggestion: str | None,
) -> None:
    error = compile_error(example_story, source)
    assert (error.code, error.offset) == (code, offset)
    assert message in error.message
    assert error.suggestion == (f'"{suggestion}"' if suggestion else None)


def test_comparing_a_status_with_a_place_is_a_type_error(example_story: Story) -> None:
    error = compile_error(example_story, "status('on-jo') == place('on-jo')")
    assert error.code == "E041"
    assert "status" in error.message and "place" in error.message


def test_syntax_errors_are_found_before_ids_are_looked_up() -> None:
    with pytest.raises(LanguageError) as raised:
        parse_condition("alive('nobody') and and")
    assert (raised.value.code, raised.value.offset) == ("E040", 20)


# --- nothing reaches eval ----------------------------------------------------------------

HOSTILE = [
    "__import__('os')",
    "__import__('os').system('echo pwned')",
    "exec('import os')",
    "eval('1')",
    "open('/etc/passwd')",
    "().__class__",
    "has('phone').__class__",
    "lambda: true",
    "[c for c in ()]",
    "true if true else false",
    "kit_found; import os",
    "getattr(kit_found, 'x')",
    "{'a': 1}",
    "trust ** 99",
    "trust / 2 > 1",
    "'a' in 'abc'",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_python_is_not_a_condition(example_story: Story, source: str) -> None:
    error = compile_error(example_story, source)
    assert error.code in ("E040", "E041")


def test_conditions_compile_and_run_without_eval_or_exec(
    example_story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("eval, exec and compile must never be used")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    symbols = symbols_of(example_story)
    state = initial_state(example_story, 0)
    for source, _moment, _expected in FORMS:
        test = compile_condition(source, symbols).test
        test(state)
