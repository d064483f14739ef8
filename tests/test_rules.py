"""The state machine: every effect kind and the rules it obeys, driven through `step`.

Most tests play tests/fixtures/rules_lab, a hub whose choices each apply one effect and
come back, so any rule can be set up in a few steps. Its story incubation is 2 turns,
Gyeong-su's own is 4, Nam-ra is a carrier, I-sak has her own on_turn node, and the
trust counter is kept within 0..3.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from helpers import play

from engine.compiler.loader import load_story
from engine.runtime.events import Event, LogEntry
from engine.runtime.model import Story
from engine.runtime.rules import (
    ChoiceError,
    RunEndedError,
    available_choices,
    initial_state,
    is_ending,
    render_text,
    step,
    survivors,
)
from engine.runtime.state import CharState, GameState, state_digest

LAB = Path(__file__).resolve().parent / "fixtures" / "rules_lab"


@pytest.fixture(scope="module")
def lab() -> Story:
    return load_story(LAB)


def events_of(story: Story, *choices: str, seed: int = 0) -> list[Event]:
    """The events of the last choice."""
    state = play(story, *choices[:-1], seed=seed)
    return step(story, state, choices[-1])[1]


def who(story: Story, state: GameState, character: str) -> CharState:
    return state.roster[story.cast_index[character]]


def count(story: Story, state: GameState, item: str) -> int:
    return state.inventory[story.item_index[item]]


def counter(story: Story, state: GameState, name: str) -> int:
    return state.counters[story.counter_index[name]]


def kinds(state: GameState) -> list[tuple[str, str]]:
    return [(e.kind, e.subject) for e in state.log_entries()]


def last_entry(state: GameState) -> LogEntry:
    return state.log_entries()[-1]


# --- items ---------------------------------------------------------------------------------


def test_give_adds_the_count(lab: Story) -> None:
    assert count(lab, play(lab, "give-arrows"), "arrows") == 3
    assert count(lab, play(lab, "give-arrows", "give-arrows"), "arrows") == 6


def test_take_removes_the_count(lab: Story) -> None:
    assert count(lab, play(lab, "give-arrows", "take-arrows"), "arrows") == 1


def test_take_never_goes_below_zero(lab: Story) -> None:
    state = play(lab, "give-arrows", "take-arrows", "take-arrows", "take-phone")
    assert count(lab, state, "arrows") == 0
    assert count(lab, state, "phone") == 0
    assert state.log_entries()[-2].detail == "-1 (now 0)"


def test_choice_with_has_count_is_offered_only_with_enough(lab: Story) -> None:
    offered = [c.id for c in available_choices(lab, play(lab, "give-arrows", "take-arrows"))]
    assert "shoot" not in offered
    assert "shoot" in [c.id for c in available_choices(lab, play(lab, "give-arrows"))]


# --- bites and turning -------------------------------------------------------------------


def test_bite_starts_incubation_of_the_story_default(lab: Story) -> None:
    state = play(lab, "bite-su-hyeok")
    assert who(lab, state, "su-hyeok")[:2] == ("bitten", "group")
    assert who(lab, state, "su-hyeok").turns_left == 2
    assert who(lab, play(lab, "bite-su-hyeok", "rest"), "su-hyeok").status == "bitten"
    assert who(lab, play(lab, "bite-su-hyeok", "rest", "rest"), "su-hyeok").status == "zombie"


def test_character_incubation_overrides_the_story_default(lab: Story) -> None:
    three_later = play(lab, "bite-gyeong-su", "rest", "rest", "rest")
    assert who(lab, three_later, "gyeong-su").status == "bitten"
    four_later = step(lab, three_later, "rest")[0]
    assert who(lab, four_later, "gyeong-su").status == "zombie"


def test_bite_turns_override_every_default(lab: Story) -> None:
    state = play(lab, "bite-su-hyeok-fast")
    assert who(lab, state, "su-hyeok").turns_left == 1
    assert who(lab, play(lab, "bite-su-hyeok-fast", "rest"), "su-hyeok").status == "zombie"


def test_a_carrier_becomes_a_hombie_and_stays_alive(lab: Story) -> None:
    state = play(lab, "bite-nam-ra", "rest", "rest")
    assert who(lab, state, "nam-ra").status == "hombie"
    assert who(lab, state, "nam-ra").is_alive
    assert who(lab, play(lab, "turn-nam-ra"), "nam-ra").status == "hombie"


def test_turn_effect_turns_at_once(lab: Story) -> None:
    state = play(lab, "turn-gyeong-su")
    assert who(lab, state, "gyeong-su").status == "zombie"
    assert last_entry(state)[3:5] == ("turned", "gyeong-su")


def test_a_bite_only_takes_on_the_healthy(lab: Story) -> None:
    state = play(lab, "bite-su-hyeok", "bite-su-hyeok-fast")
    assert who(lab, state, "su-hyeok").turns_left == 1  # the clock ticked, not restarted
    assert last_entry(state)[3:5] == ("ignored", "su-hyeok")
    assert "bite ignored" in last_entry(state).detail


def test_zombies_stay_zombies(lab: Story) -> None:
    state = play(lab, "turn-gyeong-su", "bite-gyeong-su", "turn-gyeong-su", "rest")
    assert who(lab, state, "gyeong-su").status == "zombie"
    ignored = [e.detail for e in state.log_entries() if e.kind == "ignored"]
    assert ignored == ["bite ignored: gyeong-su is zombie", "turn ignored: gyeong-su is zombie"]


def test_a_zombie_can_be_killed(lab: Story) -> None:
    state = play(lab, "turn-gyeong-su", "kill-gyeong-su")
    assert who(lab, state, "gyeong-su").status == "dead"
    assert last_entry(state)[3:6] == ("died", "gyeong-su", "was zombie")


# --- the dead stay dead --------------------------------------------------------------------


def test_killing_twice_is_ignored_and_logged(lab: Story) -> None:
    state = play(lab, "kill-gyeong-su-twice")
    assert who(lab, state, "gyeong-su").status == "dead"
    assert kinds(state) == [("died", "gyeong-su"), ("ignored", "gyeong-su")]
    assert last_entry(state).detail == "kill ignored: gyeong-su is already dead"


@pytest.mark.parametrize(
    ("action", "ignored"),
    [
        ("bite-gyeong-su", "bite ignored: gyeong-su is dead"),
        ("turn-gyeong-su", "turn ignored: gyeong-su is dead"),
        ("kill-gyeong-su", "kill ignored: gyeong-su is already dead"),
    ],
)
def test_effects_on_the_dead_are_ignored_and_logged(lab: Story, action: str, ignored: str) -> None:
    state = play(lab, "kill-gyeong-su", action)
    assert who(lab, state, "gyeong-su").status == "dead"
    assert last_entry(state)[2:] == (action, "ignored", "gyeong-su", ignored)


def test_the_dead_cannot_be_moved(lab: Story) -> None:
    state = play(lab, "kill-su-hyeok", "separate-su-hyeok")
    assert who(lab, state, "su-hyeok")[:2] == ("dead", "group")
    assert last_entry(state)[3:] == ("ignored", "su-hyeok", "move ignored: su-hyeok is dead")


def test_a_bitten_character_who_is_killed_never_turns(lab: Story) -> None:
    state = play(lab, "bite-su-hyeok", "kill-su-hyeok", "rest", "rest", "rest")
    assert who(lab, state, "su-hyeok").status == "dead"
    assert state.node == "lab.hub"


# --- places --------------------------------------------------------------------------------


def test_separate_rejoin_and_leave_move_a_character(lab: Story) -> None:
    assert who(lab, play(lab, "separate-su-hyeok"), "su-hyeok").place == "separated"
    assert who(lab, play(lab, "separate-su-hyeok", "rejoin-su-hyeok"), "su-hyeok").place == "group"
    assert who(lab, play(lab, "leave-su-hyeok"), "su-hyeok").place == "elsewhere"
    assert who(lab, play(lab, "rejoin-ms-park"), "ms-park").place == "group"


def test_survivors_counts_the_living_with_the_group(lab: Story) -> None:
    assert survivors(play(lab)) == 5  # Ms. Park is elsewhere
    assert survivors(play(lab, "rejoin-ms-park")) == 6
    assert survivors(play(lab, "separate-su-hyeok")) == 4
    assert survivors(play(lab, "kill-gyeong-su")) == 4
    assert survivors(play(lab, "turn-nam-ra")) == 5  # a hombie is alive


def test_moving_to_the_same_place_logs_nothing(lab: Story) -> None:
    assert play(lab, "rejoin-su-hyeok").log_entries() == []


# --- flags and counters ------------------------------------------------------------------


def test_set_and_clear_flags(lab: Story) -> None:
    assert "alarm" in play(lab, "set-alarm").flags
    assert "alarm" not in play(lab, "set-alarm", "clear-alarm").flags
    assert "alarm" not in play(lab, "set-alarm", "unset-alarm").flags
    assert kinds(play(lab, "set-alarm", "clear-alarm")) == [("set", "alarm"), ("clear", "alarm")]


def test_add_is_kept_within_the_counter_max(lab: Story) -> None:
    assert counter(lab, play(lab, "trust-up"), "trust") == 3
    state = play(lab, "trust-up", "trust-up")
    assert counter(lab, state, "trust") == 3
    assert last_entry(state).detail == "+2 (now 3)"


def test_add_is_kept_within_the_counter_min(lab: Story) -> None:
    state = play(lab, "trust-down")
    assert counter(lab, state, "trust") == 0
    assert counter(lab, state, "noise") == -3  # noise has no minimum


# --- chance and when -----------------------------------------------------------------------


def test_chance_is_decided_by_the_seed(lab: Story) -> None:
    lucky, unlucky = play(lab, "gamble", seed=0), play(lab, "gamble", seed=1)
    assert (count(lab, lucky, "arrows"), counter(lab, lucky, "noise")) == (1, 0)
    assert (count(lab, unlucky, "arrows"), counter(lab, unlucky, "noise")) == (0, 1)


def test_the_same_seed_gives_the_same_run(lab: Story) -> None:
    choices = ["gamble"] * 12
    for seed in (0, 1, 99, 2**31 + 5):
        assert play(lab, *choices, seed=seed) == play(lab, *choices, seed=seed)


def test_different_seeds_can_differ(lab: Story) -> None:
    arrows = {count(lab, play(lab, *["gamble"] * 8, seed=seed), "arrows") for seed in range(8)}
    assert len(arrows) > 1


def test_only_chance_draws_from_the_generator(lab: Story) -> None:
    start = initial_state(lab, 5)
    assert step(lab, start, "rest")[0].rng == start.rng
    assert step(lab, start, "gamble")[0].rng != start.rng


def test_when_applies_then_or_else(lab: Story) -> None:
    quiet = play(lab, "check-alarm")
    assert (count(lab, quiet, "phone"), counter(lab, quiet, "noise")) == (0, 2)
    ringing = play(lab, "set-alarm", "check-alarm")
    assert (count(lab, ringing, "phone"), counter(lab, ringing, "noise")) == (1, 0)


# --- node entry, interrupts, $resume, $turned ------------------------------------------------


def test_node_do_effects_apply_on_entry(lab: Story) -> None:
    state = play(lab, "to-store")
    assert state.node == "lab.store"
    assert (count(lab, state, "phone"), counter(lab, state, "noise")) == (1, 1)
    assert [(e.node, e.choice, e.kind) for e in state.log_entries()] == [
        ("lab.store", None, "give"),
        ("lab.store", None, "add"),
    ]
    assert state.steps() == [("lab.hub", "to-store")]


def test_start_node_do_effects_apply_at_the_start(example_story: Story) -> None:
    """The example's first node gives the phone on entry: the run starts there."""
    state = initial_state(example_story, 0)
    assert state.inventory[example_story.item_index["phone"]] == 1


