"""The richer story language, played: text with values in it, arithmetic, visit counts,
seeded rolls, once-only and greyed-out choices, cure, set_counter and story places.

The happy paths play tests/fixtures/lang_lab (every form in one small story); each
mistake is a tiny story written to a temporary folder and checked like `hyosan check`.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers import play

from engine.compiler.language import Symbols, compile_condition
from engine.compiler.loader import check_story, load_story
from engine.diagnostics import Diagnostic
from engine.runtime.model import Story
from engine.runtime.rules import (
    ChoiceError,
    available_choices,
    initial_state,
    render_text,
    shown_choices,
    step,
)
from engine.runtime.state import GameState, state_digest
from engine.runtime.world import Status
from engine.session import Session
from engine.tools.lint import weak_spot_warnings
from engine.ui.commands import Game
from engine.ui.plain import PlainUI

LAB = Path(__file__).resolve().parent / "fixtures" / "lang_lab"


@pytest.fixture(scope="module")
def lab() -> Story:
    return load_story(LAB)


def text(story: Story, state: GameState) -> str:
    return render_text(story.nodes[state.node], state)


def offered(story: Story, state: GameState) -> list[str]:
    return [c.id for c in available_choices(story, state)]


def char(story: Story, state: GameState, who: str) -> Any:
    return state.roster[story.cast_index[who]]


# --- tiny stories for the mistakes ------------------------------------------------------

MANIFEST = """\
id: tiny
start: a
places: [rooftop]
cast:
  on-jo: {name: Nam On-jo}
  nam-ra: {name: Choi Nam-ra}
items:
  arrows: {name: Arrows}
flags:
  door_open: The door is open
counters:
  trust: {start: 0, min: 0, max: 5}
