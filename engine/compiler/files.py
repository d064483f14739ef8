"""Finding and reading a story's files: the manifest, its episode files, branch files.

Owns: locating the manifest, reading each listed episode file and every branch file
(`branches/*.yaml` beside the manifest, plus those given on the command line), checking
each file's top-level keys, numbering episodes, fingerprinting the bytes read, and
collecting the raw nodes and `add_choices` of every file into the `Context`. The only
compiler module that touches the disk (through `engine.compiler.yamlread`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from engine.compiler import spec
from engine.compiler.context import (
    MANIFEST,
    Context,
    RawFile,
    RawNode,
    find_manifest,
    is_type,
    kind_of,
)
from engine.compiler.folders import probe, real, yaml_files
from engine.compiler.limits import MAX_EPISODE_FILES, MAX_FILE_BYTES
from engine.compiler.yamlread import read_bounded, read_yaml
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Diagnostics, Pos
from engine.runtime.model import Episode

__all__ = ["ParsedFiles", "collect_nodes", "load_manifest", "load_parts"]

_NODE_ID = re.compile(spec.NODE_ID)


class ParsedFiles:
    """Parse trees kept between compilations by a resident compiler: each file's tree
    and what reading it reported, by the name shown in messages and its exact bytes. A
    file whose bytes are the same is never parsed (or decoded from the parse cache)
    again: the same tree object comes back."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, Any, Diagnostics]] = {}
        self._used: set[str] = set()

    @contextmanager
    def reused(self) -> Iterator[None]:
        """Within the block, the compiler reads files through this memo; the files it
        did not read are forgotten at the end."""
        self._used = set()
        token = _PARSED.set(self)
        try:
            yield
        finally:
            _PARSED.reset(token)
            self._files = {k: v for k, v in self._files.items() if k in self._used}

    def tree_for(self, data: bytes) -> Any | None:
        """The tree kept for a file of exactly these bytes, if any (a tool that parses
        the same files, the language server's index, need not parse them again)."""
        for kept, tree, _said in self._files.values():
            if kept == data:
                return tree
        return None

    def read(self, path: Path, shown: str, data: bytes) -> tuple[Any, Diagnostics]:
        """The tree of the file whose bytes are `data` and the diagnostics reading it
        gave, parsing it only when they changed."""
        self._used.add(shown)
        found = self._files.get(shown)
        if found is not None and found[0] == data:
            return found[1], found[2]
        said = Diagnostics()
        # The parse cache on disk serves a file's first reading; an edit's text (often an
        # editor's unsaved buffer) is parsed here and kept here, not stored there.
        tree = read_yaml(path, shown, said, None, cache=found is None, given=data)
        self._files[shown] = (data, tree, said)
        return tree, said


_PARSED: ContextVar[ParsedFiles | None] = ContextVar("parsed_files", default=None)


def _bytes(path: Path, given: bytes | None) -> bytes | None:
    """The file's bytes when they can be read here within the size limit, else None
    (`read_yaml` then reads the file itself and reports why it cannot)."""
    if given is not None:
        return given if len(given) <= MAX_FILE_BYTES else None
    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except OSError:
        return None


def _seen(ctx: Context, path: Path, shown: str, data: bytes, overlaid: bool) -> None:
    # The fingerprint names files relative to the story folder, so it does not depend
    # on where the command runs.
    try:
        name = Path(real(path)).relative_to(real(ctx.base)).as_posix()
    except ValueError:
        name = path.name
    ctx.digest.update(name.encode() + b"\0" + data + b"\0")
    # A file on disk is read again only if a diagnostic needs its exact columns:
    # keeping every file's bytes would cost as much memory as the story's size.
    ctx.sources[shown] = data if overlaid else path
    ctx.inputs.read(path, data)


