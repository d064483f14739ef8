"""A story folder as an editor sees it: its files, with unsaved buffers standing in for
the disk, checked by the compiler and parsed into positioned trees.

Owns: finding the story folder of a file, listing the story's files (the manifest, the
episode files it lists, `branches/*.yaml` and any extra branch files), reading each one
(an open buffer first, else the disk), checking the story with the buffers as an
overlay, and caching both per version of the texts. The check goes through a resident
`engine.compiler.incremental.Workspace`, and a file's tree is parsed again only when its
text changed: a pause in typing in a big story re-checks only what the edit touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.compiler.context import MANIFEST
from engine.compiler.folders import probe, real, yaml_files
from engine.compiler.incremental import Workspace
from engine.compiler.limits import MAX_FILE_BYTES
from engine.compiler.yamlread import parse_text, read_bounded
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Diagnostic, Diagnostics
from engine.runtime.model import Story

__all__ = ["Project", "SourceFile", "story_folder"]

_SEARCH_UP = 4  # a story file sits in the story folder or a few folders below it


def story_folder(path: str) -> str | None:
    """The real path of the folder holding the story.yaml that `path` belongs to."""
    here = os.path.dirname(real(Path(path)))
    for _ in range(_SEARCH_UP):
        if probe(os.path.join(here, MANIFEST)).kind == "file":
            return here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return None


@dataclass
class SourceFile:
    """One story file: its real path, kind ("manifest", "episode" or "branch"), text,
    lines and parsed tree (None when it does not parse)."""

    path: str
    kind: str
    text: str
    tree: Any

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class Project:
    """A story folder and the open buffers of its files (real path -> text)."""

    root: str
    branches: tuple[str, ...] = ()
    buffers: dict[str, str] = field(default_factory=dict)
    _files: dict[str, SourceFile] | None = None
    _checked: tuple[Story | None, list[Diagnostic]] | None = None
    version: int = 0
    _workspace: Workspace | None = None
    _parsed: dict[str, SourceFile] = field(default_factory=dict)  # the last files() read

    def set_buffer(self, path: str, text: str | None) -> None:
        """An editor opened or changed a file (`text`), or closed it (None)."""
        key = real(Path(path))
        if text is None:
            self.buffers.pop(key, None)
        else:
            self.buffers[key] = text
        self.changed()

    def changed(self) -> None:
        """Forget what was computed: a file changed (in a buffer or on disk)."""
        self._files = None
        self._checked = None
        self.version += 1

    @property
    def manifest(self) -> str:
        return os.path.join(self.root, MANIFEST)

    def read(self, path: str) -> str | None:
        """A file's text: its open buffer, else the disk's (None when unreadable)."""
        key = real(Path(path))
        if key in self.buffers:
            return self.buffers[key]
        try:
            data = read_bounded(Path(key), MAX_FILE_BYTES)
        except OSError:
            return None
        if data is None:
            return None
        return data.decode("utf-8-sig", "replace")

    def owns(self, path: str) -> bool:
        """Whether `path` is one of the story's files."""
        return real(Path(path)) in self.files()

    def files(self) -> dict[str, SourceFile]:
        """Every file of the story by real path: the manifest first."""
        if self._files is None:
            self._files = {}
            manifest = self._add(self.manifest, "manifest")
            listed = manifest.tree.get("episodes") if manifest else None
            if isinstance(listed, YList):
                for rel in listed:
                    if isinstance(rel, str):
                        self._add(os.path.join(self.root, rel), "episode")
            own, _ = yaml_files(Path(self.root) / "branches", recursive=False)
            extra: list[Path] = []
            for given in self.branches:
                if probe(given).kind == "folder":
                    extra += yaml_files(Path(given), recursive=True)[0]
                else:
                    extra.append(Path(given))
            for path in [*own, *extra]:
                self._add(str(path), "branch")
            self._parsed = dict(self._files)
        return self._files

    def _add(self, path: str, kind: str) -> SourceFile | None:
        assert self._files is not None
        key = real(Path(path))
        if key in self._files:
            return self._files[key]
        text = self.read(key)
        if text is None:
            return None
        known = self._parsed.get(key)
        if known is not None and known.kind == kind and known.text == text:
            self._files[key] = known  # the same text: the same tree, not parsed again
            return known
        # The check keeps every file's tree: the same bytes need no second parse (only
        # lines and columns are read from it here; files are named by `key`).
        tree = self._workspace.parsed(text.encode("utf-8")) if self._workspace else None
        if tree is None and text.strip():
            tree = parse_text(text, key, Diagnostics())
        if not isinstance(tree, YMap):
            tree = None
        found = self._files[key] = SourceFile(key, kind, text, tree)
        return found

    def check(self) -> tuple[Story | None, list[Diagnostic]]:
        """The compiler's verdict on the story as the buffers stand (cached)."""
        if self._checked is None:
            overlay = {path: text.encode("utf-8") for path, text in self.buffers.items()}
            if self._workspace is None:
                self._workspace = Workspace(self.root, self.branches)
            self._checked = self._workspace.check(overlay)
        return self._checked

    @property
    def rebuilt(self) -> int:
        """How many nodes the last check built (the others came from the check before)."""
        return self._workspace.rebuilt if self._workspace is not None else 0

    def diagnostics_by_file(self) -> dict[str, list[Diagnostic]]:
        """Every diagnostic of the check, by the real path of its file; every story file
        is a key (an empty list clears what an editor showed before)."""
        found: dict[str, list[Diagnostic]] = {path: [] for path in self.files()}
        for diagnostic in self.check()[1]:
            path = real(Path(os.path.abspath(diagnostic.pos.path)))
            found.setdefault(path, []).append(diagnostic)
        return found
