"""A cache of parsed story files, so that start-up does not pay for the YAML parser.

Owns: storing and restoring the positioned trees (`YMap` / `YList` / scalars) that
`yamlread` makes, keyed by the SHA-256 of the file's bytes and the cache format. Only
files that parsed with no diagnostic are cached, so every problem is still reported by
the real parser. The cache lives in `$HYOSAN_CACHE` or `$XDG_CACHE_HOME/hyosan` (default
`~/.cache/hyosan`); `HYOSAN_CACHE=off` disables it. A missing, stale or damaged entry
is ignored and rebuilt: the cache can only make loading faster, never different.

The cache is bounded: it never holds more than `MAX_CACHE_BYTES` (the entries used
least recently are removed first; a hit refreshes an entry), and a file whose parsed
tree would be far larger than the file itself (aliases expanding) is not cached at all.

Entries are `marshal` data: fast, built in, and only ever read from the user's own
cache folder, never from a story or a save.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import time
from pathlib import Path
from typing import Any

from engine.compiler.ytree import STYLES, YList, YMap
from engine.diagnostics import Pos

__all__ = ["MAX_CACHE_BYTES", "cache_dir", "load_cached", "prune", "store_cached"]

_FORMAT = b"hyosan-yaml-cache-2"  # 2: packed places (`ytree`)
MAX_CACHE_BYTES = 64 * 1024 * 1024
MAX_ENTRY_GROWTH = 16  # an entry may be at most this many times its file (plus a margin)
_ENTRY_MARGIN = 64 * 1024
_SCALARS = (str, int, float, bool, type(None))


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    setting = os.environ.get("HYOSAN_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hyosan"


def _key(data: bytes) -> str:
    return hashlib.sha256(_FORMAT + b"\0" + data).hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, YMap):
        places = value.places
        entries = [(k, places[k], _encode(v)) for k, v in value.items()]
        return ("m", value.pos.line, value.pos.col, entries)
    if isinstance(value, YList):
        items = [(p, _encode(v)) for v, p in zip(value, value.places, strict=True)]
        return ("l", value.pos.line, value.pos.col, items)
    if isinstance(value, _SCALARS):
        return ("s", value)
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _entry(packed: Any, size: int) -> bool:
    """Whether `packed` is a place kept as a tuple: ints, then a style."""
    return (
        type(packed) is tuple
        and len(packed) == size
        and all(type(n) is int for n in packed[:-1])
        and packed[-1] in STYLES
    )


def _decode(data: Any, path: str) -> Any:
    kind = data[0]
    if kind == "s":
        return data[1]
    if kind == "m":
        out = YMap()
        out.pos = Pos(path, data[1], data[2])
        places: dict[str, Any] = {}
        out.places = places
        for key, packed, value in data[3]:
            out[key] = value[1] if value[0] == "s" else _decode(value, path)
            if type(packed) is not int and not _entry(packed, 5):
                raise ValueError("a damaged place")
            places[key] = packed  # an int, or past a field's width a tuple (`ytree`)
        return out
    if kind != "l":
        raise ValueError(f"not a cached value: {kind!r}")
    items = YList()
    items.pos = Pos(path, data[1], data[2])
    packs: list[Any] = []
    items.places = packs
    for packed, value in data[3]:
        items.append(value[1] if value[0] == "s" else _decode(value, path))
        if type(packed) is not int and not _entry(packed, 3):
            raise ValueError("a damaged place")
        packs.append(packed)
    return items


def load_cached(data: bytes, shown: str) -> Any | None:
    """The cached tree for a file with these bytes, named `shown`; None on a miss."""
    folder = cache_dir()
    if folder is None:
        return None
    entry = folder / _key(data)
    try:
        raw = entry.read_bytes()
        tree = _decode(marshal.loads(raw), shown)
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
        return None  # missing or damaged: parse for real
    with contextlib.suppress(OSError):
        os.utime(entry)  # recently used: pruned last
    return tree


def store_cached(data: bytes, tree: Any) -> None:
    """Remember the tree parsed from these bytes; failures are silent (a cache)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        blob = marshal.dumps(_encode(tree))
        if len(blob) > MAX_ENTRY_GROWTH * len(data) + _ENTRY_MARGIN:
            return  # aliases made the tree far bigger than the file: parse it each time
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _key(data)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(blob)
        os.replace(temporary, target)
        prune(folder)
    except (OSError, TypeError, ValueError):
        return


def prune(folder: Path, limit: int = MAX_CACHE_BYTES) -> None:
    """Remove the least recently used entries until the cache holds at most `limit`
    bytes (to three quarters of it, so that pruning is rare). Leftover temporary files
    of interrupted writes go first."""
    entries = []
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            info = path.stat()
            if path.name.endswith(".tmp"):
                if info.st_mtime < time.time() - 3600:
                    path.unlink()
                continue
            entries.append((info.st_mtime, info.st_size, path))
    total = sum(size for _, size, _ in entries)
    if total <= limit:
        return
    for _, size, path in sorted(entries):
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
        if total <= limit * 3 // 4:
            return
