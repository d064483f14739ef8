"""Finding and reading a story's files: the manifest, its episode files, branch files.

Owns: locating the manifest, reading each listed episode file and every branch file
(`branches/*.yaml` beside the manifest, plus those given on the command line), checking
each file's top-level keys, numbering episodes, fingerprinting the bytes read, and
collecting the raw nodes and `add_choices` of every file into the `Context`. The only
compiler module that touches the disk (through `engine.compiler.yamlread`).
"""

from __future__ import annotations

import re
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
from engine.compiler.yamlread import read_yaml
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Pos
from engine.runtime.model import Episode

__all__ = ["collect_nodes", "load_manifest", "load_parts"]

_NODE_ID = re.compile(spec.NODE_ID)


def _read(ctx: Context, path: Path) -> Any:
    # The fingerprint names files relative to the story folder, so it does not depend
    # on where the command runs.
    try:
        name = path.resolve().relative_to(ctx.base.resolve()).as_posix()
    except ValueError:
        name = path.name
    shown = ctx.shown(path)

    def seen(data: bytes) -> None:
        ctx.digest.update(name.encode() + b"\0" + data + b"\0")
        ctx.sources[shown] = data

    return read_yaml(path, shown, ctx.diags, seen, cache=True)


def load_manifest(ctx: Context) -> YMap | None:
    """The manifest's data, its keys checked; None (reported) when it cannot be used."""
    path = find_manifest(ctx.root)
    if not ctx.root.exists():
        ctx.error(Pos(ctx.shown(ctx.root), 1, 1), "E002", "no such file or folder")
        return None
    if not path.is_file():
        ctx.error(
            Pos(ctx.shown(path), 1, 1),
            "E002",
            f"no {MANIFEST} here: a story folder holds a {MANIFEST} manifest",
        )
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
        for rel, pos in zip(listed, listed.item_pos, strict=True):
            if not isinstance(rel, str):
                ctx.error(pos, "E012", "episodes: each entry is a file path")
                continue
            path = ctx.base / rel
            if not path.is_file():
                ctx.error(
                    pos,
                    "E002",
                    f'episode file "{rel}" does not exist',
                    fix="create the file, or correct or remove this entry of episodes:",
                )
                ctx.incomplete = True
                continue
            part = _load_part(ctx, path, "episode")
            if part is None:
                ctx.incomplete = True
            else:
                parts.append(part)
    for path in _branch_files(ctx.base, branch_paths):
        part = _load_part(ctx, path, "branch")
        if part is not None:
            parts.append(part)
    return parts


def _branch_files(base: Path, extra: list[Path]) -> list[Path]:
    files = sorted((base / "branches").glob("*.yaml")) if (base / "branches").is_dir() else []
    for path in extra:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
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