def test_a_companion_turning_diverts_to_on_turn_and_resumes(lab: Story) -> None:
    before = play(lab, "bite-su-hyeok", "rest")
    state, events = step(lab, before, "to-store")
    assert state.node == "lab.turned"
    assert state.resume == "lab.store"
    assert Event("interrupt", "su-hyeok", "lab.turned") in events
    assert Event("turned", "su-hyeok", "zombie (incubation ran out)") in events
    assert counter(lab, state, "noise") == 1  # lab.turned's own do: ran
    resumed, _events = step(lab, state, "drive-out")
    assert resumed.node == "lab.store"
    assert resumed.resume is None
    assert count(lab, resumed, "phone") == 1  # the resumed node's do: ran on arrival


def test_a_character_on_turn_beats_the_story_on_turn(lab: Story) -> None:
    state = play(lab, "bite-i-sak", "rest")
    assert state.node == "lab.isak"
    back = step(lab, state, "push")[0]
    assert back.node == "lab.hub"
    assert who(lab, back, "i-sak")[:2] == ("zombie", "elsewhere")


def test_turned_names_who_just_turned_in_the_interrupt_node(lab: Story) -> None:
    at_interrupt = play(lab, "bite-su-hyeok-fast", "rest")
    assert at_interrupt.node == "lab.turned"
    driven = step(lab, at_interrupt, "drive-out")[0]
    assert who(lab, driven, "su-hyeok")[:2] == ("zombie", "separated")
    put_down = step(lab, at_interrupt, "put-down")[0]
    assert who(lab, put_down, "su-hyeok").status == "dead"


