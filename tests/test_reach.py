"""`hyosan reach CONDITION`: shortest witnesses written as saves that replay exactly,
`--all-endings`, `--from SAVE`, proofs that no path exists, and conditions that do not
compile (the column and a caret)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.compiler.loader import load_story
from engine.compiler.query import QueryError, compile_query
from engine.runtime.canon import canon_path
from engine.runtime.rules import initial_state
from engine.saves.files import read_save
from engine.tools.explore import Explorer
from engine.tools.reach import reach

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LAB = FIXTURES / "consequences_lab"
EXAMPLE = FIXTURES / "example"


def steps_in(path: Path) -> list[str]:
    return [f"{s.node}:{s.choice}" for s in read_save(path).steps]


def replays_exactly(run_cli: Callable[..., Any], path: Path, story: Path) -> bool:
    result = run_cli("replay", str(path), "--story", str(story), "--check")
    return bool(result.code == 0)


def test_the_witness_is_a_save_that_replays_exactly(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "w.yaml"
    condition = "ending == 'run' and status('bo') == 'zombie'"
    result = run_cli("reach", condition, str(LAB), "--out", str(out))
    assert result.code == 0, result.err
    assert "Reached in 11 steps, at the ending run" in result.out
    assert f"replay {out} --story {LAB}" in result.out
    assert steps_in(out)[-3:] == ["lab.bite:mercy", "lab.scratch:tend", "lab.end:run"]
    assert read_save(out).ending == "run"
    assert replays_exactly(run_cli, out, LAB)


@pytest.mark.parametrize("ending", ["rescued", "lost", "stairs"])
def test_the_witness_is_a_shortest_path(ending: str) -> None:
    story = load_story(EXAMPLE)
    explorer = Explorer(story)
    explorer.run()
    [shortest] = [e.witness for e in explorer.result().endings if e.id == ending]
    assert shortest is not None
    found = reach(story, compile_query(story, f"ending == '{ending}'"))
    assert len(found.witnesses[0].steps) == len(shortest)


def test_the_default_witness_file_is_the_next_free_reach_n(
    run_cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert run_cli("reach", "ending == 'stay'", str(LAB)).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reach-1.yaml", "reach-2.yaml"]


def test_a_condition_on_the_start_state_needs_no_step(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "start.yaml"
    result = run_cli("reach", "not visited('lab.gate')", str(LAB), "--out", str(out))
    assert result.code == 0
    assert "Reached in 0 steps, at the node lab.start" in result.out
    assert steps_in(out) == []


def test_visited_works_for_nodes_the_story_never_asks_about(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "right.yaml"
    condition = "visited('lab.right') and ending == 'stay'"
    assert run_cli("reach", condition, str(LAB), "--out", str(out)).code == 0
    assert "lab.hall:right" in steps_in(out)
    assert replays_exactly(run_cli, out, LAB)


def test_all_endings_writes_one_witness_per_ending(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "endings"
    result = run_cli("reach", "alive('cy')", str(LAB), "--all-endings", "--out", str(folder))
    assert result.code == 0, result.err
    assert sorted(p.name for p in folder.iterdir()) == ["reach-run.yaml", "reach-stay.yaml"]
    for name in ("run", "stay"):
        path = folder / f"reach-{name}.yaml"
        assert read_save(path).ending == name
        assert "lab.bridge:jump" not in steps_in(path)  # Cy must stay human
        assert replays_exactly(run_cli, path, LAB)


def test_all_endings_proves_which_endings_the_condition_never_holds_at() -> None:
    story = load_story(LAB)
    found = reach(story, compile_query(story, "ending == 'run' or alive('ana')"), all_endings=True)
    assert found.complete
    assert [w.ending for w in found.witnesses] == ["run"]
    assert found.endings_left == ["stay"]


def test_from_a_save_the_search_starts_where_the_run_stopped(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    first, second = tmp_path / "bitten.yaml", tmp_path / "on.yaml"
    assert run_cli("reach", "bitten('ana')", str(LAB), "--out", str(first)).code == 0
    before = steps_in(first)
    # ties between equally short paths go to the option listed first (here `jump`)
    assert before[-1] == "lab.bridge:jump"
    result = run_cli(
        "reach", "ending == 'stay'", str(LAB), "--from", str(first), "--out", str(second)
    )
    assert result.code == 0, result.err
    assert "Reached in 3 steps after the 8 steps of the save" in result.out
    assert steps_in(second)[: len(before)] == before
    assert replays_exactly(run_cli, second, LAB)


def test_from_a_save_that_no_longer_replays_is_an_error(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    save = tmp_path / "bad.yaml"
    assert run_cli("reach", "ending == 'stay'", str(LAB), "--out", str(save)).code == 0
    save.write_text(save.read_text().replace("choice: mercy", "choice: flee"))
    result = run_cli("reach", "true", str(LAB), "--from", str(save))
    assert result.code == 1
    assert "the story no longer replays this save" in result.err
    assert "Traceback" not in result.err


def test_a_condition_that_never_holds_is_proved_unreachable(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    result = run_cli("reach", "ending == 'run' and alive('ana')", str(LAB))
    assert result.code == 1
    states = len(load_story(LAB).nodes)  # a lower bound, to keep the test about the words
    assert "no path: the condition never holds in any of " in result.out
    assert int(result.out.split("any of ")[1].split()[0]) > states


def test_a_bound_that_stops_the_search_leaves_the_answer_unknown(
    run_cli: Callable[..., Any],
) -> None:
    result = run_cli("reach", "ending == 'run'", str(LAB), "--max-states", "5")
    assert result.code == 1
    assert result.out.startswith("unknown: the condition holds in none of the 5 states")
    assert "--max-states 50" in result.out


def test_a_bad_condition_is_reported_at_its_column_with_a_caret(
    run_cli: Callable[..., Any],
) -> None:
    result = run_cli("reach", "alive('bo') and alive('dan')", str(LAB))
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0] == (
        'hyosan: error: the condition, column 24: unknown character "dan"; '
        'did you mean "ana"? [E031]'
    )
    assert lines[1:] == ["  alive('bo') and alive('dan')", "  " + " " * 23 + "^"]


@pytest.mark.parametrize(
    ("condition", "column", "words"),
    [
        ("ending > 'run'", 1, "can only be compared with == or !="),
        ("ending == 'rn'", 12, 'unknown ending "rn"'),
        ("not ending", 5, "can only be compared"),
        ("ending == ending", 1, "compare `ending` with a quoted ending id"),
        ("survivors() >", 14, "expected a value"),
    ],
)
def test_ending_is_only_compared_with_an_ending_id(condition: str, column: int, words: str) -> None:
    story = load_story(LAB)
    with pytest.raises(QueryError) as caught:
        compile_query(story, condition)
    assert caught.value.column == column
    assert words in caught.value.message


def test_ending_is_the_ending_id_or_empty_away_from_endings() -> None:
    story = load_story(LAB)
    start, final = initial_state(story), canon_path(story)[-1]
    assert compile_query(story, "ending == ''").test(start)
    assert not compile_query(story, "ending == ''").test(final)
    assert compile_query(story, "ending == 'stay' and not alive('ana')").test(final)
    assert compile_query(story, "'stay' == ending").test(final)
    assert compile_query(story, "ending != 'run'").reads == frozenset()
