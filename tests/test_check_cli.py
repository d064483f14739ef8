"""`hyosan check`: the output format, one pass over every problem, exit codes, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.diagnostics import CODES

Run = Callable[..., Any]  # the run_cli fixture: (*argv) -> (code, out, err)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN = FIXTURES / "broken"
EXAMPLE = FIXTURES / "example"
CLEAN = FIXTURES / "saves_canon"  # no error and no warning
HYOSAN = Path(sys.executable).with_name("hyosan")
ROOT = Path(__file__).resolve().parent.parent


def in_fixture(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Work inside a broken fixture, so reported paths read `episodes/one.yaml`."""
    monkeypatch.chdir(BROKEN / name)


def test_error_shows_position_code_message_suggestion_and_fix(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_fixture(monkeypatch, "E031-unknown-character-in-condition")
    result = run_cli("check", ".")
    assert result.code == 1
    assert result.err.splitlines() == [
        'episodes/one.yaml:8:20: error E031: unknown character "on-joo"',
        '  did you mean "on-jo"?',
        f"  fix: {CODES['E031'].fix}",
        ".: 1 error, 0 warnings",
    ]


def test_error_without_a_close_match_has_no_did_you_mean(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_fixture(monkeypatch, "E052-dead-end")
    result = run_cli("check", ".")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        'episodes/one.yaml:11:3: error E052: node "limbo" has no choices and is not an ending: '
        "play would stop here",
        f"  fix: {CODES['E052'].fix}",
    ]
    assert "did you mean" not in result.err


def test_every_problem_of_a_story_is_reported_in_one_pass(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_fixture(monkeypatch, "three-independent-errors")
    result = run_cli("check", ".")
    assert result.code == 1
    heads = [line for line in result.err.splitlines() if not line.startswith((" ", "."))]
    assert heads == [
        'episodes/one.yaml:5:5: error E010: unknown key "colour" in node a',
        "episodes/one.yaml:8:54: error E040: 'and' needs something before it",
        'episodes/two.yaml:6:45: error E031: unknown character "on-joo"',
    ]
    assert result.err.count("  fix: ") == 3
    assert result.err.splitlines()[-1] == ".: 3 errors, 0 warnings"


def test_a_clean_story_exits_0_with_a_summary(run_cli: Run) -> None:
    result = run_cli("check", str(EXAMPLE))
    assert result.code == 0
    assert result.err == ""
    assert 'warning W103: flag "kit_found" is set' in result.out  # the example's weak spot
    assert 'warning W106: the bite of "gyeong-su" at one.scratch (on entry)' in result.out
    assert result.out.strip().endswith("0 errors, 2 warnings")
    assert "10 nodes" in result.out and "3 endings" in result.out


def test_warnings_alone_exit_0(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fixture(monkeypatch, "W101-unreachable-node")
    result = run_cli("check", ".")
    assert result.code == 0
    assert 'episodes/one.yaml:10:3: warning W101: node "attic" cannot be reached' in result.out
    assert result.out.strip().endswith("0 errors, 1 warning")


def test_quiet_prints_problems_only(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fixture(monkeypatch, "E030-unknown-start")
    result = run_cli("check", ".", "--quiet")
    assert result.code == 1
    assert result.out == ""
    assert result.err.splitlines()[0].startswith("story.yaml:2:8: error E030:")
    assert "errors" not in result.err and "1 error," not in result.err


def test_a_missing_story_folder_is_a_story_problem(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nowhere"))
    assert result.code == 1
    assert f"{tmp_path / 'nowhere'}:1:1: error E002: no such file or folder" in result.err


def test_a_folder_without_a_manifest_says_what_is_missing(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path))
    assert result.code == 1
    assert "error E002: no story.yaml here" in result.err


@pytest.mark.parametrize(
    "argv",
    [["check", "--bogus"], ["check", "--format", "xml", str(EXAMPLE)], ["no-such-command"]],
    ids=["unknown-option", "unknown-format", "unknown-command"],
)
def test_usage_errors_exit_2_with_a_hint(run_cli: Run, argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.code == 2
    assert "hyosan" in result.err and "error:" in result.err
    assert "--help" in result.err
    assert "Traceback" not in result.err


def test_json_output_of_a_clean_story(run_cli: Run) -> None:
    result = run_cli("check", str(CLEAN), "--format", "json")
    assert result.code == 0
    report = json.loads(result.out)
    assert report["ok"] is True
    assert (report["errors"], report["warnings"], report["diagnostics"]) == (0, 0, [])
    assert report["stats"]["nodes"] == 5
    assert report["stats"]["endings"] == 2


def test_json_output_lists_each_diagnostic(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fixture(monkeypatch, "three-independent-errors")
    result = run_cli("check", ".", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert set(report) == {"ok", "errors", "warnings", "diagnostics", "stats"}
    assert (report["ok"], report["errors"], report["warnings"], report["stats"]) == (
        False,
        3,
        0,
        None,
    )
    last = report["diagnostics"][-1]
    assert set(last) == {"path", "line", "col", "code", "severity", "message", "suggestion", "fix"}
    assert (last["path"], last["line"], last["col"], last["code"], last["severity"]) == (
        "episodes/two.yaml",
        6,
        45,
        "E031",
        "error",
    )
    assert last["message"] == 'unknown character "on-joo"'
    assert "on-jo" in last["suggestion"]


def test_json_diagnostics_carry_the_same_fix_as_the_text(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_fixture(monkeypatch, "E052-dead-end")
    report = json.loads(run_cli("check", ".", "--format", "json").out)
    assert [d["fix"] for d in report["diagnostics"]] == [CODES["E052"].fix]


def test_json_keeps_warnings_and_exits_0(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fixture(monkeypatch, "W102-ending-nothing-leads-to")
    result = run_cli("check", ".", "--format", "json")
    assert result.code == 0
    report = json.loads(result.out)
    assert report["ok"] is True
    assert [(d["code"], d["severity"]) for d in report["diagnostics"]] == [("W102", "warning")]


@pytest.mark.parametrize(
    "command",
    [[str(HYOSAN)], [sys.executable, "-m", "engine"]],
    ids=["hyosan-script", "python-m-engine"],
)
def test_installed_command_checks_a_story(command: list[str]) -> None:
    folder = BROKEN / "E030-unknown-goto"
    done = subprocess.run(
        [*command, "check", "."], cwd=folder, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[:3] == [
        'episodes/one.yaml:6:35: error E030: choice "go" goes to unknown node "edn"',
        '  did you mean "end"?',
        f"  fix: {CODES['E030'].fix}",
    ]


# --- weak-spot warnings and --strict ----------------------------------------------------


def test_weak_spot_warnings_are_printed_and_exit_0(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_fixture(monkeypatch, "W103-write-only-flag")
    result = run_cli("check", ".")
    assert result.code == 0
    assert result.out.splitlines()[0].startswith('story.yaml:8:3: warning W103: flag "door_barred"')
    assert "0 errors, 1 warning" in result.out


def test_strict_makes_warnings_fail(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fixture(monkeypatch, "W105-long-single-option-chain")
    assert run_cli("check", ".", "--strict").code == 1
    assert run_cli("check", ".", "--strict", "--format", "json").code == 1
    assert run_cli("check", str(CLEAN), "--strict").code == 0


def test_the_bundled_story_checks_with_exit_0_despite_its_warnings(run_cli: Run) -> None:
    result = run_cli("check", str(ROOT / "story"))
    assert result.code == 0, result.err
    assert " 0 errors, " in result.out


# --- one way to give the story, for every sub-command -----------------------------------

# Sub-commands that take the story as `--story DIR`, and also as a positional DIR when the
# story is their only positional argument. Each gets a cheap run with a bad story folder:
# the error names the folder given, whichever way it was given.
STORY_COMMANDS: list[tuple[list[str], bool]] = [
    (["check"], True),
    (["explore", "--max-states", "5"], True),
    (["map", "--format", "mermaid"], True),
    (["randomtest", "-n", "1"], True),
    (["consequences"], True),
    (["play", "--plain"], True),
    (["replay", "nothing.yaml"], False),
    (["compare", "nothing.yaml"], False),
    (["reach", "true"], True),
    (["new-branch", "x", "--at", "a"], False),
]


@pytest.mark.parametrize(("argv", "positional"), STORY_COMMANDS, ids=lambda v: str(v))
def test_every_sub_command_takes_story_the_same_way(
    run_cli: Run, tmp_path: Path, argv: list[str], positional: bool
) -> None:
    missing = tmp_path / "no-such-story"
    by_option = run_cli(*argv, "--story", str(missing))
    assert by_option.code == 1
    assert "no-such-story" in by_option.err
    if positional:
        by_position = run_cli(*argv, str(missing))
        assert (by_position.code, by_position.err) == (by_option.code, by_option.err)


def test_story_given_twice_differently_is_a_usage_error(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("check", str(EXAMPLE), "--story", str(tmp_path))
    assert result.code == 2
    assert "the story is given twice" in result.err
    assert run_cli("check", str(EXAMPLE), "--story", str(EXAMPLE)).code == 0


def test_the_current_folder_is_the_default_story_when_it_holds_story_yaml(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    in_fixture(monkeypatch, "E030-unknown-start")
    result = run_cli("check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith("story.yaml:2:8: error E030:")
    monkeypatch.chdir(tmp_path)  # no story.yaml here: the bundled story (here, the example)
    monkeypatch.setattr("engine.cli._options.BUNDLED_STORY", EXAMPLE)
    result = run_cli("check")
    assert f"{EXAMPLE}: 10 nodes" in result.out