def test_just_turned_holds_at_the_interrupt_node(lab: Story) -> None:
    at_interrupt = play(lab, "bite-su-hyeok-fast", "rest")
    assert at_interrupt.just_turned == (lab.cast_index["su-hyeok"],)
    assert step(lab, at_interrupt, "drive-out")[0].just_turned == ()


def test_no_interrupt_for_someone_away_from_the_group(lab: Story) -> None:
    state = play(lab, "separate-su-hyeok", "bite-su-hyeok-fast", "rest")
    assert who(lab, state, "su-hyeok")[:2] == ("zombie", "separated")
    assert state.node == "lab.hub"


def test_no_interrupt_for_a_scripted_turn(lab: Story) -> None:
    assert play(lab, "turn-gyeong-su").node == "lab.hub"


def test_no_interrupt_on_the_way_to_an_ending(lab: Story) -> None:
    state, events = step(lab, play(lab, "out", "scratch"), "escape")
    assert state.node == "yard.safe"
    assert who(lab, state, "su-hyeok").status == "zombie"
    assert "interrupt" not in [e.kind for e in events]
    assert is_ending(lab, state)


# --- hidden bites ----------------------------------------------------------------------------


def test_a_hidden_bite_stays_hidden_until_revealed(lab: Story) -> None:
    state = play(lab, "bite-on-jo-hidden")
    assert who(lab, state, "on-jo")[:2] == ("bitten", "group")
    assert who(lab, state, "on-jo").hidden
    assert last_entry(state).detail == "turns in 3 (hidden)"
    revealed = step(lab, state, "reveal-on-jo")[0]
    assert not who(lab, revealed, "on-jo").hidden
    assert who(lab, revealed, "on-jo").status == "bitten"
    assert last_entry(revealed)[3:] == ("reveal", "on-jo", "the bite is known")


