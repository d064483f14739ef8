"""Checking one story again and again, weak-spot warnings included: what `hyosan check
--watch` runs after each saved change.

Owns: `Rechecker`, a resident compiler (`engine.compiler.incremental.Workspace`) plus
the weak-spot warnings of `engine.tools.lint`, which are computed again only when they
can differ. They read the story's graph, conditions, effects, declarations and places
(all of which the Workspace compares before it replays the whole-story checks: it says
so with `graph_checked`) and, of its prose, only what the prose's conditions and
`{...}` read (`weak_spots.text_reads`). When the Workspace replayed the whole-story
checks and the prose reads the same, the warnings are the last ones, exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from engine.compiler.incremental import Workspace
from engine.diagnostics import Diagnostic
from engine.runtime.conditions import Var
from engine.runtime.model import Story
from engine.tools.lint import weak_spot_warnings
from engine.tools.weak_spots import text_reads

__all__ = ["Rechecker"]


class Rechecker:
    """A story checked again after each change; see the module docstring."""

    def __init__(self, root: Path | str, branches: Iterable[Path | str] = ()) -> None:
        self.workspace = Workspace(root, branches)
        self._warnings: tuple[frozenset[Var], list[Diagnostic]] | None = None
        self.warnings_reused = False  # the last check's weak spots are the one before's

    def check(self) -> tuple[Story | None, list[Diagnostic], list[Diagnostic]]:
        """The story (None with errors), the compiler's diagnostics and, for a story
        with no error, the weak-spot warnings: as `check_story` and `weak_spot_warnings`
        give them for the files as they are now."""
        story, diagnostics = self.workspace.check()
        if self.workspace.graph_checked:  # the story's shape changed: computed again
            self._warnings = None
        self.warnings_reused = False
        if story is None:
            return None, diagnostics, []
        reads = text_reads(story)
        if self._warnings is not None and self._warnings[0] == reads:
            self.warnings_reused = True
            return story, diagnostics, list(self._warnings[1])
        warnings = weak_spot_warnings(story)
        self._warnings = (reads, warnings)
        return story, diagnostics, list(warnings)
