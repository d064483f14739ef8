"""Hyosan: a choose-your-path interactive fiction engine.

The folders are the architecture; imports only point down this list (docs/architecture.md
draws it, and tests/test_architecture.py enforces it):

    cli/        argv, exit codes, the only place errors are printed; picks a front end
    ui/         the only code that touches a terminal (the game, line mode, replay viewer)
    session.py  a play session: history, undo/redo, autosave
    report/     comparison, exploration, random-test and replay data -> text/markdown/JSON
    replay.py   re-running a save against a story, and where it no longer fits
    saves/ canon/ tools/ export/   save files; the canon and comparisons; exploration and
                random tests; DOT and Mermaid writers (siblings: they never import each other)
    compiler/   story files (YAML) -> a checked Story, every problem with file:line:col
    runtime/    THE state machine: model, state, conditions, effects, rules (no YAML, no
                disk, no clock)
    diagnostics.py, errors.py   Diagnostic and its codes; errors a user can cause
"""

from importlib.resources import files
from pathlib import Path

__all__ = ["BUNDLED_STORY", "__version__"]

__version__ = "0.1.0"


def _bundled_story() -> Path:
    """The story shipped with the engine: `engine/story/` inside an installed wheel (put
    there by setup.py), else the checkout's top-level `story/` (an editable install)."""
    packaged = files(__name__) / "story"
    if isinstance(packaged, Path) and (packaged / "story.yaml").is_file():
        return packaged.resolve()
    return Path(__file__).resolve().parent.parent / "story"


BUNDLED_STORY = _bundled_story()