episodes: [one.yaml]
"""


def check_nodes(tmp_path: Path, nodes: str) -> tuple[Story | None, list[Diagnostic]]:
    """Check a one-file story whose `nodes:` are `nodes` (and an ending node `end`)."""
    (tmp_path / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    body = textwrap.indent(textwrap.dedent(nodes), "  ")
    ending = "  end:\n    text: The end.\n    ending: {id: end, title: End}\n"
    (tmp_path / "one.yaml").write_text(f"episode: 1\nnodes:\n{body}{ending}", encoding="utf-8")
    return check_story(tmp_path)


def errors(tmp_path: Path, nodes: str) -> list[tuple[str, int, int, str, str | None]]:
    _story, diagnostics = check_nodes(tmp_path, nodes)
    return [
        (d.code, d.pos.line, d.pos.col, d.message, d.suggestion) for d in diagnostics if d.is_error
    ]


def one_choice_node(do: str = "[]", text: str = "Start.", extra: str = "") -> str:
    """Node `a` with one choice `go` (lines 6-9, `do:` on line 8); `extra` is one more
    key of the choice, on line 10."""
    more = f"\n          {extra}" if extra else ""
    return f"""\
    a:
      text: "{text}"
      choices:
        - id: go
          text: Go.
          do: {do}
          goto: end{more}
    """


# --- cure and set_counter ---------------------------------------------------------------


def test_cure_makes_a_bitten_character_healthy_and_stops_the_clock(lab: Story) -> None:
    before = play(lab)
    assert char(lab, before, "gyeong-su").status == Status.BITTEN
    after = play(lab, "cure")
    gyeong_su = char(lab, after, "gyeong-su")
    assert (gyeong_su.status, gyeong_su.turns_left) == (Status.HEALTHY, 0)
    later = play(lab, "cure", "trust_me", "trust_me", "trust_me", "trust_me", "trust_me")
    assert char(lab, later, "gyeong-su").status == Status.HEALTHY  # never turns now


def test_cure_on_a_zombie_is_ignored_and_logged(lab: Story) -> None:
    state = play(lab, "cure")
    assert char(lab, state, "i-sak").status == Status.ZOMBIE
    ignored = [e.detail for e in state.log_entries() if e.kind == "ignored"]
    assert ignored == ["cure ignored: i-sak is zombie, not bitten"]


def test_cure_clears_a_hidden_bite(tmp_path: Path) -> None:
    story, diagnostics = check_nodes(
        tmp_path, one_choice_node("[{bite: {who: nam-ra, hidden: true}}, {cure: nam-ra}]")
    )
    assert story is not None, diagnostics
    state = play(story, "go")
    nam_ra = char(story, state, "nam-ra")
    assert (nam_ra.status, nam_ra.hidden, nam_ra.turns_left) == (Status.HEALTHY, False, 0)
    assert [e.kind for e in state.log_entries()] == ["bitten", "cured"]


def test_set_counter_gives_a_counter_its_value(lab: Story) -> None:
    assert play(lab).counters[lab.counter_index["trust"]] == 1
    state = play(lab, "trust_me")
    assert state.counters[lab.counter_index["trust"]] == 5
    assert text(lab, state).startswith("Trust 5, courage 2, both 7.")


def test_set_on_a_counter_says_how_to_set_a_counter(tmp_path: Path) -> None:
    found = errors(tmp_path, one_choice_node("[{set: trust}]"))
    assert found == [
        ("E035", 8, 20, '"trust" is a counter, not a flag: set: works on flags only', None)
    ]
    _story, diagnostics = check_nodes(tmp_path, one_choice_node("[{clear: trust}]"))
    assert (
        diagnostics[0].fix == "write set_counter: {trust: 3} to give it a value, or add: {trust: 1}"
    )


def test_set_counter_outside_min_max_is_refused(tmp_path: Path) -> None:
    found = errors(tmp_path, one_choice_node("[{set_counter: {trust: 9}}]"))
    assert found == [("E013", 8, 36, "trust: 9 is outside its min/max (0..5)", None)]


def test_heal_is_refused_with_a_pointer_to_cure(tmp_path: Path) -> None:
    [(code, _line, _col, message, _s)] = errors(tmp_path, one_choice_node("[{heal: nam-ra}]"))
    assert code == "E010"
    assert "write cure: WHO" in message


# --- arithmetic, visits, seeded rolls ---------------------------------------------------


def test_arithmetic_decides_whether_a_choice_can_be_taken(lab: Story) -> None:
    # unless: trust + courage * 2 < 8 -- precedence makes it 1 + 4 = 5 at the start
    start = play(lab)
    assert "roof" not in offered(lab, start)
    assert "roof" in offered(lab, play(lab, "trust_me"))  # 5 + 4 = 9


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("trust + courage == 3", True),
        ("trust - courage == -1", True),
        ("trust - courage - 1 == -2", True),  # left to right
        ("trust + courage * 2 == 5", True),  # * binds tighter than +
        ("(trust + courage) * 2 == 6", True),
        ("-trust * -3 == 3", True),
        ("2 * 3 * 4 - 4 >= 20", True),
        ("trust * 100 > 100", False),
    ],
)
def test_arithmetic_follows_precedence_and_parentheses(
    lab: Story, source: str, expected: bool
) -> None:
    symbols = Symbols(lab.cast_index, lab.item_index, lab.flags, lab.counter_index, lab.nodes)
    assert compile_condition(source, symbols).test(play(lab)) is expected


def test_visits_count_every_entry_into_a_node(lab: Story) -> None:
    state = play(lab, "trust_me", "roof")
    assert text(lab, state) == "Nam On-jo is on the rooftop; visit 1."
    state = play(lab, "trust_me", "roof", "down", "roof")
    assert text(lab, state) == "Nam On-jo is on the rooftop; visit 2."
    assert "down" not in offered(lab, state)  # if: visits('roof.top') < 2
    assert dict(state.visits) == {"hall.start": 3, "roof.top": 2}


def test_an_unknown_node_in_visits_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    found = errors(tmp_path, one_choice_node(extra="if: visits('ned') > 0"))
    assert found == [("E030", 10, 21, 'unknown node "ned"', '"end"')]


def test_a_roll_is_the_same_however_often_a_state_is_asked(lab: Story) -> None:
    state = play(lab, seed=7)
    first = offered(lab, state)
    assert all(offered(lab, state) == first for _ in range(20))
    assert play(lab, seed=7).rng == initial_state(lab, 7).rng  # asking never draws


def test_rolls_depend_on_the_seed_and_the_turn(lab: Story) -> None:
    at_start = {"gamble" in offered(lab, play(lab, seed=seed)) for seed in range(40)}
    assert at_start == {True, False}  # chance(50) goes both ways over seeds
    later = {"gamble" in offered(lab, play(lab, *["trust_me"] * n, seed=3)) for n in range(40)}
    assert later == {True, False}  # and changes from turn to turn in one run


def test_a_run_with_rolls_replays_to_the_same_digests(lab: Story) -> None:
    def run(seed: int) -> list[str]:
        state, digests = initial_state(lab, seed), []
        for _ in range(12):
            choice = "gamble" if "gamble" in offered(lab, state) else "trust_me"
            state, _events = step(lab, state, choice)
            digests.append(state_digest(lab, state))
        return digests

    assert run(11) == run(11)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("random(0) < 1", "random(N) needs N of 1 or more"),
        ("chance(101)", "chance(P) takes a percentage, 0 to 100"),
        ("chance(trust)", "expected a whole number here"),
        ("trust + door_open > 1", "+ needs numbers, and this is a true/false value"),
    ],
)
def test_roll_and_arithmetic_mistakes_are_type_errors(
    tmp_path: Path, condition: str, message: str
) -> None:
    [(code, _line, _col, found, _s)] = errors(tmp_path, one_choice_node(extra=f'if: "{condition}"'))
    assert (code, found) == ("E041", message)


# --- once and unless --------------------------------------------------------------------


def test_a_once_choice_is_offered_until_taken(lab: Story) -> None:
    assert "search" in offered(lab, play(lab))
    after = play(lab, "search")
    assert "search" not in offered(lab, after)
    assert after.inventory[lab.item_index["arrows"]] == 2
    with pytest.raises(ChoiceError):
        step(lab, after, "search")


def test_a_greyed_out_choice_is_shown_with_its_reason_but_cannot_be_taken(lab: Story) -> None:
    state = play(lab)
    shown = {c.choice.id: c for c in shown_choices(lab, state)}
    assert (shown["roof"].enabled, shown["roof"].reason) == (False, "Nobody follows you yet.")
    assert shown["trust_me"].enabled and shown["trust_me"].reason == ""
    assert "roof" not in offered(lab, state)
    with pytest.raises(ChoiceError, match="Nobody follows you yet"):
        step(lab, state, "roof")
    opened = {c.choice.id: c for c in shown_choices(lab, play(lab, "trust_me"))}
    assert opened["roof"].enabled


def test_unless_without_a_reason_is_an_error(tmp_path: Path) -> None:
    found = errors(tmp_path, one_choice_node(extra="unless: trust > 1"))
    assert [(code, line) for code, line, *_ in found] == [("E011", 10)]
    assert "needs a disabled_text:" in found[0][3]


def test_a_node_of_only_once_choices_can_strand_the_player(tmp_path: Path) -> None:
    found = errors(tmp_path, one_choice_node(extra="once: true"))
    assert [code for code, *_ in found] == ["E053"]
    assert found[0][3] == (
        'every choice of node "a" has once: true, so the player is stuck when none can be taken'
    )


def test_the_stranding_error_names_what_each_choice_has(tmp_path: Path) -> None:
    nodes = """\
    a:
      text: Start.
      choices:
        - {id: go, text: Go., if: trust > 1, goto: end}
        - {id: run, text: Run., once: true, goto: end}
        - {id: hide, text: Hide., unless: trust > 2, disabled_text: Not yet., goto: end}
    """
    found = errors(tmp_path, nodes)
    assert [code for code, *_ in found] == ["E053"]
    assert 'node "a" has an if:, an unless: or once: true, so' in found[0][3]


# --- text with values in it -------------------------------------------------------------


def test_node_text_shows_counters_names_places_and_statuses(lab: Story) -> None:
    assert text(lab, play(lab)) == (
        "Trust 1, courage 2, both 3. Choi Nam-ra waits on the rooftop.\n\n"
        "Lee Gyeong-su is bitten. A sign reads {keep out}."
    )


def test_inline_if_else_picks_the_text_for_the_state(lab: Story) -> None:
    state = play(lab, *["trust_me"] * 6)  # the bite's six turns run out: a zombie
    assert "Gyeong-su is gone." in text(lab, state)
    assert "You have stood here 7 times." in text(lab, state)


def test_choice_text_shows_values_for_the_state(lab: Story) -> None:
    def search_text(state: GameState) -> str:
        return next(c.text for c in shown_choices(lab, state) if c.choice.id == "search")

    assert search_text(play(lab)) == "Search the lockers (0 arrows so far)"


@pytest.mark.parametrize(
    ("text", "col", "message", "suggestion"),
    [
        ("Trust {trsut}.", 19, 'unknown flag or counter "trsut"', '"trust"'),
        ("Hi {name('nam-rra')}.", 22, 'unknown character "nam-rra"', '"nam-ra"'),
        ("{count('arows')} left", 20, 'unknown item "arows"', '"arrows"'),
        ("Open {trust", 17, "this { is never closed (write {{ for a literal brace)", None),
        ("Close } here", 18, "a } with no { before it (write }} for a literal brace)", None),
        ("{if door_open}open", 12, "this {if} has no {end}", None),
        ("shut{end}", 16, "{end} with no {if} before it", None),
        ("{if trust}x{end}", 16, "{if ...} needs a true/false condition", None),
    ],
)
def test_a_mistake_in_text_is_reported_at_its_column(
    tmp_path: Path, text: str, col: int, message: str, suggestion: str | None
) -> None:
    [(_code, line, found_col, found, found_suggestion)] = errors(
        tmp_path, one_choice_node(text=text)
    )
    assert (line, found_col, found, found_suggestion) == (4, col, message, suggestion)


def test_text_without_braces_is_kept_as_written(lab: Story) -> None:
    node = lab.nodes["end.roof"]
    assert node.template is None
    assert render_text(node, play(lab)) == "The sun comes up over the school."


# --- places -----------------------------------------------------------------------------


def test_a_character_starts_in_and_moves_to_story_places(lab: Story) -> None:
    assert char(lab, play(lab), "nam-ra").place == "rooftop"
    state = play(lab, "trust_me", "roof")
    assert char(lab, state, "on-jo").place == "rooftop"
    assert "wait" in offered(lab, state)
    end = play(lab, "trust_me", "roof", "jump")
    assert char(lab, end, "on-jo").place == "music_room"


def test_an_undeclared_place_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    found = errors(tmp_path, one_choice_node("[{move: {who: on-jo, to: roftop}}]"))
    assert [(c, s) for c, _l, _col, _m, s in found] == [("E013", '"rooftop"')]
    found = errors(tmp_path, one_choice_node(extra="if: place('on-jo') == 'roof'"))
    assert [(c, m[:30]) for c, _l, _col, m, _s in found] == [
        ("E041", "'roof' is not a place (one of:")
    ]


def test_a_place_declared_twice_or_built_in_is_refused(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text(
        MANIFEST.replace("places: [rooftop]", "places: [rooftop, group, rooftop]"),
        encoding="utf-8",
    )
    (tmp_path / "one.yaml").write_text(
        "episode: 1\nnodes:\n  a:\n    text: A.\n    ending: {id: e, title: E}\n",
        encoding="utf-8",
    )
    _story, diagnostics = check_story(tmp_path)
    assert [(d.code, d.message) for d in diagnostics if d.is_error] == [
        ("E020", 'place "group" is built in'),
        ("E020", f'place "rooftop" is already declared at {tmp_path}/story.yaml:3:10'),
    ]


# --- saves stay exact -------------------------------------------------------------------


def test_visit_counts_and_used_choices_are_part_of_a_digest(lab: Story) -> None:
    state = play(lab, "search")
    assert state_digest(lab, state) != state_digest(lab, state._replace(taken=frozenset()))
    assert state_digest(lab, state) != state_digest(lab, state._replace(visits=()))


def test_a_story_without_the_new_forms_records_nothing_new(example_story: Story) -> None:
    """So its states, and the digests old saves hold (tests/test_saves*.py), are as before."""
    state = play(example_story, "office", "wait", "tend", seed=1)
    assert (state.visits, state.taken) == ((), frozenset())


# --- the docs show what the tests play --------------------------------------------------

FORMAT_DOC = Path(__file__).resolve().parent.parent / "docs" / "format.md"


@pytest.mark.parametrize(
    "section", ["## Text with values in it", "## Once-only and greyed-out choices"]
)
def test_the_format_docs_examples_are_the_lab_story_played_here(section: str) -> None:
    doc = FORMAT_DOC.read_text(encoding="utf-8").split(section, 1)[1]
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example in (LAB / "episodes" / "one.yaml").read_text(encoding="utf-8")


def test_the_format_docs_text_example_shows_what_is_rendered(lab: Story) -> None:
    doc = FORMAT_DOC.read_text(encoding="utf-8").split("## Text with values in it", 1)[1]
    first, second = text(lab, play(lab)).split("\n\n")
    assert f"shows, at the start, `{first}` and\n`{second}`" in doc


@pytest.mark.parametrize(("text", "warnings"), [("Trust is {trust}.", []), ("Start.", ["W104"])])
def test_a_counter_shown_only_in_text_is_not_write_only(
    tmp_path: Path, text: str, warnings: list[str]
) -> None:
    story, diagnostics = check_nodes(tmp_path, one_choice_node("[{add: {trust: 1}}]", text=text))
    assert story is not None, diagnostics
    assert [w.code for w in weak_spot_warnings(story)] == warnings


# --- played in line mode ----------------------------------------------------------------


def test_line_mode_shows_filled_in_text_cures_and_story_places(lab: Story, tmp_path: Path) -> None:
    session = Session(lab, 0, tmp_path)
    out = io.StringIO()
    assert PlainUI(Game(session), io.StringIO("3\nroster\n"), out).run() == 0  # type: ignore[arg-type]
    shown = out.getvalue()
    assert (
        "  1. Search the lockers (0 arrows so far)\n"
        "  2. Climb to the roof. (locked: Nobody follows you yet.)\n"
        "  3. Give Gyeong-su the serum.\n"
    ) in shown
    assert "{count(" not in shown
    assert "Lee Gyeong-su is well again." in shown
    assert re.search(r"Choi Nam-ra +healthy +rooftop", shown)
    assert "↳ cured of the bite" in shown


def test_a_session_lists_greyed_out_choices_with_their_reason(lab: Story, tmp_path: Path) -> None:
    session = Session(lab, 0, tmp_path)
    shown = [(c.choice.id, c.enabled, c.reason) for c in session.shown_choices()]
    assert ("roof", False, "Nobody follows you yet.") in shown
    assert [c.id for c in session.choices()] == [i for i, ok, _r in shown if ok]


def test_reach_finds_a_run_by_visit_count(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "witness.yaml"
    result = run_cli("reach", "visits('roof.top') == 2", str(LAB), "--out", str(out))
    assert result.code == 0, result.err
    assert "Reached in 4 steps" in result.out
    assert "trust_me > hall.start:roof > roof.top:down > hall.start:roof" in result.out
