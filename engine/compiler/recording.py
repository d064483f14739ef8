"""Recording what one step of a compilation did to its `Context`, to replay it later.

Owns: the instruments `engine.compiler.incremental` puts into a `Context` while a node
is built or the whole-story checks run: `Recorder` (every diagnostic said, as said),
`WatchedNodes` (which node ids were asked about, or whether all of them were listed),
`WatchedConditions` (a condition compiled earlier counts its node ids as asked),
`WatchedLines` (whether a file's source lines were read, for exact columns), the
did-you-mean work spent (`budget`), and `same_tree` (two parse trees that build the
same node) and `shape` (a model value as plain data, closures and prose left out).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.compiler.context import RawNode
from engine.compiler.language import Compiled
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Diagnostics, Pos

__all__ = [
    "Recorder",
    "Said",
    "WatchedConditions",
    "WatchedLines",
    "WatchedNodes",
    "same_tree",
    "shape",
]

Said = tuple[Pos, str, str, str | None, str | None]  # Diagnostics.add's arguments


@dataclass
class Recorder(Diagnostics):
    """Passes every diagnostic on to `real` and remembers it, as it was said. It holds
    `real`'s items, so what it answers (`has_errors`) is `real`'s answer."""

    real: Diagnostics = field(default_factory=Diagnostics)
    said: list[Said] = field(default_factory=list)

    @classmethod
    def over(cls, real: Diagnostics) -> Recorder:
        return cls(items=real.items, real=real)

    def add(
        self,
        pos: Pos,
        code: str,
        message: str,
        *,
        suggestion: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.said.append((pos, code, message, suggestion, fix))
        self.real.add(pos, code, message, suggestion=suggestion, fix=fix)


class WatchedNodes(dict[str, RawNode]):
    """The raw nodes, noting what a node's build asks of them: which ids it looks up
    (`in`), whether it went through all of them (a did-you-mean), and whether it read
    another node's raw tree (then its build is not kept)."""

    __slots__ = ("asked", "listed", "opaque")

    def __init__(self, nodes: Mapping[str, RawNode]) -> None:
        super().__init__(nodes)
        self.asked: dict[str, bool] | None = None  # None: not recording
        self.listed = False
        self.opaque = False

    def record(self) -> None:
        self.asked, self.listed, self.opaque = {}, False, False

    def __contains__(self, key: object) -> bool:
        found = dict.__contains__(self, key)
        if self.asked is not None and isinstance(key, str):
            self.asked[key] = found
        return found

    def __iter__(self) -> Iterator[str]:
        self.listed = True
        return dict.__iter__(self)

    def __len__(self) -> int:
        self.listed = True
        return dict.__len__(self)

    def keys(self) -> Any:
        self.listed = True
        return dict.keys(self)

    def __getitem__(self, key: str) -> RawNode:
        self.opaque = True
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        self.opaque = True
        return dict.get(self, key, default)

    def values(self) -> Any:
        self.opaque = True
        return dict.values(self)

    def items(self) -> Any:
        self.opaque = True
        return dict.items(self)


class WatchedConditions(dict[str, Compiled]):
    """The conditions compiled so far: one found here was not looked up again, so the
    node ids it names (all there, since it compiled) count as asked."""

    __slots__ = ("watched",)

    def __init__(self, found: Mapping[str, Compiled], watched: WatchedNodes) -> None:
        super().__init__(found)
        self.watched = watched

    def get(self, key: str, default: Any = None) -> Any:
        found = dict.get(self, key, default)
        asked = self.watched.asked
        if found is not None and asked is not None:
            for name in found.visits | found.counts:
                asked[name] = True
        return found


class WatchedLines(dict[str, list[str]]):
    """The source lines read so far, noting whether a build asked for any."""

    __slots__ = ("read",)

    def __init__(self, found: Mapping[str, list[str]]) -> None:
        super().__init__(found)
        self.read = False

    def get(self, key: str, default: Any = None) -> Any:
        self.read = True
        return dict.get(self, key, default)


def same_tree(a: Any, b: Any) -> bool:
    """Whether two parse trees hold the same values, of the same types, in the same
    order, at the same places, in the same styles (a node built from either is the
    same node). The packed places of a mapping or a list hold every key's, value's and
    item's line, column and style, so they are compared as they are."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is YMap:
        return (
            a.pos == b.pos
            and a.places == b.places
            and list(a) == list(b)
            and all(same_tree(value, b[key]) for key, value in a.items())
        )
    if kind is YList:
        return (
            a.pos == b.pos
            and a.places == b.places
            and len(a) == len(b)
            and all(same_tree(x, y) for x, y in zip(a, b, strict=True))
        )
    return bool(a == b)


_PROSE = frozenset({"text", "template", "disabled_text"})


def shape(value: Any) -> Any:
    """A model value as plain data to compare: a dataclass as its type and fields, the
    prose (`text`, `template`, `disabled_text`) and compiled closures left out. Two
    stories of the same shape have the same graph, conditions, effects and places."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(
                shape(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in _PROSE
            ),
        )
    if isinstance(value, tuple | list):
        return tuple(shape(v) for v in value)
    if isinstance(value, Mapping):
        return tuple((k, shape(v)) for k, v in value.items())
    if callable(value):
        return "<compiled>"
    return value
