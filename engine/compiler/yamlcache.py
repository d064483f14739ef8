"""A cache of parsed story files, so that start-up does not pay for the YAML parser.

Owns: storing and restoring the positioned trees (`YMap` / `YList` / scalars) that
`yamlread` makes, keyed by the SHA-256 of the file's bytes and the cache format. Only
files that parsed with no diagnostic are cached, so every problem is still reported by
the real parser. The cache lives in `$HYOSAN_CACHE` or `$XDG_CACHE_HOME/hyosan` (default
`~/.cache/hyosan`); `HYOSAN_CACHE=off` disables it. A missing, stale or damaged entry
is ignored and rebuilt: the cache can only make loading faster, never different.

Entries are `marshal` data: fast, built in, and only ever read from the user's own
cache folder, never from a story or a save.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

from engine.compiler.yamlread import YList, YMap
from engine.diagnostics import Pos

__all__ = ["cache_dir", "load_cached", "store_cached"]

_FORMAT = b"hyosan-yaml-cache-1"
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
        entries = [
            (k, *value.key_pos[k][1:], *value.val_pos[k][1:], value.val_style.get(k), _encode(v))
            for k, v in value.items()
        ]
        return ("m", value.pos.line, value.pos.col, entries)
    if isinstance(value, YList):
        items = [
            (*p[1:], style, _encode(v))
            for v, p, style in zip(value, value.item_pos, value.item_style, strict=True)
        ]
        return ("l", value.pos.line, value.pos.col, items)
    if isinstance(value, _SCALARS):
        return ("s", value)
    raise TypeError(f"cannot cache a {type(value).__name__}")


_new = tuple.__new__  # builds a Pos without NamedTuple's slower Python-level __new__


def _decode(data: Any, path: str) -> Any:
    kind = data[0]
    if kind == "s":
        return data[1]
    if kind == "m":
        out = YMap()
        out.pos = Pos(path, data[1], data[2])
        key_pos, val_pos, val_style = out.key_pos, out.val_pos, out.val_style = {}, {}, {}
        for key, kline, kcol, vline, vcol, style, value in data[3]:
            value_kind = value[0]
            out[key] = value[1] if value_kind == "s" else _decode(value, path)
            key_pos[key] = _new(Pos, (path, kline, kcol))
            val_pos[key] = _new(Pos, (path, vline, vcol))
            val_style[key] = style
        return out
    items = YList()
    items.pos = Pos(path, data[1], data[2])
    items.item_pos, items.item_style = [], []
    for line, col, style, value in data[3]:
        items.append(value[1] if value[0] == "s" else _decode(value, path))
        items.item_pos.append(_new(Pos, (path, line, col)))
        items.item_style.append(style)
    return items


def load_cached(data: bytes, shown: str) -> Any | None:
    """The cached tree for a file with these bytes, named `shown`; None on a miss."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        raw = (folder / _key(data)).read_bytes()
        return _decode(marshal.loads(raw), shown)
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
        return None  # missing or damaged: parse for real


def store_cached(data: bytes, tree: Any) -> None:
    """Remember the tree parsed from these bytes; failures are silent (a cache)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        blob = marshal.dumps(_encode(tree))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _key(data)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(blob)
        os.replace(temporary, target)
    except (OSError, TypeError, ValueError):
        return
