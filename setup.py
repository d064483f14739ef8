"""Packaging hook: the wheel carries the bundled story as package data of `engine`.

The top-level `story/` folder is the story's one source in the repository. A build
copies it to `engine/story/` inside the wheel, where `engine.BUNDLED_STORY` finds it
through `importlib.resources`, so `pip install .`, a wheel, pipx and a read-only install
all play it. An editable install reads the checkout's `story/` directly and copies nothing.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
STORY = ROOT / "story"


class BuildWithStory(build_py):
    """build_py, plus `story/**/*.yaml` copied to `engine/story/` in the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # editable: engine.BUNDLED_STORY falls back to the checkout's story/
        for source in self._story_files():
            target = Path(self.build_lib, "engine", "story", source.relative_to(STORY))
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            for source in self._story_files():
                target = Path(self.build_lib, "engine", "story", source.relative_to(STORY))
                outputs.append(str(target))
        return outputs

    @staticmethod
    def _story_files() -> list[Path]:
        if not (STORY / "story.yaml").is_file():
            raise SystemExit(f"{STORY}: the bundled story is missing; cannot build Hyosan")
        return sorted(path for path in STORY.rglob("*.yaml") if path.is_file())


setup(cmdclass={"build_py": BuildWithStory})
