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

from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.runtime.model import Story

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = FIXTURES / "example"
BROKEN = FIXTURES / "broken"


def pytest_configure(config: pytest.Config) -> None:
    """Tests never touch the user's cache folder: the run gets a fresh one of its own,
    which subprocesses inherit through the environment."""
    os.environ["HYOSAN_CACHE"] = tempfile.mkdtemp(prefix="hyosan-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.get("HYOSAN_CACHE", ""), ignore_errors=True)


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
