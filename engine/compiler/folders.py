"""Looking at the story's folders without trusting them: what a path is, which YAML
files a folder holds, and why it cannot be read.

Owns: `probe` (is a path a file, a folder, missing, or unreadable, and why) and
`yaml_files` (the `*.yaml` files of a folder, optionally of its sub-folders, in a stable
order). Neither ever raises for a folder the user cannot read, a symbolic link that
points nowhere or at itself, or a loop of linked folders: each problem is returned with
the path it concerns, for the compiler to report (E002). Symbolic links to folders are
not followed, so no loop of links can make a walk endless.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import NamedTuple

__all__ = ["Probe", "Unreadable", "probe", "real", "reason", "yaml_files"]


class Probe(NamedTuple):
    """What is at a path: "file", "folder", "missing", "other" (a device, a socket) or
    "unreadable", with the reason when it is unreadable."""

    kind: str
    reason: str = ""


class Unreadable(NamedTuple):
    """A path that could not be read, and why (for an E002)."""

    path: Path
    reason: str


def reason(exc: OSError) -> str:
    """An OSError in words, naming a loop of symbolic links as one."""
    text = exc.strerror or str(exc)
    if exc.errno == errno.ELOOP:
        return f"{text} (a loop of symbolic links)"
    return text


def probe(path: Path | str) -> Probe:
    """What is at `path`, following symbolic links; never raises."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return Probe("missing")
    except NotADirectoryError:
        return Probe("missing")
    except OSError as exc:
        return Probe("unreadable", reason(exc))
    except ValueError:  # a NUL in the path
        return Probe("missing")
    if stat.S_ISDIR(mode):
        return Probe("folder")
    if stat.S_ISREG(mode):
        return Probe("file")
    return Probe("other")


def real(path: Path) -> str:
    """The path with every symbolic link resolved as far as possible; never raises (a
    loop of links resolves to where the loop starts)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def yaml_files(folder: Path, recursive: bool) -> tuple[list[Path], list[Unreadable]]:
    """The `*.yaml` files in `folder` (and its sub-folders when `recursive`), sorted,
    and every folder that could not be listed. Linked folders are not entered."""
    found: list[Path] = []
    problems: list[Unreadable] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as exc:
            problems.append(Unreadable(current, reason(exc)))
            continue
        for entry in listed:
            path = current / entry.name
            if entry.name.endswith(".yaml"):
                found.append(path)
            elif recursive and _is_real_folder(entry):
                pending.append(path)
    return sorted(found), problems


def _is_real_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False
