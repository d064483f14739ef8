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
import functools
import gc
import hashlib
import marshal
import os
import pickle
import threading
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import engine
from engine.compiler.inputs import Inputs
from engine.compiler.language import Symbols, compile_condition, compile_expression
from engine.compiler.yamlcache import cache_dir, prune
from engine.diagnostics import Diagnostic, Pos
from engine.runtime.conditions import Condition, constant
from engine.runtime.model import Story, frozen
from engine.runtime.text import Branch, Value

__all__ = ["Inputs", "lookup", "store"]

_FORMAT = "hyosan-model-cache-2"
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


class _Compiling:
    """What a load compiles again: each distinct condition and expression once."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self.tests: dict[str, Any] = {}
        self.getters: dict[str, Any] = {}

    def test(self, source: str) -> Any:
        found = self.tests.get(source)
        if found is None:
            if source in ("true", "false"):  # a bare YAML true/false (`constant`)
                found = constant(source == "true", Pos("", 0, 0)).test
            else:
                found = compile_condition(source, self.symbols).test
            self.tests[source] = found
        return found

    def getter(self, source: str) -> Any:
        found = self.getters.get(source)
        if found is None:
            found = self.getters[source] = compile_expression(source, self.symbols).get
        return found


_loading = threading.local()  # the `_Compiling` of the load under way in this thread


def _condition(source: str, pos: tuple[str, int, int], reads: frozenset[Any]) -> Condition:
    return Condition(source, _loading.now.test(source), _new(Pos, pos), reads)


def _value(source: str) -> Value:
    return Value(source, _loading.now.getter(source))


def _branch(source: str, then: tuple[Any, ...], otherwise: tuple[Any, ...]) -> Branch:
    return Branch(source, _loading.now.getter(source), then, otherwise)


_new = tuple.__new__


def _slot_builder(kind: type, names: list[str]) -> Callable[..., Any]:
    """A function that makes a `kind` from its fields' values, in order: the object made
    by `object.__new__`, each slot filled through its member descriptor (C calls). A
    frozen dataclass's own `__init__` goes through `object.__setattr__` once per field
    in Python, a third slower to load 28,000 choices. Registered in this module under a
    name of its own, where pickle finds it again by name."""
    name = f"_build_{kind.__module__}_{kind.__qualname__}".replace(".", "_")
    setters = {f"_s{i}": getattr(kind, field).__set__ for i, field in enumerate(names)}
    params = ", ".join(f"a{i}" for i in range(len(names)))
    body = "".join(f"    _s{i}(obj, a{i})\n" for i in range(len(names)))
    source = f"def {name}({params}):\n    obj = _make(_kind)\n{body}    return obj\n"
    scope: dict[str, Any] = {"_make": object.__new__, "_kind": kind, **setters}
    exec(source, scope)  # the source is made here from the class's field names
    build: Callable[..., Any] = scope[name]
    build.__module__ = __name__
    build.__qualname__ = name
    globals()[name] = build
    return build


def _dataclass_reducer(kind: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """A frozen dataclass is rebuilt from its fields' values: several times faster to
    load than pickle's default for slotted classes (a Python-level `__setstate__` per
    object). None for a class that cannot be (a field not in `__init__`)."""
    fields = dataclasses.fields(kind)
    if not fields or not all(f.init for f in fields) or hasattr(kind, "__post_init__"):
        return None
    names = [f.name for f in fields]
    make: Callable[..., Any] = kind
    if "__slots__" in vars(kind):
        make = _slot_builder(kind, names)
    if len(names) == 1:
        only = names[0]
        return lambda obj: (make, (getattr(obj, only),))
    get = attrgetter(*names)
    return lambda obj: (make, get(obj))


@functools.cache
def _dispatch() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """How each of the model's types is pickled, looked up by pickle in C by exact type:
    the types not listed take pickle's own way (slower, never wrong). Made at the first
    store or lookup, not at import: the slot builders it registers cost a few ms that a
    command reading no compiled story (an editor's overlay, the cache off) never pays."""
    from engine import diagnostics
    from engine.runtime import effects, model, text

    table: dict[type, Callable[[Any], tuple[Any, ...]]] = {
        MappingProxyType: lambda m: (frozen, (dict(m),)),  # the model's own constructor
        Pos: lambda p: (_new, (Pos, tuple(p))),  # in C, not NamedTuple's Python __new__
        Condition: lambda c: (_condition, (c.source, tuple(c.pos), c.reads)),
        Value: lambda v: (_value, (v.source,)),
        Branch: lambda b: (_branch, (b.source, b.then, b.otherwise)),
    }
    for module in (model, effects, text, diagnostics):
        for kind in vars(module).values():
            if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind not in table:
                reducer = _dataclass_reducer(kind)
                if reducer is not None:
                    table[kind] = reducer
    return table


class _Pickler(pickle.Pickler):
    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = _dispatch()


def _unpickle(source: BinaryIO, symbols: Symbols) -> Any:
    _dispatch()  # the slot builders the entry names are registered here
    _loading.now = _Compiling(symbols)
    try:
        return pickle.Unpickler(source).load()
    finally:
        _loading.now = None


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
                story, diagnostics = _unpickle(handle, _symbols(symbols))
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
        was_enabled = gc.isenabled()
        gc.disable()  # pickling allocates a tuple per object: no collector passes meanwhile
        try:
            with open(temporary, "wb") as handle:
                handle.write(len(header).to_bytes(8, "little"))
                handle.write(header)
                _Pickler(handle).dump((story, diagnostics))
        finally:
            if was_enabled:
                gc.enable()
        os.replace(temporary, entry)
        prune(entry.parent, _LIMIT)
    except (OSError, pickle.PicklingError, TypeError, ValueError, AttributeError):
        with contextlib.suppress(OSError):
            temporary.unlink()
