"""The choice ledger: what simulated players chose and whom they saved, reproducible from
a seed, cached per story digest, shown by `hyosan ledger`, computed by `hyosan check`,
and told to the player at the end of an episode and on the ending screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import engine.tools.ledger as ledger_module
from engine.compiler.loader import load_story
from engine.export.graph import percent
from engine.report.ledger import ending_lines, episode_lines
from engine.runtime.model import Story
from engine.tools.ledger import MODEL, Ledger, cache_path, compute_ledger, ledger_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "ledger_small"  # two turning points, one choice loses a companion
PLAIN = FIXTURES / "ledger_plain"  # no canon, no turning point
HYOSAN = Path(sys.executable).with_name("hyosan")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of this test's own, and no ledger remembered from another test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("HYOSAN_CACHE", str(folder))
    ledger_module._memory.clear()
    yield folder / "ledger"
    ledger_module._memory.clear()


@pytest.fixture(scope="module")
def small() -> Story:
    return load_story(SMALL)


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


# --- the numbers ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(small: Story) -> None:
    first = compute_ledger(small, 400, seed=11)
    assert compute_ledger(small, 400, seed=11).to_json() == first.to_json()
    assert compute_ledger(small, 400, seed=12).decisions != first.decisions


def test_the_numbers_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "HYOSAN_CACHE": "off"}
        done = subprocess.run(
            [str(HYOSAN), "ledger", str(SMALL), "--runs", "300", "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_shares_sum_to_one_at_every_node() -> None:
    for folder in (SMALL, FIXTURES / "example", FIXTURES / "tools_map"):
        story, runs = load_story(folder), 300
        ledger = compute_ledger(story, runs)
        assert ledger.decisions
        for node, counts in ledger.decisions.items():
            shares = [ledger.share(node, choice) for choice in counts]
            assert sum(s for s in shares if s is not None) == pytest.approx(1.0)
            assert set(counts) == {c.id for c in story.nodes[node].choices}
        assert ledger.finished == sum(ledger.endings.values()) == runs


def test_the_documented_player_model_is_what_the_simulation_plays(small: Story) -> None:
    """docs/ledger.md: the canon's choice at a turning point with p = canon_follow, else
    weights care**k for k more (or fewer) characters alive and with the group."""
    ledger = compute_ledger(small, 6000)
    follow, care = MODEL.canon_follow, MODEL.care
    keeps_everyone = 1 / (1 + 1 / care)  # waiting keeps Gyeong-su; leaving separates him
    expected = {
        ("one.gate", "wait"): follow + (1 - follow) * keeps_everyone,
        ("one.hall", "left"): 0.5,  # nobody's fate changes: uniform
        ("two.stairs", "climb"): follow + (1 - follow) * (1 - keeps_everyone),  # Ji-min dies
    }
    for (node, choice), share in expected.items():
        assert ledger.share(node, choice) == pytest.approx(share, abs=0.025), (node, choice)
    ji_min = ledger.alive_share("ji-min")
    assert ji_min == pytest.approx(1 - expected[("two.stairs", "climb")], abs=0.025)
    assert ledger.alive_share("gyeong-su") == 1.0  # separated is still alive


# --- the cache ----------------------------------------------------------------------------


def test_the_second_call_reads_the_cache(
    small: Story, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ledger_for(small, 200)
    path = cache_path(small, 0, 200)
    assert path is not None and path.is_file() and path.parent == cache
    assert path.name == f"{first.digest}-0-200.json"
    ledger_module._memory.clear()

    def refuse(*args: Any, **kwargs: Any) -> Ledger:
        raise AssertionError("computed again although it is cached")

    monkeypatch.setattr(ledger_module, "compute_ledger", refuse)
    assert ledger_for(small, 200).to_json() == first.to_json()
    assert ledger_for(small).runs == 200  # the game's call takes the cached one


def test_editing_the_story_makes_a_new_cache_entry(tmp_path: Path, cache: Path) -> None:
    story_dir = tmp_path / "story"
    shutil.copytree(SMALL, story_dir)
    before = ledger_for(load_story(story_dir), 150)
    assert before.alive["gyeong-su"] == before.finished  # leaving only separates him
    episode = story_dir / "episodes" / "one.yaml"
    episode.write_text(episode.read_text().replace("separate: gyeong-su", "kill: gyeong-su"))
    after = ledger_for(load_story(story_dir), 150)
    assert after.digest != before.digest
    assert len(_entries(cache)) == 2
    assert after.alive["gyeong-su"] < after.finished  # the new numbers, not the cached ones


def test_a_damaged_cache_entry_is_computed_again(small: Story, cache: Path) -> None:
    first = ledger_for(small, 120)
    path = cache_path(small, 0, 120)
    assert path is not None
    path.write_text('{"format": "hyosan-ledger-1", "decisions": 3')
    ledger_module._memory.clear()
    assert ledger_for(small, 120).to_json() == first.to_json()
    assert json.loads(path.read_text())["runs"] == 120  # and written back whole


def test_the_cache_can_be_turned_off(
    small: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYOSAN_CACHE", "off")
    ledger_module._memory.clear()
    assert cache_path(small, 0, 100) is None
    assert ledger_for(small, 100).runs == 100
    ledger_module._memory.clear()


# --- the command line ---------------------------------------------------------------------


def test_ledger_command_prints_every_decision_as_text(run_cli: Any, cache: Path) -> None:
    result = run_cli("ledger", str(SMALL), "--runs", "400")
    assert result.code == 0, result.err
    ledger = compute_ledger(load_story(SMALL), 400)
    out = result.out
    assert "400 simulated runs (seed 0)" in out
    assert "Turning points:" in out and "TP-1: The gate (one.gate, 400 runs)" in out
    wait = percent(ledger.share("one.gate", "wait") or 0)
    assert f"{wait:>5} " in out and "wait: Wait for Gyeong-su.  [the canon]" in out
    assert "Other decisions:" in out and "left: Go left." in out
    ji_min = percent(ledger.alive_share("ji-min") or 0)
    assert any(line.strip().startswith(ji_min) and "Ji-min" in line for line in out.splitlines())


def test_ledger_command_json_matches_the_computation(run_cli: Any, cache: Path) -> None:
    result = run_cli("ledger", str(SMALL), "--runs", "250", "--seed", "3", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    ledger = compute_ledger(load_story(SMALL), 250, seed=3)
    assert (data["runs"], data["seed"], data["finished"]) == (250, 3, ledger.finished)
    for decision in data["decisions"]:
        assert sum(c["share"] for c in decision["choices"]) == pytest.approx(1.0)
        for choice in decision["choices"]:
            counts = ledger.decisions[decision["node"]]
            assert choice["count"] == counts[choice["choice"]]
    gate = next(d for d in data["decisions"] if d["node"] == "one.gate")
    assert gate["turning_point"] == "TP-1"
    assert [c["canon"] for c in gate["choices"]] == [True, False]
    assert {c["character"]: c["alive"] for c in data["characters"]} == ledger.alive


def test_ledger_command_markdown_has_a_table_per_decision(run_cli: Any, cache: Path) -> None:
    out = run_cli("ledger", str(SMALL), "--runs", "100", "--format", "markdown").out
    assert out.startswith("# The choice ledger of The Stairwell\n")
    assert "### TP-2: The stairs" in out
    assert out.count("| share | choice | text |") == 3


def test_ledger_help_shows_examples(run_cli: Any) -> None:
    out = run_cli("ledger", "--help").out
    assert "examples:" in out and "hyosan ledger --format markdown > ledger.md" in out


def test_check_computes_and_caches_the_ledger(run_cli: Any, cache: Path) -> None:
    result = run_cli("check", str(SMALL), "--ledger-runs", "300")
    assert result.code == 0
    assert "choice ledger: 300 simulated runs (seed 0), 300 reached an ending" in result.out
    assert result.out.strip().endswith("0 errors, 0 warnings")
    assert len(_entries(cache)) == 1 and _entries(cache)[0].endswith("-0-300.json")
    shown = run_cli("ledger", str(SMALL))  # what `play` would read: the cached ledger
    assert "300 simulated runs" in shown.out


def test_check_skips_the_ledger_with_zero_runs(run_cli: Any, cache: Path) -> None:
    result = run_cli("check", str(SMALL), "--ledger-runs", "0")
    assert result.code == 0
    assert "choice ledger" not in result.out and _entries(cache) == []


# --- what the player sees -------------------------------------------------------------------


def test_episode_lines_compare_the_players_choice_and_the_canons(small: Story, cache: Path) -> None:
    ledger = ledger_for(small)
    steps = [("one.gate", "leave"), ("one.hall", "left"), ("two.stairs", "climb")]
    leave = percent(ledger.share("one.gate", "leave") or 0)
    wait = percent(ledger.share("one.gate", "wait") or 0)
    assert episode_lines(small, steps, 1) == [
        f"The gate: you chose “Leave him behind.” ({leave} of simulated players chose the same)",
        f"  The canon chose “Wait for Gyeong-su.” ({wait} of simulated players).",
    ]
    climb = percent(ledger.share("two.stairs", "climb") or 0)
    assert episode_lines(small, steps, 2) == [
        f"The stairs: you chose “Climb to the roof.” ({climb} of simulated players chose the same)",
        "  The canon chose the same.",
    ]
    assert episode_lines(small, steps[:1], 2) == []  # episode 2's turning point not passed


def test_ending_lines_give_the_share_of_runs_that_saved_each_character(
    small: Story, cache: Path
) -> None:
    ledger = ledger_for(small)
    steps = [("one.gate", "wait"), ("one.hall", "left"), ("two.stairs", "reach")]
    cellar = percent(ledger.ending_share("cellar") or 0)
    ji_min = percent(ledger.alive_share("ji-min") or 0)
    assert ending_lines(small, steps) == [
        f"{cellar} of runs reached your ending, “The Cellar”.",
        "100% of runs saved On-jo.",
        "100% of runs saved Gyeong-su.",
        f"{ji_min} of runs saved Ji-min.",
    ]


def test_a_story_without_canon_or_turning_points(cache: Path) -> None:
    plain = load_story(PLAIN)
    assert episode_lines(plain, [("hall", "run")], 1) == []
    lines = ending_lines(plain, [("hall", "run")])
    assert lines[0].endswith("of runs reached your ending, “Outside”.")
    assert lines[0].startswith("100%")
    assert lines[2].endswith("of runs saved Su-hyeok.") and not lines[2].startswith("100%")


def test_the_game_calls_are_fast_once_computed(
    small: Story, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger_for(small)
    ledger_module._memory.clear()  # as in a new game: only the cache file is left
    calls: list[int] = []
    original = ledger_module.compute_ledger

    def counting(*args: Any, **kwargs: Any) -> Ledger:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(ledger_module, "compute_ledger", counting)
    for episode in (1, 2):
        episode_lines(small, [("one.gate", "wait"), ("two.stairs", "climb")], episode)
    ending_lines(small, [("two.stairs", "climb")])
    assert calls == []


def test_check_bounds_the_ledger_and_says_how_to_get_it(
    run_cli: Any, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.cli.check as check_command

    monkeypatch.setattr(check_command, "_LEDGER_BUDGET", 50)  # 100 runs make 300 decisions
    result = run_cli("check", str(SMALL), "--ledger-runs", "100")
    assert result.code == 0
    assert (
        "choice ledger: not computed: the simulated runs took more than 50 decisions; "
        "`hyosan ledger` computes it without a bound" in result.out
    )
    assert _entries(cache) == []
    assert run_cli("ledger", str(SMALL), "--runs", "100").code == 0


def test_an_only_choice_is_left_out_of_the_text_but_kept_in_json(run_cli: Any, cache: Path) -> None:
    tools_map = str(FIXTURES / "tools_map")
    text = run_cli("ledger", tools_map, "--runs", "50").out
    assert "(a_b, " in text and "(a-b, " not in text  # a-b offers only "onward"
    data = json.loads(run_cli("ledger", tools_map, "--runs", "50", "--format", "json").out)
    only = next(d for d in data["decisions"] if d["node"] == "a-b")
    assert [c["share"] for c in only["choices"]] == [1.0]


def test_the_cache_keeps_only_the_latest_ledgers(
    small: Story, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "MAX_CACHED", 2)
    for runs in (10, 20, 30):
        ledger_for(small, runs)
        path = cache_path(small, 0, runs)
        assert path is not None
        os.utime(path, (runs, runs))  # written in this order, whatever the clock's grain
    assert [name.split("-")[-1] for name in _entries(cache)] == ["20.json", "30.json"]
