"""Hostile conditions: long, deep, chained or numeric conditions are refused or compiled
in linear time, never a RecursionError or a ValueError (issue 13).

Each limit (docs/format.md#limits) is an E040 at the column where it is passed; chains
of `and`/`or` within the limits compile to one flat test, however long.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.compiler.language import Symbols, compile_condition
from engine.compiler.limits import MAX_CONDITION_DEPTH, MAX_CONDITION_LENGTH, MAX_NUMBER_DIGITS
from engine.compiler.loader import check_story
from engine.compiler.syntax import LanguageError, parse_condition
from engine.runtime.conditions import StateView

HYOSAN = Path(sys.executable).with_name("hyosan")
SYMBOLS = Symbols({"on-jo": 0}, {"phone": 0}, {"door", "alarm"}, {"trust": 0}, {"a", "end"})


def refused(source: str) -> LanguageError:
    with pytest.raises(LanguageError) as raised:
        compile_condition(source, SYMBOLS)
    return raised.value


def test_a_condition_longer_than_the_limit_is_refused_at_the_limit() -> None:
    error = refused("door and " * 300 + "door")
    assert (error.code, error.offset) == ("E040", MAX_CONDITION_LENGTH)
    assert f"at most {MAX_CONDITION_LENGTH:,}" in error.message


def test_a_3_mb_condition_is_refused_at_once() -> None:
    started = time.process_time()
    error = refused("door and " * 350_000 + "door")
    assert error.code == "E040"
    assert time.process_time() - started < 1


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("(" * 40 + "door" + ")" * 40, MAX_CONDITION_DEPTH),
        ("not " * 40 + "door", 4 * MAX_CONDITION_DEPTH),
        ("has(" * 40 + "'phone'" + ")" * 40, 4 * MAX_CONDITION_DEPTH + 3),
        ("not (" * 20 + "door" + ")" * 20, 5 * 16),
    ],
    ids=["parentheses", "nots", "calls", "mixed"],
)
def test_nesting_past_the_limit_is_refused_at_the_level_that_passes_it(
    source: str, offset: int
) -> None:
    error = refused(source)
    assert (error.code, error.offset) == ("E040", offset)
    assert f"nested more than {MAX_CONDITION_DEPTH} levels" in error.message


def test_nesting_up_to_the_limit_compiles() -> None:
    source = "(" * MAX_CONDITION_DEPTH + "door" + ")" * MAX_CONDITION_DEPTH
    assert compile_condition(source, SYMBOLS).reads == frozenset({("flag", "door")})
    assert compile_condition("not " * MAX_CONDITION_DEPTH + "door", SYMBOLS)


@pytest.mark.parametrize("digits", [MAX_NUMBER_DIGITS + 1, 1990])
def test_a_number_with_too_many_digits_is_refused_at_the_number(digits: int) -> None:
    error = refused("trust > " + "9" * digits)
    assert (error.code, error.offset) == ("E040", 8)
    assert f"this number has {digits:,} digits" in error.message


def test_a_number_of_the_most_digits_compiles() -> None:
    compiled = compile_condition("trust < " + "9" * MAX_NUMBER_DIGITS, SYMBOLS)
    assert compiled.test(_state(trust=5))


@pytest.mark.parametrize("digit", ["²", "①", "٣"])
def test_a_non_ascii_digit_is_not_a_number(digit: str) -> None:
    assert refused(f"trust > {digit}").code == "E040"


def test_a_long_chain_of_ands_is_one_flat_node() -> None:
    source = " and ".join(["door"] * 200)
    tree = parse_condition(source)
    assert tree.kind == "and" and len(tree.args) == 200


def test_a_long_chain_evaluates_like_its_short_form() -> None:
    ands = compile_condition(" and ".join(["door"] * 200), SYMBOLS).test
    ors = compile_condition(" or ".join(["door"] * 199 + ["alarm"]), SYMBOLS).test
    mixed = compile_condition("door and alarm or trust > 2 and not door", SYMBOLS).test
    for door in (False, True):
        for alarm in (False, True):
            for trust in (0, 3):
                state = _state(door=door, alarm=alarm, trust=trust)
                assert ands(state) is door
                assert ors(state) is (door or alarm)
                assert mixed(state) == ((door and alarm) or (trust > 2 and not door))


def test_a_type_error_in_a_long_chain_points_at_its_operand() -> None:
    error = refused(" and ".join(["door"] * 10 + ["trust"]))
    assert (error.code, error.offset) == ("E041", 90)


def _state(door: bool = False, alarm: bool = False, trust: int = 0) -> StateView:
    flags = frozenset(name for name, on in (("door", door), ("alarm", alarm)) if on)

    class State:
        pass

    state = State()
    state.flags = flags  # type: ignore[attr-defined]
    state.counters = (trust,)  # type: ignore[attr-defined]
    return state  # type: ignore[return-value]


# --- in a story, through the real command -------------------------------------------------

MANIFEST = "id: t\nstart: a\ncast: {}\nflags: {door: D}\nepisodes: [one.yaml]\n"


def story_with_condition(tmp_path: Path, condition: str) -> Path:
    (tmp_path / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "one.yaml").write_text(
        "episode: 1\nnodes:\n  a:\n    text: Start.\n    choices:\n"
        f"      - {{id: if, text: If., if: '{condition}', goto: end}}\n"
        "      - {id: go, text: Go., goto: end}\n"
        "  end: {text: End., ending: {id: end, title: End}}\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(
    "condition",
    [
        "door and " * 7000 + "door",
        "(" * 3000 + "door" + ")" * 3000,
        "not " * 20_000 + "door",
        "1" * 5000 + " > 2",
        "door and " * 350_000 + "door",
    ],
    ids=["7000-ands", "3000-parentheses", "20000-nots", "5000-digits", "3-mb"],
)
def test_hostile_conditions_are_one_clear_error_from_check(condition: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(HYOSAN), "check", str(story_with_condition(tmp_path, condition))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error " in line]
    assert len(errors) == 1 and "error E040:" in errors[0], done.stderr
    assert ":6:" in errors[0]  # the line of the condition


def test_a_condition_at_the_limits_compiles_in_a_story(tmp_path: Path) -> None:
    condition = " or ".join(["door"] * ((MAX_CONDITION_LENGTH - 4) // 8 + 1))
    assert len(condition) <= MAX_CONDITION_LENGTH
    loaded, diagnostics = check_story(story_with_condition(tmp_path, condition))
    assert diagnostics == [] and loaded is not None
