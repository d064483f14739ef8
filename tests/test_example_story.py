"""The example story, played through `step` from the start to each of its three endings.

tests/fixtures/example uses every feature of the format; its third ending (the stairs)
comes from the branch file in its branches/ folder.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.runtime.events import Event
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, render_text, step
from engine.runtime.state import GameState

UNLUCKY = 1  # seed 1: the lab window's chance takes its `else` (noise +2)


def play(story: Story, seed: int, *choices: str) -> tuple[GameState, list[Event]]:
    state, events = initial_state(story, seed), list[Event]()
    for choice in choices:
        offered = [c.id for c in available_choices(story, state)]
        assert choice in offered, f"{choice} not offered at {state.node}: {offered}"
        state, events = step(story, state, choice)
    return state, events


def summary(story: Story, state: GameState) -> dict[str, Any]:
    """What a player would check at the end: who is where, what is carried, what is set."""
    return {
        "node": state.node,
        "episode": state.episode,
        "roster": {c: state.roster[i][:2] for c, i in story.cast_index.items()},
        "inventory": dict(zip(story.item_ids, state.inventory, strict=True)),
        "flags": set(state.flags),
        "counters": dict(zip(story.counter_ids, state.counters, strict=True)),
    }


def test_the_example_has_three_endings_and_the_show_took_rescued(example_story: Story) -> None:
    assert sorted(n.ending.id for n in example_story.endings() if n.ending) == [
        "lost",
        "rescued",
        "stairs",
    ]
    assert example_story.canon_ending == "rescued"


def test_rescued_ending(example_story: Story) -> None:
    story = example_story
    state, events = play(story, UNLUCKY, "office", "wait", "tend", "push", "up", "signal")
    assert is_ending(story, state)
    assert events[-1] == Event("ending", "rescued", "Rescued")
    assert summary(story, state) == {
        "node": "two.rescued",
        "episode": 2,
        "roster": {
            "on-jo": ("healthy", "group"),
            "gyeong-su": ("zombie", "group"),  # signalling turned him
            "nam-ra": ("healthy", "group"),
            "ms-park": ("healthy", "group"),  # came up to the roof
            "i-sak": ("dead", "group"),  # turned by her clock, pushed out
        },
        "inventory": {"phone": 1, "first-aid-kit": 0, "arrows": 0},
        "flags": {"kit_found", "door_barred"},
        "counters": {"trust": 3, "noise": 1},  # trust +5 was kept to its max 3
    }
    assert state.turn == 6


def test_lost_ending(example_story: Story) -> None:
    story = example_story
    state, events = play(story, UNLUCKY, "lab", "chance", "ignore", "push", "down", "wait")
    assert events[-1] == Event("ending", "lost", "Lost")
    assert summary(story, state) == {
        "node": "two.lost",
        "episode": 2,
        "roster": {
            "on-jo": ("healthy", "group"),
            "gyeong-su": ("dead", "group"),  # killed twice: the second is ignored
            "nam-ra": ("hombie", "separated"),  # a carrier, bitten away from the group
            "ms-park": ("healthy", "elsewhere"),
            "i-sak": ("dead", "group"),
        },
        "inventory": {"phone": 1, "first-aid-kit": 0, "arrows": 0},
        "flags": set(),
        "counters": {"trust": 1, "noise": 2},
    }
    ignored = [e.detail for e in state.log_entries() if e.kind == "ignored"]
    assert ignored == ["kill ignored: gyeong-su is already dead"]


def test_stairs_ending_from_the_branch_file(example_story: Story) -> None:
    story = example_story
    state, events = play(story, UNLUCKY, "office", "wait", "tend", "push", "stairs")
    assert events[-1] == Event("ending", "stairs", "The Stairs")
    gyeong_su = state.roster[story.cast_index["gyeong-su"]]
    assert (gyeong_su.status, gyeong_su.hidden, gyeong_su.turns_left) == ("bitten", False, 2)
    assert summary(story, state) == {
        "node": "two.stairs",
        "episode": 2,
        "roster": {
            "on-jo": ("healthy", "group"),
            "gyeong-su": ("bitten", "group"),  # tended: the bite was revealed (trust >= 2)
            "nam-ra": ("healthy", "group"),
            "ms-park": ("healthy", "elsewhere"),
            "i-sak": ("dead", "group"),
        },
        "inventory": {"phone": 1, "first-aid-kit": 0, "arrows": 0},
        "flags": {"kit_found"},
        "counters": {"trust": 3, "noise": 1},
    }


def test_i_sak_turning_interrupts_with_her_own_node(example_story: Story) -> None:
    state, events = play(example_story, UNLUCKY, "office", "wait", "tend")
    assert state.node == "one.isak_turns"
    assert state.resume == "two.start"
    assert Event("interrupt", "i-sak", "one.isak_turns") in events
    resumed, events = step(example_story, state, "push")
    assert resumed.node == "two.start"
    assert Event("episode", "2", "The Roof") in events


def test_lucky_window_gives_arrows(example_story: Story) -> None:
    state, _events = play(example_story, 0, "lab", "chance")
    assert state.inventory[example_story.item_index["arrows"]] == 3


def test_tending_needs_the_kit(example_story: Story) -> None:
    without, _events = play(example_story, UNLUCKY, "lab", "wait")
    assert [c.id for c in available_choices(example_story, without)] == ["ignore"]


def test_the_roof_remembers_i_sak(example_story: Story) -> None:
    state, _events = play(example_story, UNLUCKY, "office", "wait", "tend", "push", "up")
    assert render_text(example_story.nodes["two.roof"], state) == "The sky.\n\nYou think of I-sak."


def test_the_first_node_shows_the_phone(example_story: Story) -> None:
    start = initial_state(example_story, UNLUCKY)
    assert render_text(example_story.nodes["one.hall"], start) == (
        "The hall is quiet.\n\nYour phone buzzes."
    )


@pytest.mark.parametrize(
    ("character", "episode", "status"),
    [("gyeong-su", 1, "bitten"), ("gyeong-su", 2, "zombie"), ("i-sak", 1, "zombie"),
     ("i-sak", 2, "dead"), ("nam-ra", 2, "healthy"), ("on-jo", 2, "healthy"),
     ("ms-park", 2, "healthy")],
)  # fmt: skip
def test_canon_status_holds_until_the_next_entry(
    example_story: Story, character: str, episode: int, status: str
) -> None:
    assert example_story.canon_status(character, episode) == status
