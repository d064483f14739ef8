"""The bundled Season 1 story: canon path, roster timeline, size, coverage, originality."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from engine import BUNDLED_STORY
from engine.compiler.loader import check_story
from engine.runtime.canon import canon_path
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step
from engine.runtime.state import GameState
from engine.tools.stats import story_stats

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SHOW_SURVIVORS = {"on-jo", "su-hyeok", "dae-su", "ha-ri", "mi-jin", "hyo-ryung"}


@pytest.fixture(scope="module")
def story() -> Story:
    loaded, diagnostics = check_story(BUNDLED_STORY)
    assert loaded is not None, "\n".join(d.render() for d in diagnostics)
    return loaded


def test_bundled_story_checks_clean_with_no_warnings() -> None:
    _, diagnostics = check_story(BUNDLED_STORY)
    assert [d.render() for d in diagnostics] == []


def _episode_ends(states: list[GameState]) -> list[GameState]:
    ends = [
        before for before, after in itertools.pairwise(states) if after.episode != before.episode
    ]
    return [*ends, states[-1]]


def test_show_path_matches_the_roster_timeline_at_every_episode_end(story: Story) -> None:
    ends = _episode_ends(canon_path(story))
    assert [s.episode for s in ends] == list(range(1, 13))
    for state in ends:
        differences = {
            cid: (char.status, story.canon_status(cid, state.episode))
            for cid, char in zip(story.cast_ids, state.roster, strict=True)
            if char.status != story.canon_status(cid, state.episode)
        }
        assert differences == {}, f"end of episode {state.episode}"


def test_show_path_ends_with_the_shows_ending_and_survivors(story: Story) -> None:
    final = canon_path(story)[-1]
    node = story.nodes[final.node]
    assert node.ending is not None and node.ending.id == story.canon_ending == "show"
    roster = dict(zip(story.cast_ids, final.roster, strict=True))
    with_group = {cid for cid, c in roster.items() if c.place == "group" and c.is_alive}
    assert with_group >= SHOW_SURVIVORS
    assert roster["nam-ra"].status == "hombie" and roster["nam-ra"].place != "group"
    for lost in ("cheong-san", "joon-yeong", "woo-jin", "so-ju", "i-sak", "gyeong-su"):
        assert not roster[lost].is_alive, lost


def test_story_is_big_enough(story: Story) -> None:
    stats = story_stats(story)
    assert stats.nodes >= 150
    assert stats.words >= 25_000
    assert stats.endings >= 12
    assert stats.turning_points == 33
    assert stats.episodes == 12


def test_every_turning_point_of_the_fact_sheet_is_in_the_story(story: Story) -> None:
    ids = {n.turning_point.id for n in story.turning_points() if n.turning_point}
    expected = {
        "TP-01-1",
        "TP-01-2",
        "TP-02-1",
        "TP-02-2",
        "TP-02-3",
        "TP-03-1",
        "TP-03-2",
        "TP-03-3",
        "TP-04-1",
        "TP-04-2",
        "TP-04-3",
        "TP-05-1",
        "TP-05-2",
        "TP-06-1",
        "TP-06-2",
        "TP-06-3",
        "TP-07-1",
        "TP-07-2",
        "TP-07-3",
        "TP-08-1",
        "TP-08-2",
        "TP-08-3",
        "TP-09-1",
        "TP-09-2",
        "TP-10-1",
        "TP-10-2",
        "TP-10-3",
        "TP-11-1",
        "TP-11-2",
        "TP-11-3",
        "TP-12-1",
        "TP-12-2",
        "TP-12-3",
    }
    assert ids == expected
    for node in story.turning_points():
        assert len(node.choices) >= 3, f"{node.id}: the show's choice and two alternatives"


def test_every_episode_opens_at_its_start_node_with_a_title(story: Story) -> None:
    for number in range(1, 13):
        assert f"ep{number:02d}.start" in story.nodes
        assert story.episodes[number].title.strip()


def test_two_thousand_random_walks_reach_every_ending_and_turning_point(story: Story) -> None:
    endings: Counter[str] = Counter()
    turning_points: set[str] = set()
    for seed in range(2000):
        rng = random.Random(seed)
        state = initial_state(story, seed)
        for _ in range(1000):
            if is_ending(story, state):
                break
            node = story.nodes[state.node]
            if node.turning_point:
                turning_points.add(node.turning_point.id)
            offered = available_choices(story, state)
            assert offered, f"seed {seed}: stuck at {state.node}"
            state, _ = step(story, state, rng.choice(offered).id)
        ending = story.nodes[state.node].ending
        assert ending is not None, f"seed {seed}: no ending after 1000 steps"
        endings[ending.id] += 1
    assert set(endings) == {n.ending.id for n in story.endings() if n.ending}
    assert turning_points == {n.turning_point.id for n in story.turning_points() if n.turning_point}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts (../shared/seeds) are not here")
def test_no_eight_word_run_of_the_seed_texts_appears_in_the_story() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "check_originality.py"),
            str(BUNDLED_STORY),
            str(SEEDS),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_story_doc_lists_the_current_turning_points_and_endings() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_story_doc.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
