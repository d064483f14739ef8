"""Shared pytest fixtures: fixture-story paths, loaded example stories, the CLI in-process.

Only fixtures live here; helpers a single test file needs stay in that file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from fuzzing import choose_profile  # the hypothesis profiles: `ci`, or `fuzz` with --fuzz

from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.runtime.model import Story

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = FIXTURES / "example"
BROKEN = FIXTURES / "broken"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz",
        action="store_true",
        help="run the fuzzing suites long: the hypothesis profile 'fuzz' (docs/testing.md)",
    )
    parser.addoption(
        "--bless",
        action="store_true",
        help="rewrite tests/golden/canon.txt from the story as it is now (docs/testing.md)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Tests never touch the user's cache or data folders: the run gets fresh ones of its
    own (saves go to $XDG_DATA_HOME/hyosan), which subprocesses inherit."""
    os.environ["HYOSAN_CACHE"] = tempfile.mkdtemp(prefix="hyosan-test-cache-")
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="hyosan-test-data-")
    os.environ.pop("HYOSAN_SAVES", None)
    choose_profile("fuzz" if config.getoption("--fuzz") else None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.get("HYOSAN_CACHE", ""), ignore_errors=True)
    shutil.rmtree(os.environ.get("XDG_DATA_HOME", ""), ignore_errors=True)


class CliResult(NamedTuple):
    """What a user sees from one `hyosan` run: exit code, standard output and error."""

    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The folder of fixture stories (tests/fixtures)."""
    return FIXTURES


@pytest.fixture(scope="session")
def example_story() -> Story:
    """The example story (every feature of the format, plus its branch file)."""
    return load_story(EXAMPLE)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `hyosan ARGS...` in-process; argparse's SystemExit counts as the exit code."""

    def run(*argv: str) -> CliResult:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