def test_revealing_what_is_not_hidden_changes_nothing(lab: Story) -> None:
    state = play(lab, "reveal-on-jo")
    assert state.log_entries() == []
    assert who(lab, state, "on-jo") == who(lab, initial_state(lab, 0), "on-jo")


def test_turning_ends_the_secret(lab: Story) -> None:
    state = play(lab, "bite-on-jo-hidden", "rest", "rest", "rest")
    assert who(lab, state, "on-jo").status == "zombie"
    assert not who(lab, state, "on-jo").hidden


# --- the log ---------------------------------------------------------------------------------


def test_every_applied_effect_is_logged_with_its_cause(lab: Story) -> None:
    choices = ["give-arrows", "to-store", "back", "trust-up", "bite-su-hyeok-fast", "rest"]
    state = play(lab, *choices)
    steps = state.steps()
    assert [c for _node, c in steps] == choices
    entered = [node for node, _c in steps[1:]] + [state.node]
    for entry in state.log_entries():
        assert 1 <= entry.turn <= state.turn
        if entry.choice is not None:
            assert (entry.node, entry.choice) == steps[entry.turn - 1]
        else:
            assert entry.node == entered[entry.turn - 1]
    assert [(e.turn, e.kind, e.subject) for e in state.log_entries()] == [
        (1, "give", "arrows"),
        (2, "give", "phone"),
        (2, "add", "noise"),
        (4, "add", "trust"),
        (5, "bitten", "su-hyeok"),
        (6, "turned", "su-hyeok"),
        (6, "add", "noise"),
    ]