def _read(ctx: Context, path: Path) -> Any:
    shown = ctx.shown(path)
    given = ctx.overlay.get(real(path)) if ctx.overlay else None

    def seen(data: bytes) -> None:
        _seen(ctx, path, shown, data, given is not None)

    parsed = _PARSED.get()
    data = _bytes(path, given) if parsed is not None else None
    if parsed is None or data is None:
        return read_yaml(path, shown, ctx.diags, seen, cache=True, given=given)
    seen(data)
    tree, said = parsed.read(path, shown, data)
    for d in said.items:  # what reading it said, as a fresh read says it
        ctx.diags.add(d.pos, d.code, d.message, suggestion=d.suggestion, fix=d.fix)
    return tree


def load_manifest(ctx: Context) -> YMap | None:
    """The manifest's data, its keys checked; None (reported) when it cannot be used."""
    path = find_manifest(ctx.root)
    root = probe(ctx.root)
    if root.kind == "missing":
        ctx.error(Pos(ctx.shown(ctx.root), 1, 1), "E002", "no such file or folder")
        return None
    found = probe(path)
    if root.kind == "unreadable" or found.kind == "unreadable":
        why = root.reason if root.kind == "unreadable" else found.reason
        ctx.error(Pos(ctx.shown(path), 1, 1), "E002", f"cannot read the story: {why}")
        return None
    if found.kind != "file":
        message = f"no {MANIFEST} here: a story folder holds a {MANIFEST} manifest"
        if found.kind == "other":
            message = f"this is a device or a pipe, not a story folder or a {MANIFEST}"
        ctx.error(Pos(ctx.shown(path), 1, 1), "E002", message)
        return None
    data = _read(ctx, path)
    if data is None:
        return None
    if not isinstance(data, YMap):
        message = f"the manifest must be a mapping, not {kind_of(data)}"
        ctx.error(Pos(ctx.shown(path), 1, 1), "E012", message)
        return None
    ctx.keys(data, spec.MANIFEST, "the manifest")
    return data


def _load_part(ctx: Context, path: Path, kind: str) -> RawFile | None:
    data = _read(ctx, path)
    if data is None:
        return None
    shown = ctx.shown(path)
    if not isinstance(data, YMap):
        ctx.error(Pos(shown, 1, 1), "E012", f"the file must be a mapping, not {kind_of(data)}")
        return None
    if kind == "branch":
        ctx.keys(data, spec.BRANCH, "a branch file")
    else:
        ctx.keys(data, spec.EPISODE, "an episode file")
    number = data.get("episode")
    number = number if is_type(number, int) else None
    if number is not None and number < 1:
        message = f"episode: must be 1 or more, not {number}"
        ctx.error(data.at("episode"), "E013", message, fix="number the episodes from 1")
        number = None
    if number is not None and kind == "episode":
        _number_episode(ctx, data, number, shown)
    return RawFile(shown, data, number, kind)


def _number_episode(ctx: Context, data: YMap, number: int, shown: str) -> None:
    if number in ctx.episodes:
        where = ctx.episodes[number].path
        ctx.error(data.at("episode"), "E054", f"episode {number} is already defined in {where}")
        return
    title = data.get("title") if isinstance(data.get("title"), str) else None
    ctx.episodes[number] = Episode(number, title or f"Episode {number}", shown, data.at("episode"))


def load_parts(ctx: Context, manifest: YMap, branch_paths: list[Path]) -> list[RawFile]:
    """Every episode file the manifest lists, then every branch file, parsed."""
    parts: list[RawFile] = []
    listed = manifest.get("episodes")
    if isinstance(listed, YList):
        seen: dict[str, Pos] = {}
        base = str(ctx.base)
        for number, (rel, pos) in enumerate(zip(listed, listed.item_pos, strict=True)):
            if number == MAX_EPISODE_FILES:
                message = f"the manifest lists more than {MAX_EPISODE_FILES:,} episode files"
                ctx.error(pos, "E054", message, fix="merge episode files; list each one once")
                ctx.incomplete = True
                break
            if not isinstance(rel, str):
                ctx.error(pos, "E012", "episodes: each entry is a file path")
                continue
            where = os.path.join(base, rel)  # a Path only for a file that is there: fast
            if not _exists(ctx, where, rel, pos):
                continue
            path = Path(where)
            if not _listed_once(ctx, path, rel, pos, seen):
                continue
            part = _load_part(ctx, path, "episode")
            if part is None:
                ctx.incomplete = True
            else:
                parts.append(part)
    for path in _branch_files(ctx, branch_paths):
        part = _load_part(ctx, path, "branch")
        if part is not None:
            parts.append(part)
    return parts


