"""Read one YAML file safely into plain values that remember where they came from.

Owns: size, encoding, nesting and alias limits; the C parser when present; turning the
composed YAML nodes into `YMap` / `YList` / scalars with source positions. It never
constructs objects from tags and never raises for bad input: it reports diagnostics.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from engine.compiler.yamlcache import load_cached, store_cached
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Diagnostics, Pos

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_VALUES", "parse_text", "read_yaml"]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 2_000_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _TooBig(Exception):
    def __init__(self, pos: Pos, message: str) -> None:
        self.pos = pos
        self.message = message


class _Converter:
    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags
        self.count = 0

    def pos(self, node: yaml.Node) -> Pos:
        return Pos(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def check_size(self, root: yaml.Node) -> None:
        """Refuse before converting when aliases would expand past MAX_VALUES.

        Sizes are computed once per distinct node (aliases share nodes), so a
        billion-laughs file is rejected in time proportional to its text.
        """
        sizes: dict[int, int] = {}
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if id(node) in sizes:
                continue
            children = _children(node)
            if not done and any(id(c) not in sizes for c in children):
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
                continue
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[id(node)] > MAX_VALUES:
                raise _TooBig(
                    self.pos(node), f"the file expands to more than {MAX_VALUES:,} values"
                )

    def convert(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(self.pos(node), f"the file expands to more than {MAX_VALUES:,} values")
        if depth > MAX_DEPTH:
            raise _TooBig(self.pos(node), f"the data is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            self.diags.add(self.pos(node), "E007", f'unsupported YAML tag "{node.tag}"')
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            out = YList()
            out.pos = self.pos(node)
            out.item_pos = []
            out.item_style = []
            for item in node.value:
                out.append(self.convert(item, depth + 1))
                out.item_pos.append(self.pos(item))
                out.item_style.append(getattr(item, "style", None))
            return out
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag not in _PLAIN_TAGS:
            self.diags.add(
                self.pos(node),
                "E007",
                f'unsupported YAML tag "{node.tag}"',
            )
            # Keep a non-empty placeholder so the tag is the only thing reported.
            return str(node.value) or "(unsupported tag)"
        try:
            return _scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError):
            return str(node.value)

    def mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        out = YMap()
        out.pos = self.pos(node)
        out.key_pos, out.val_pos, out.val_style = {}, {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.merge(out, value_node, depth)
                continue
            key = self.convert(key_node, depth + 1)
            if not isinstance(key, str):
                key = str(key)
            if key in out.key_pos:
                first = out.key_pos[key]
                self.diags.add(
                    self.pos(key_node),
                    "E021",
                    f'duplicate key "{key}" (first at line {first.line}, column {first.col})',
                )
                continue
            out[key] = self.convert(value_node, depth + 1)
            out.key_pos[key] = self.pos(key_node)
            out.val_pos[key] = self.pos(value_node)
            out.val_style[key] = getattr(value_node, "style", None)
        return out

    def merge(self, out: YMap, value_node: yaml.Node, depth: int) -> None:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            merged = self.convert(source, depth + 1)
            if not isinstance(merged, YMap):
                self.diags.add(self.pos(source), "E012", "a merge key (<<) needs a mapping")
                continue
            for key, value in merged.items():
                if key not in out:
                    out[key] = value
                    out.key_pos[key] = merged.key_pos[key]
                    out.val_pos[key] = merged.val_pos[key]
                    out.val_style[key] = merged.val_style.get(key)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _decode(data: bytes, path: str, diags: Diagnostics) -> str | None:
    if b"\x00" in data[:8192]:
        diags.add(Pos(path, 1, 1), "E003", "the file is binary, not YAML text")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        diags.add(
            Pos(path, line, col),
            "E003",
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
        )
        return None


def parse_text(text: str, path: str, diags: Diagnostics) -> Any:
    """Parse YAML `text` (named `path` in messages); None when it cannot be used."""
    if not text.strip():
        diags.add(Pos(path, 1, 1), "E006", "the file is empty")
        return None
    if not _ANCHOR.search(text):
        return _parse(text, path, diags, check_aliases=False)
    return _parse(text, path, diags, check_aliases=True)


_ANCHOR = re.compile(r"(?:^|[\s\[{,:])&[^\s]", re.MULTILINE)


def _parse(text: str, path: str, diags: Diagnostics, check_aliases: bool) -> Any:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector rescans the growing node graph; see bench/RESULTS.md
    try:
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = exc.problem or "invalid YAML"
            if exc.context:
                problem = f"{problem} ({exc.context})"
            diags.add(Pos(path, line, col), "E001", problem)
            return None
        except (yaml.YAMLError, RecursionError) as exc:
            diags.add(Pos(path, 1, 1), "E001", str(exc).splitlines()[0] or "invalid YAML")
            return None
        if node is None:
            diags.add(Pos(path, 1, 1), "E006", "the file holds no YAML document")
            return None
        try:
            converter = _Converter(path, diags)
            if check_aliases:  # without anchors nothing can expand: skip the walk
                converter.check_size(node)
            return converter.convert(node, 0)
        except _TooBig as exc:
            diags.add(exc.pos, "E005", exc.message)
            return None
        except RecursionError:
            diags.add(Pos(path, 1, 1), "E005", "the data is nested too deeply")
            return None
    finally:
        if gc_was_enabled:
            gc.enable()


def read_yaml(
    path: Path,
    shown: str,
    diags: Diagnostics,
    seen: Callable[[bytes], None] | None = None,
    cache: bool = False,
) -> Any:
    """Read and parse the file at `path`, naming it `shown` in diagnostics.

    `seen`, when given, receives the file's bytes (the loader fingerprints them).
    `cache` uses the parse cache of `yamlcache` for files that parse cleanly.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diags.add(
                Pos(shown, 1, 1),
                "E004",
                f"the file is {size / 1e6:.1f} MB; story files are limited to "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MiB",
            )
            return None
        data = path.read_bytes()
    except IsADirectoryError:
        diags.add(Pos(shown, 1, 1), "E002", "this is a folder, not a file")
        return None
    except OSError as exc:
        diags.add(Pos(shown, 1, 1), "E002", exc.strerror or str(exc))
        return None
    if seen is not None:
        seen(data)
    if cache:
        tree = load_cached(data, shown)
        if tree is not None:
            return tree
    before = len(diags.items)
    text = _decode(data, shown, diags)
    if text is None:
        return None
    tree = parse_text(text, shown, diags)
    if cache and tree is not None and len(diags.items) == before:
        store_cached(data, tree)
    return tree
