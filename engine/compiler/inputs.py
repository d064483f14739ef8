"""What one compilation read: the files and folders a cached story depends on.

Owns: `Inputs`, filled by `engine.compiler.files` as it reads (each file's path and
SHA-256) and lists (each folder searched for branch files, with what it held), and
asked by `engine.compiler.modelcache` whether all of it is still the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.compiler.folders import probe, yaml_files

__all__ = ["Inputs"]


@dataclass
class Inputs:
    """What one compilation read: files (path as opened, SHA-256 of the bytes) and the
    folders listed for branch files (folder, recursive, the files found; None when the
    folder was missing)."""

    files: list[tuple[str, str]] = field(default_factory=list)
    listings: list[tuple[str, bool, tuple[str, ...] | None]] = field(default_factory=list)

    def read(self, path: Path, data: bytes) -> None:
        self.files.append((str(path), hashlib.sha256(data).hexdigest()))

    def listed(self, folder: Path, recursive: bool, found: Iterable[Path] | None) -> None:
        files = None if found is None else tuple(str(p) for p in found)
        self.listings.append((str(folder), recursive, files))

    def unchanged(self) -> bool:
        """Every file has the same bytes and every folder lists the same files."""
        for path, digest in self.files:
            try:
                with open(path, "rb") as handle:
                    if hashlib.sha256(handle.read()).hexdigest() != digest:
                        return False
            except OSError:
                return False
        for folder, recursive, files in self.listings:
            if files is None:
                if probe(folder).kind != "missing":
                    return False
                continue
            found, problems = yaml_files(Path(folder), recursive)
            if problems or tuple(str(p) for p in found) != files:
                return False
        return True
