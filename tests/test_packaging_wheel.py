"""The game installs anywhere: a wheel built from the repository plays the bundled story
from a folder outside the checkout, with the checkout unreadable.

The wheel is built once (`pip wheel --no-deps`) from a copy of the files a build reads,
installed into a fresh virtual environment in a temporary folder, and run as an
unprivileged user (root reads through any permission), with HOME and the XDG folders in
a writable temporary folder and the checkout `chmod 700` for the duration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import BUNDLED_STORY
from engine.compiler.loader import load_story
from engine.runtime.rules import available_choices, initial_state

ROOT = Path(__file__).resolve().parent.parent
SETPRIV = shutil.which("setpriv")
NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"]
BUILD_FILES = ("engine", "story", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0 or SETPRIV is None,
    reason="needs root and setpriv, to run the installed game as a user who cannot read "
    "the checkout (as root, chmod does not stop reads)",
)


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs
    )  # type: ignore[call-overload]
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def place() -> Iterator[Path]:
    """A fresh folder outside the checkout, where every user may read."""
    base = Path(tempfile.mkdtemp(prefix="hyosan-wheel-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def wheel(place: Path) -> Path:
    source = place / "source"
    source.mkdir()
    for name in BUILD_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", place / "wheels", source)
    (found,) = (place / "wheels").glob("hyosan-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(place: Path, wheel: Path) -> Path:
    target = place / "venv"
    _run(sys.executable, "-m", "venv", target)
    _run(target / "bin" / "python", "-m", "pip", "install", "-q", wheel)
    _run("chmod", "-R", "a+rX", place)
    return target


def test_the_wheel_carries_the_bundled_story_as_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    story_files = {p.relative_to(BUNDLED_STORY).as_posix() for p in BUNDLED_STORY.rglob("*.yaml")}
    assert {f"engine/story/{name}" for name in story_files} <= names
    assert "engine/story/story.yaml" in names and "engine/data/story.schema.json" in names


def test_the_installed_game_plays_from_outside_the_checkout_with_the_checkout_unreadable(
    place: Path, venv: Path
) -> None:
    story = load_story(BUNDLED_STORY)
    first = available_choices(story, initial_state(story, 0))[0].text.strip()
    home = place / "home"
    home.mkdir(exist_ok=True)
    home.chmod(0o777)
    shutil.copy2(ROOT / "saves" / "canon.yaml", home / "canon.yaml")
    (home / "canon.yaml").chmod(0o644)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
    }
    hyosan = venv / "bin" / "hyosan"
    mode = ROOT.stat().st_mode & 0o7777
    ROOT.chmod(0o700)
    try:
        played = _run(SETPRIV, *NOBODY, hyosan, "play", "--plain", input="1\n", env=env, cwd=home)
        replayed = _run(
            SETPRIV, *NOBODY, hyosan, "replay", "canon.yaml", "--check", env=env, cwd=home
        )
        outside = subprocess.run(
            [SETPRIV, *NOBODY, "ls", str(ROOT)], capture_output=True, env=env, check=False
        )
    finally:
        ROOT.chmod(mode)
    assert outside.returncode != 0  # the checkout really was unreadable to that user
    assert f"1. {first}" in played.stdout and "Traceback" not in played.stderr
    saves = home / "data" / "hyosan" / "saves" / story.id
    assert (saves / "autosave.yaml").is_file()  # the user's data folder, per story
    assert f"Your run is saved in {saves}" in played.stdout
    assert f"To resume: {hyosan} play --load autosave" in played.stdout  # not on PATH
    assert replayed.returncode == 0
