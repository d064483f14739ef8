"""Hyosan: a choose-your-path interactive fiction engine.

How the pieces fit (imports only point down this list):

    cli.py, commands/        argv, exit codes; picks a front end
    ui/terminal.py, ui/plain.py   the only modules that touch the screen
    session.py               a play session: history, undo/redo, autosave
    saves.py, replay.py, canon.py, analysis.py, export/   files, re-runs, comparison, tools
    loader.py, validate.py   YAML -> checked Story (positions kept), whole-graph checks
    rules.py                 THE state machine: available_choices(), step()
    effects.py, language.py  effects and conditions, compiled once at load time
    state.py, model.py       immutable GameState / Story
    yamlread.py, diagnostics.py   safe YAML reading; Diagnostic and its codes
"""

from pathlib import Path

__all__ = ["BUNDLED_STORY", "__version__"]

__version__ = "0.1.0"

BUNDLED_STORY = Path(__file__).resolve().parent.parent / "story"
