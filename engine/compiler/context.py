"""What one compilation knows so far, and how it reports: the shared `Context`.

Owns: the diagnostics of the run, the fingerprint digest, the declarations found so far
(cast, items, flags, counters and their indexes), the raw nodes collected from every
file, the marks that keep one diagnostic per cause, `keys` (checking a mapping against a
section of `engine.compiler.spec`) and `compile_condition` (condition text -> a runtime
`Condition`, with errors at the exact column). The other compiler modules are functions
over a Context.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.compiler.folders import probe
from engine.compiler.inputs import Inputs
from engine.compiler.language import Compiled, Symbols
from engine.compiler.language import compile_condition as compile_text
from engine.compiler.locate import locate, quote_bool_hint, source_lines, split_text_hint
from engine.compiler.spec import Section, type_names
from engine.compiler.syntax import LanguageError
from engine.compiler.ytree import YMap
from engine.diagnostics import Diagnostics, Pos, did_you_mean
from engine.runtime.conditions import Condition, constant
from engine.runtime.model import Character, Counter, Episode, Flag, Item
from engine.runtime.world import PLACES

__all__ = ["MANIFEST", "Context", "RawFile", "RawNode", "find_manifest", "is_type", "kind_of"]

MANIFEST = "story.yaml"


def find_manifest(path: Path) -> Path:
    """The manifest for a story folder or manifest path (never raises)."""
    return path / MANIFEST if probe(path).kind == "folder" else path


@dataclass
class RawFile:
    """A parsed episode or branch file: the name shown in messages, its data, its
    episode number (if any) and kind ("episode" or "branch")."""

    shown: str
    data: YMap
    episode: int | None
    kind: str


@dataclass
class RawNode:
    body: YMap
    file: RawFile
    pos: Pos


@dataclass
class Context:
    root: Path
    diags: Diagnostics = field(default_factory=Diagnostics)
    digest: Any = field(default_factory=hashlib.sha256)
    cast: dict[str, Character] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    flags: dict[str, Flag] = field(default_factory=dict)
    counters: dict[str, Counter] = field(default_factory=dict)
    raw_nodes: dict[str, RawNode] = field(default_factory=dict)
    extra_choices: dict[str, list[tuple[YMap, RawFile, Pos]]] = field(default_factory=dict)
    episodes: dict[int, Episode] = field(default_factory=dict)
    visits: set[str] = field(default_factory=set)
    counted_visits: set[str] = field(default_factory=set)  # nodes visits() counts
    places: dict[str, Pos] = field(default_factory=dict)  # the story's own, under places:
    cast_index: dict[str, int] = field(default_factory=dict)
    item_index: dict[str, int] = field(default_factory=dict)
    counter_index: dict[str, int] = field(default_factory=dict)
    # For exact error columns: an editor buffer's bytes, or the path of a file on disk.
    sources: dict[str, bytes | Path] = field(default_factory=dict)
    compiled: dict[str, Compiled] = field(default_factory=dict)
    # Real path -> contents that stand in for the file on disk (an editor's buffers).
    overlay: Mapping[str, bytes] = field(default_factory=dict)
    inputs: Inputs = field(default_factory=Inputs)  # every file read, folder listed
    _symbols: Symbols | None = None
    # Each file's lines once decoded (`lines`); a resident compiler watches what a
    # node's build reads of them (`engine.compiler.recording.WatchedLines`).
    line_cache: dict[str, list[str]] = field(default_factory=dict)
    # One diagnostic per cause: what a reported mistake would otherwise cascade into.
    incomplete: bool = False  # a listed file could not be read: ids may live there
    broken_nodes: set[str] = field(default_factory=set)  # a choice of theirs failed to build
    hinted_targets: set[str] = field(default_factory=set)  # where broken gotos meant to go

    @property
    def base(self) -> Path:
        """The story folder."""
        return find_manifest(self.root).parent

    def error(
        self,
        pos: Pos,
        code: str,
        message: str,
        suggestion: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.diags.add(pos, code, message, suggestion=suggestion, fix=fix)

    def shown(self, path: Path) -> str:
        """How a path is named in messages: relative to the working folder when inside."""
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def keys(self, m: YMap, section: Section, what: str, where: Pos | None = None) -> bool:
        """Report unknown keys, missing keys and wrong types; True when usable.

        `where` is where a missing key is reported: the owner's own key (a node's id)
        reads better than the mapping's first key.
        """
        ok = True
        for key, value in m.items():
            spec = section.get(key)
            if spec is None:
                self.error(
                    m.key_pos[key],
                    "E010",
                    f'unknown key "{key}" in {what}',
                    did_you_mean(key, section),
                    split_text_hint(m, key),
                )
                continue
            if spec.types[0] is str and type(value) is str:
                continue  # the common case, checked first: loading is linear in keys
            if not any(is_type(value, t) for t in spec.types):
                names = type_names(spec.types)
                hint = None
                if isinstance(value, bool) and str in spec.types:
                    hint = quote_bool_hint(self.lines(m.at(key).path), m.at(key), key)
                message = f"{key}: must be {names}, not {kind_of(value)}"
                self.error(m.at(key), "E012", message, fix=hint)
                ok = False
        for key, spec in section.items():
            if spec.required and key not in m:
                self.error(where or m.pos, "E011", f'{what} is missing "{key}"')
                ok = False
        return ok

    def lines(self, path: str) -> list[str]:
        """The lines of a file read, decoded once (for exact columns in conditions)."""
        found = self.line_cache.get(path)
        if found is None:
            source = self.sources.get(path, b"")
            if isinstance(source, Path):
                try:
                    source = source.read_bytes()
                except OSError:  # gone since it was read: columns fall back to the key's
                    source = b""
            found = self.line_cache[path] = source_lines(source)
        return found

    def forget_symbols(self) -> None:
        """Make the condition compiler's names again at their next use: after
        `raw_nodes` was replaced (node ids are among the names)."""
        self._symbols = None

    def symbols(self) -> Symbols:
        if self._symbols is None:
            self._symbols = Symbols(
                self.cast_index,
                self.item_index,
                self.flags,
                self.counter_index,
                self.raw_nodes,
                {cid: c.name for cid, c in self.cast.items()},
                (*PLACES, *self.places),
            )
        return self._symbols

    def compile_condition(self, value: Any, owner: YMap, key: str) -> Condition | None:
        """`owner[key]` as a condition; reported and None when it does not compile."""
        pos = owner.at(key)
        if isinstance(value, bool):
            return constant(value, pos)
        if not isinstance(value, str):
            self.error(pos, "E012", f"{key}: a condition must be a string")
            return None
        try:
            compiled = self.compiled.get(value)
            if compiled is None:  # the same condition often stands in many places
                compiled = compile_text(value, self.symbols())
                self.compiled[value] = compiled
        except LanguageError as exc:
            if self.incomplete and exc.code in _UNKNOWN_NAMES:
                return None  # the file that could not be read may declare the name
            style = owner.val_style.get(key)
            where = locate(self.lines(pos.path), pos, style, value, exc.offset)
            self.error(where, exc.code, exc.message, exc.suggestion)
            return None
        self.visits |= compiled.visits
        self.counted_visits |= compiled.counts
        return Condition(value, compiled.test, pos, compiled.reads)


_UNKNOWN_NAMES = frozenset({"E030", "E031", "E032", "E033", "E034"})


def is_type(value: Any, want: type) -> bool:
    """Whether a YAML value has the type a spec field wants (bools are not numbers)."""
    if want is bool:
        return isinstance(value, bool)
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if want is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, want)


_KINDS = (
    (bool, "true or false"),
    (int, "a whole number"),
    (float, "a number"),
    (str, "a string"),
    (dict, "a mapping"),
    (list, "a list"),
)


def kind_of(value: Any) -> str:
    """What a YAML value is, in words: "a string", "nothing"."""
    if value is None:
        return "nothing"
    for t, name in _KINDS:
        if isinstance(value, t):
            return name
    return type(value).__name__