def test_events_report_what_happened(lab: Story) -> None:
    assert [e.kind for e in events_of(lab, "bite-su-hyeok")] == ["bitten"]
    assert [e.kind for e in events_of(lab, "kill-gyeong-su")] == ["died"]
    assert [e.kind for e in events_of(lab, "set-alarm")] == ["set"]
    assert events_of(lab, "out") == [Event("episode", "2", "The Yard")]
    assert events_of(lab, "out", "escape") == [Event("ending", "safe", "Safe")]
    assert events_of(lab, "rest") == []


def test_episode_follows_the_node_entered(lab: Story) -> None:
    assert play(lab).episode == 1
    assert play(lab, "out").episode == 2
    assert play(lab, "out", "back").episode == 1


def test_conditional_text_follows_the_state(lab: Story) -> None:
    hub = lab.nodes["lab.hub"]
    assert render_text(hub, play(lab)) == "The lab."
    assert render_text(hub, play(lab, "to-store", "back")) == "The lab.\n\nThe phone glows."


# --- wrong choices and the end of a run ----------------------------------------------------


def test_an_unknown_choice_names_the_node_and_the_choices(lab: Story) -> None:
    state = play(lab, "out")
    with pytest.raises(ChoiceError) as raised:
        step(lab, state, "fly")
    error = raised.value
    assert (error.node, error.choice, error.available) == (
        "yard.gate",
        "fly",
        ["escape", "back", "scratch"],
    )
    assert "yard.gate" in str(error) and "escape, back, scratch" in str(error)


def test_an_unavailable_choice_is_refused(lab: Story) -> None:
    state = play(lab)
    with pytest.raises(ChoiceError) as raised:
        step(lab, state, "shoot")
    assert raised.value.node == "lab.hub"
    assert "shoot" not in raised.value.available
    assert "rest" in raised.value.available
    assert "not available" in str(raised.value)


def test_stepping_at_an_ending_raises_run_ended(lab: Story) -> None:
    state = play(lab, "out", "escape")
    assert is_ending(lab, state)
    with pytest.raises(RunEndedError):
        step(lab, state, "back")


# --- purity ----------------------------------------------------------------------------------


def test_step_does_not_change_its_input(lab: Story) -> None:
    state = play(lab, "give-arrows", "bite-gyeong-su", "set-alarm", "gamble")
    snapshot = copy.deepcopy(state)
    digest = state_digest(lab, state)
    for choice in ("rest", "take-arrows", "kill-su-hyeok", "gamble", "to-store", "trust-up"):
        step(lab, state, choice)
    assert state == snapshot
    assert state_digest(lab, state) == digest


def test_step_gives_equal_results_for_equal_inputs(lab: Story) -> None:
    state = play(lab, "bite-su-hyeok", "rest", seed=3)
    first, second = step(lab, state, "gamble"), step(lab, state, "gamble")
    assert first == second
    assert state_digest(lab, first[0]) == state_digest(lab, second[0])