def _listed_once(ctx: Context, path: Path, rel: str, pos: Pos, seen: dict[str, Pos]) -> bool:
    """False (reported) for a file the episodes: list already named."""
    key = real(path)
    if key in seen:
        first = seen[key]
        message = f'episode file "{rel}" is already listed at line {first.line}, column {first.col}'
        ctx.error(pos, "E054", message, fix="list each episode file once")
        return False
    seen[key] = pos
    return True


def _exists(ctx: Context, path: str, rel: str, pos: Pos) -> bool:
    """True for a file that can be opened; anything else is reported (E002)."""
    found = probe(path)
    if found.kind == "file":
        return True
    if found.kind == "unreadable":
        message = f'episode file "{rel}" cannot be read: {found.reason}'
        fix = "check the file's and its folders' permissions"
    elif found.kind == "missing":
        message = f'episode file "{rel}" does not exist'
        fix = "create the file, or correct or remove this entry of episodes:"
    else:
        message = f'episode file "{rel}" is a folder or a device, not a file'
        fix = "list a YAML file here"
    ctx.error(pos, "E002", message, fix=fix)
    ctx.incomplete = True
    return False


def _branch_files(ctx: Context, extra: list[Path]) -> list[Path]:
    """The story's branches/*.yaml, then each --branch file or folder's; every folder
    that cannot be listed is reported (E002), never skipped in silence."""
    own = ctx.base / "branches"
    sources = [(own, False)] if probe(own).kind != "missing" else []
    if not sources:
        ctx.inputs.listed(own, False, None)  # a branches/ folder made later changes the story
    sources += [(path, probe(path).kind == "folder") for path in extra]
    files: list[Path] = []
    for path, is_folder in sources:
        if not is_folder and path != own:
            files.append(path)
            continue
        found, problems = yaml_files(path, recursive=path != own)
        ctx.inputs.listed(path, path != own, found)
        files += found
        for problem in problems:
            where = Pos(ctx.shown(problem.path), 1, 1)
            ctx.error(where, "E002", f"cannot read the branch folder: {problem.reason}")
    seen: set[str] = set()
    unique = []
    for f in files:
        key = real(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def collect_nodes(ctx: Context, part: RawFile) -> None:
    """The file's nodes (ids checked, duplicates refused) and its add_choices."""
    extra = part.data.get("add_choices")
    if isinstance(extra, YMap):
        for node_id in extra:
            entry = (extra, part, extra.key_pos[node_id])
            ctx.extra_choices.setdefault(node_id, []).append(entry)
    nodes = part.data.get("nodes")
    if not isinstance(nodes, YMap):
        return
    for node_id, body in nodes.items():
        pos = nodes.key_pos[node_id]
        if not _NODE_ID.match(node_id):
            ctx.error(pos, "E013", f'node id "{node_id}" may hold only letters, digits, _ - .')
            continue
        if node_id in ctx.raw_nodes:
            first = ctx.raw_nodes[node_id].pos
            code = "E056" if part.kind == "branch" else "E020"
            ctx.error(pos, code, f'node "{node_id}" is already defined at {first}')
            continue
        if not isinstance(body, YMap):
            ctx.error(nodes.at(node_id), "E012", f"node {node_id}: must be a mapping")
            continue
        ctx.raw_nodes[node_id] = RawNode(body, part, pos)
