"""docs/authoring.md works as written: its ```sh blocks are run, in order, in a fresh folder.

The commands come from the markdown itself, so the guide and the tools cannot drift.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "authoring.md"
_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Blocks that need the repository's files beside the commands (cp -r tests/fixtures/...).
_NEEDED = ["tests/fixtures/example"]


def tutorial_blocks() -> list[str]:
    return _BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_a_tutorial_to_run() -> None:
    commands = "\n".join(tutorial_blocks())
    for step in ("new-branch", "hyosan check", "hyosan explore", "hyosan randomtest", "hyosan map"):
        assert step in commands


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tutorial")
    for needed in _NEEDED:
        shutil.copytree(ROOT / needed, folder / needed)
    return folder


def _run(block: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # where `hyosan` is installed with the tests
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_tutorial_command_succeeds_in_order(workdir: Path) -> None:
    if shutil.which("hyosan", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("the hyosan command is not installed next to this Python (pip install -e .)")
    for number, block in enumerate(tutorial_blocks(), 1):
        done = _run(block, workdir)
        assert done.returncode == 0, (
            f"block {number} failed:\n{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    story = workdir / "my-story"
    assert (story / "branches" / "fire-escape.yaml").is_file()
    assert (workdir / "my-story-witnesses" / "fire-escape.yaml").is_file()
    assert (workdir / "my-story.dot").read_text().startswith("digraph story {")
    assert (workdir / "my-story.md").read_text().startswith("```mermaid\nflowchart TD")
    assert (workdir / "story.schema.json").is_file()


def test_the_finished_branch_reaches_its_ending(workdir: Path) -> None:
    done = _run("hyosan explore my-story", workdir)
    if not (workdir / "my-story").is_dir():
        pytest.skip("the tutorial did not run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fire-escape (fire-escape.street)" in done.stdout
