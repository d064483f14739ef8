"""The installed command: `hyosan --version`, `hyosan --help`, `python -m engine`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import engine
from engine.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
HYOSAN = Path(sys.executable).with_name("hyosan")


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        version: str = tomllib.load(f)["project"]["version"]
    return version


def present_commands() -> list[str]:
    return [
        name
        for name, (module, _help) in COMMANDS.items()
        if importlib.util.find_spec(f"engine.cli.{module}") is not None
    ]


def test_the_package_version_is_the_project_version() -> None:
    assert engine.__version__ == project_version()


def test_installed_script_prints_the_version() -> None:
    done = subprocess.run(
        [str(HYOSAN), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"hyosan {project_version()}"


def test_python_m_engine_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "engine", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"hyosan {project_version()}"


def test_help_lists_every_available_command(run_cli: Callable[..., Any]) -> None:
    result = run_cli("--help")
    assert result.code == 0
    assert "check" in present_commands()
    words = " ".join(result.out.split())  # argparse wraps long names onto two lines
    for name in present_commands():
        assert f"{name} {COMMANDS[name][1]}" in words, f"{name} missing from --help"


def test_help_hides_commands_whose_module_is_missing(run_cli: Callable[..., Any]) -> None:
    result = run_cli("--help")
    listed = {
        line.split()[0]
        for line in result.out.splitlines()
        if line.startswith("    ") and not line.startswith("     ")
    }
    assert listed == set(present_commands())


def test_check_help_describes_its_options(run_cli: Callable[..., Any]) -> None:
    result = run_cli("check", "--help")
    assert result.code == 0
    for option in ("--branch", "--format", "--quiet"):
        assert option in result.out
