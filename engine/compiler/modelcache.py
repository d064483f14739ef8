"""A cache of compiled stories: loading an unchanged story skips parsing and building.

Owns: storing a checked `Story` and its diagnostics after a compilation with no error,
and giving them back when every input is unchanged. An entry records what the
compilation read: each file's path and SHA-256, and each folder it listed for branch
files (with the files found). A lookup re-reads those files (hashing 6 MB costs a few
milliseconds) and re-lists those folders; any difference is a miss, and the story is
compiled for real. The key also holds the working folder (messages name files relative
to it), the story and branch paths as given, and a stamp of the compiler's and
runtime's own source files, so a changed engine never reads an older entry.

What is stored: the model pickled, except the compiled closures (a condition's test, a
text value's getter), which cannot be pickled: they are written as their source and
compiled again on load, each distinct source once, against the story's own names. The
result is the same object graph a compilation makes.

Entries live in the cache folder of `engine.compiler.yamlcache` (`$HYOSAN_CACHE`,
`HYOSAN_CACHE=off` disables both), under `models/`, bounded like it. They are only ever
read from the user's own cache folder, never from a story or a save. A missing, stale or
damaged entry is ignored: the cache can only make loading faster, never different.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import marshal
import os
import pickle
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import engine
from engine.compiler.inputs import Inputs
from engine.compiler.language import Symbols, compile_condition, compile_expression
from engine.compiler.yamlcache import cache_dir, prune
from engine.diagnostics import Diagnostic, Pos
from engine.runtime.conditions import Condition
from engine.runtime.model import Story, frozen
from engine.runtime.text import Branch, Value

__all__ = ["Inputs", "lookup", "store"]

_FORMAT = "hyosan-model-cache-1"
_LIMIT = 256 * 1024 * 1024  # bytes of entries kept (least recently used go first)
_SUBFOLDER = "models"


_stamp: str | None = None


def _engine_stamp() -> str:
    """Changes whenever a compiler or runtime source file does (a developer's checkout
    keeps its version number while the code changes)."""
    global _stamp
    if _stamp is None:
        digest = hashlib.sha256(f"{_FORMAT}\0{engine.__version__}".encode())
        base = Path(engine.__file__).parent
        for package in ("compiler", "runtime"):
            for entry in sorted(os.scandir(base / package), key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    digest.update(f"{entry.name}\0{info.st_mtime_ns}\0{info.st_size}\0".encode())
        info = (base / "diagnostics.py").stat()
        digest.update(f"diagnostics\0{info.st_mtime_ns}\0{info.st_size}".encode())
        _stamp = digest.hexdigest()
    return _stamp


def _entry(root: Path | str, branches: tuple[str, ...]) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        where = os.getcwd()
    except OSError:
        return None
    key = "\0".join((_engine_stamp(), where, str(root), *branches))
    return folder / _SUBFOLDER / (hashlib.sha256(key.encode()).hexdigest() + ".model")


# --- pickling the model: closures travel as their source --------------------------------


def _proxy(mapping: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return (frozen, (dict(mapping),))  # rebuilt by the model's own constructor


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields(kind: type) -> tuple[str, ...] | None:
    """The fields to call a dataclass of the engine with; None for any other class."""
    try:
        return _FIELDS[kind]
    except KeyError:
        pass
    names = None
    if dataclasses.is_dataclass(kind) and kind.__module__.startswith("engine."):
        fields = dataclasses.fields(kind)
        if all(f.init for f in fields) and not hasattr(kind, "__post_init__"):
            names = tuple(f.name for f in fields)
    _FIELDS[kind] = names
    return names


class _Pickler(pickle.Pickler):
    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = {MappingProxyType: _proxy}

    def reducer_override(self, obj: Any) -> Any:
        # A frozen dataclass is rebuilt by calling it: several times faster to load than
        # pickle's default for slotted classes (a Python-level __setstate__ per object).
        kind = type(obj)
        if kind is Pos:  # built in C, not through NamedTuple's Python-level __new__
            return (tuple.__new__, (Pos, tuple(obj)))
        names = _fields(kind)
        if names is None:
            return NotImplemented
        return (kind, tuple([getattr(obj, name) for name in names]))

    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is Condition:
            return ("c", obj.source, tuple(obj.pos), obj.reads)
        if kind is Value:
            return ("v", obj.source)
        if kind is Branch:
            return ("b", obj.source, obj.then, obj.otherwise)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, source: BinaryIO, symbols: Symbols) -> None:
        super().__init__(source)
        self.symbols = symbols
        self.tests: dict[str, Any] = {}
        self.getters: dict[str, Any] = {}

    def _getter(self, source: str) -> Any:
        found = self.getters.get(source)
        if found is None:
            found = self.getters[source] = compile_expression(source, self.symbols).get
        return found

    def persistent_load(self, pid: Any) -> Any:
        kind = pid[0]
        if kind == "c":
            _, source, pos, reads = pid
            test = self.tests.get(source)
            if test is None:
                test = self.tests[source] = _condition_test(source, self.symbols)
            return Condition(source, test, Pos(*pos), reads)
        if kind == "v":
            return Value(pid[1], self._getter(pid[1]))
        if kind == "b":
            _, source, then, otherwise = pid
            return Branch(source, self._getter(source), then, otherwise)
        raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")


def _condition_test(source: str, symbols: Symbols) -> Any:
    if source in ("true", "false"):  # a bare YAML true/false (`constant`)
        from engine.diagnostics import Pos
        from engine.runtime.conditions import constant

        return constant(source == "true", Pos("", 0, 0)).test
    return compile_condition(source, symbols).test


def _symbols_of(story: Story) -> tuple[Any, ...]:
    """What compiling a condition needs to know about the story, as plain data."""
    return (
        dict(story.cast_index),
        dict(story.item_index),
        tuple(story.flags),
        dict(story.counter_index),
        tuple(story.nodes),
        {cid: c.name for cid, c in story.cast.items()},
        tuple(story.places),
    )


def _symbols(data: tuple[Any, ...]) -> Symbols:
    cast_index, item_index, flags, counter_index, nodes, names, places = data
    return Symbols(
        cast_index, item_index, frozenset(flags), counter_index, frozenset(nodes), names, places
    )


# --- the entry points ------------------------------------------------------------------


def lookup(root: Path | str, branches: tuple[str, ...]) -> tuple[Story, list[Diagnostic]] | None:
    """The story and diagnostics a compilation of unchanged inputs gave; None on a miss."""
    entry = _entry(root, branches)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            header, files, listings, symbols = marshal.loads(handle.read(size))
            if header != _FORMAT:
                return None
            inputs = Inputs([tuple(f) for f in files], [tuple(x) for x in listings])
            if not inputs.unchanged():
                return None
            was_enabled = gc.isenabled()
            gc.disable()  # many long-lived objects: see check_story
            try:
                story, diagnostics = _Unpickler(handle, _symbols(symbols)).load()
            finally:
                if was_enabled:
                    gc.enable()
    except Exception:
        return None
    if not isinstance(story, Story):
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # recently used: pruned last
    return story, list(diagnostics)


def store(
    root: Path | str,
    branches: tuple[str, ...],
    inputs: Inputs,
    story: Story,
    diagnostics: list[Diagnostic],
) -> None:
    """Remember a compilation with no error; failures are silent (a cache). The entry is
    the inputs (marshal, behind their length), then the model pickled straight to the
    file (no copy of it in memory)."""
    entry = _entry(root, branches)
    if entry is None:
        return
    temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        header = marshal.dumps((_FORMAT, inputs.files, inputs.listings, _symbols_of(story)))
        entry.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(len(header).to_bytes(8, "little"))
            handle.write(header)
            _Pickler(handle).dump((story, diagnostics))
        os.replace(temporary, entry)
        prune(entry.parent, _LIMIT)
    except (OSError, pickle.PicklingError, TypeError, ValueError, AttributeError):
        with contextlib.suppress(OSError):
            temporary.unlink()
