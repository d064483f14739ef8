"""Comparing a run with the story's canon, and two runs with each other (hyosan compare)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.canon.compare import compare_run, compare_runs, episode_summary
from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.report.compare import comparison_markdown, comparison_text, episode_chart
from engine.runtime.canon import canon_path
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.runtime.state import GameState
from engine.saves.files import write_save
from engine.saves.format import make_save

FIXTURE = Path(__file__).parent / "fixtures" / "compare"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


def play(story: Story, choices: list[str]) -> list[GameState]:
    states = [initial_state(story, 0)]
    for choice in choices:
        states.append(step(story, states[-1], choice)[0])
    return states


SHOW = ["go", "isolate", "go", "go", "follow", "go"]


def test_the_shows_own_path_compares_at_full_fidelity(story: Story) -> None:
    cmp = compare_run(story, canon_path(story))
    assert cmp.fidelity == 1.0
    assert [r for r in cmp.roster if r.differs] == []
    assert all(tp.matches for tp in cmp.turning_points)
    assert cmp.ending == cmp.canon_ending == "show"
    assert cmp.others == ()


def test_one_different_turning_point_is_the_cause_of_exactly_its_differences(
    story: Story,
) -> None:
    cmp = compare_run(story, play(story, ["go", "tend", "go", "go", "follow", "go"]))
    assert [tp.id for tp in cmp.turning_points if not tp.matches] == ["TP-A"]
    differing = {r.character: r for r in cmp.roster if r.differs}
    assert set(differing) == {"gyeong-su"}
    row = differing["gyeong-su"]
    assert (row.yours, row.canon) == ("healthy", "zombie")
    assert [c.turning_point for c in row.causes] == ["TP-A"]
    assert "Tend the wound." in row.explain(cmp.label)


def test_two_different_turning_points_are_each_credited_with_their_own_difference(
    story: Story,
) -> None:
    cmp = compare_run(story, play(story, ["go", "ignore", "go", "hold", "go"]))
    assert {tp.id for tp in cmp.turning_points if not tp.matches} == {"TP-A", "TP-B"}
    causes = {r.character: [c.turning_point for c in r.causes] for r in cmp.roster if r.differs}
    assert causes == {"gyeong-su": ["TP-A"], "ms-park": ["TP-B"]}


def test_two_runs_that_part_at_step_two_report_step_two(story: Story) -> None:
    diff = compare_runs(
        story, play(story, SHOW), play(story, ["go", "tend", "go", "go", "hold", "go"])
    )
    assert diff.first_difference == 2
    assert diff.shared_steps == 1
    assert {tp[0] for tp in diff.turning_points} == {"TP-A", "TP-B"}
    assert {row[0] for row in diff.roster} == {"gyeong-su", "ms-park"}


def test_episode_summary_lists_that_episodes_turning_points_and_differences(
    story: Story,
) -> None:
    states = play(story, ["go", "tend", "go", "go", "follow", "go"])
    summary = episode_summary(story, states, 1)
    assert [tp.id for tp in summary.turning_points] == ["TP-A"]
    assert [r.character for r in summary.roster] == ["gyeong-su"]
    chart = episode_chart(summary, 80)
    assert "END OF EPISODE 1" in chart and "Ignore it." in chart  # the option not taken
    assert all(len(line) <= 80 for line in chart.splitlines())


def test_text_report_fits_the_width_and_markdown_renders_tables(story: Story) -> None:
    cmp = compare_run(story, play(story, ["go", "tend", "go", "go", "hold", "go"]))
    text = comparison_text(cmp, 60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "fidelity" in text
    markdown = comparison_markdown(cmp)
    table_lines = [line for line in markdown.splitlines() if line.startswith("|")]
    assert table_lines and all(line.endswith("|") for line in table_lines)
    assert "|---|" in markdown


def _save(story: Story, tmp_path: Path, name: str, choices: list[str]) -> Path:
    path = tmp_path / f"{name}.yaml"
    write_save(path, make_save(story, 0, play(story, choices), name))
    return path


def test_compare_command_prints_json_in_the_documented_structure(
    story: Story, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save = _save(story, tmp_path, "run", ["go", "tend", "go", "go", "follow", "go"])
    assert main(["compare", str(save), "--story", str(FIXTURE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "hyosan-compare/2"
    assert set(data) >= {
        "story",
        "steps",
        "episode",
        "ending",
        "canon_label",
        "canon_ending",
        "fidelity",
        "turning_point_score",
        "roster_score",
        "turning_points",
        "roster",
        "other_differences",
    }
    assert "show" not in json.dumps(list(data)) + json.dumps([list(r) for r in data["roster"]])
    tp = data["turning_points"][0]
    assert set(tp) >= {
        "id",
        "title",
        "episode",
        "yours",
        "canon",
        "matches",
        "in_canon",
        "not_taken",
    }
    gyeong_su = next(r for r in data["roster"] if r["character"] == "gyeong-su")
    assert gyeong_su["differs"] and gyeong_su["causes"][0]["turning_point"] == "TP-A"


def test_compare_two_saves_from_the_command_line(
    story: Story, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _save(story, tmp_path, "a", SHOW)
    b = _save(story, tmp_path, "b", ["go", "isolate", "go", "go", "hold", "go"])
    assert main(["compare", str(a), str(b), "--story", str(FIXTURE), "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert "part at step 5" in out
    assert "Ms. Park" in out


def test_compare_with_a_missing_save_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compare", str(tmp_path / "nope.yaml"), "--story", str(FIXTURE)])
    assert code == 1
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "Traceback" not in err
