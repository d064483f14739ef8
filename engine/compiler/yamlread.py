"""Read one YAML file safely into plain values that remember where they came from.

Owns: reading a file's bytes within the size limit (counted while reading, never trusted
from the file system: a device or a growing file is refused as soon as it passes the
limit), the encoding check (not UTF-8, binary, a NUL or control character at its line
and column), and handing the text to `engine.compiler.yamlbuild`, which builds the tree
while counting values and depth. Never constructs objects from tags and never raises
for bad input: it reports diagnostics.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from engine.compiler.folders import reason
from engine.compiler.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from engine.compiler.yamlbuild import YamlProblem, build_tree
from engine.compiler.yamlcache import load_cached, store_cached
from engine.diagnostics import Diagnostics, Pos

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_VALUES", "parse_text", "read_bounded", "read_yaml"]

_BINARY_PROBE = 8192  # a NUL in this many first bytes of a file that is not UTF-8: binary


def _where(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of byte `offset` of UTF-8 `data`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    col = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return line, col


def _looks_binary(data: bytes) -> bool:
    head = data[:_BINARY_PROBE]
    if b"\x00" not in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.end < len(head) or exc.reason != "unexpected end of data"
    return False


def _decode(data: bytes, path: str, diags: Diagnostics) -> str | None:
    if _looks_binary(data):
        diags.add(Pos(path, 1, 1), "E003", "the file is binary, not YAML text")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _where(data, exc.start)
        diags.add(
            Pos(path, line, col),
            "E003",
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
        )
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _where(data, nul)
        diags.add(Pos(path, line, col), "E003", "a NUL byte (0x00): a text file holds none")
        return None
    return text


def _reader_problem(text: str, path: str, exc: yaml.reader.ReaderError) -> Pos:
    """Where a character the YAML reader refuses is (its offset counts UTF-8 bytes)."""
    data = text.encode("utf-8")
    offset = max(0, min(int(exc.position), len(data)))
    return Pos(path, *_where(data, offset))


def parse_text(text: str, path: str, diags: Diagnostics) -> Any:
    """Parse YAML `text` (named `path` in messages); None when it cannot be used."""
    if not text.strip():
        diags.add(Pos(path, 1, 1), "E006", "the file is empty")
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector rescans the growing tree; see bench/RESULTS.md
    try:
        tree = build_tree(text, path, diags)
        if tree is None:  # `~`, `null` or a bare `---`: a document of nothing
            diags.add(Pos(path, 1, 1), "E006", "the file's only value is null (nothing)")
        return tree
    except YamlProblem as exc:
        diags.add(exc.pos, exc.code, exc.message, fix=exc.fix)
        return None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        diags.add(
            _reader_problem(text, path, exc),
            "E003",
            f"the character U+{char:04X} is not allowed in YAML text (a control character)",
            fix="remove the character, or write it with an escape inside double quotes",
        )
        return None
    except yaml.YAMLError as exc:
        diags.add(Pos(path, 1, 1), "E001", str(exc).splitlines()[0] or "invalid YAML")
        return None
    finally:
        if gc_was_enabled:
            gc.enable()


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than `limit`; raises OSError.

    The size is counted while reading, never taken from the file system, which says 0
    for a device (/dev/zero) and may be stale for a file that is growing.
    """
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    return None if len(data) > limit else data


def _too_large(path: Path, shown: str, diags: Diagnostics) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    limit = MAX_FILE_BYTES // (1024 * 1024)
    said = f"{size / 1e6:.1f} MB" if size > MAX_FILE_BYTES else f"over {limit} MiB"
    diags.add(
        Pos(shown, 1, 1), "E004", f"the file is {said}; story files are limited to {limit} MiB"
    )


def read_yaml(
    path: Path,
    shown: str,
    diags: Diagnostics,
    seen: Callable[[bytes], None] | None = None,
    cache: bool = False,
    given: bytes | None = None,
) -> Any:
    """Read and parse the file at `path`, naming it `shown` in diagnostics.

    `seen`, when given, receives the file's bytes (the loader fingerprints them).
    `cache` uses the parse cache of `yamlcache` for files that parse cleanly.
    `given`: the file's contents, used instead of the disk's (an editor's unsaved buffer).
    """
    if given is not None:
        data: bytes | None = given if len(given) <= MAX_FILE_BYTES else None
    else:
        try:
            data = read_bounded(path, MAX_FILE_BYTES)
        except IsADirectoryError:
            diags.add(Pos(shown, 1, 1), "E002", "this is a folder, not a file")
            return None
        except OSError as exc:
            diags.add(Pos(shown, 1, 1), "E002", f"cannot read the file: {reason(exc)}")
            return None
    if data is None:
        _too_large(path, shown, diags)
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
