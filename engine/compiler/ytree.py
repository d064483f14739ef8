"""Positioned YAML trees: mappings and lists that remember where each part came from.

Owns: `YMap` and `YList`, the plain values `engine.compiler.yamlread` produces and the
parse cache stores: dicts and lists with the source position of themselves, their keys,
values and items, and the scalar style of each value (for exact columns inside folded
conditions). Scalars stay plain Python values.

A file may hold millions of keys, so the places are packed: a mapping keeps one small
int per key (the key's line and column, how many lines further its value starts, the
value's column and style), a list one int per item (line, column, style). A place too
far for its field (a column past 16,383, a value more than 1,023 lines after its key)
is kept as a plain tuple instead, so every place is exact. `Pos` objects are made only
when asked for: `at(key)`, and the read-only views `key_pos`, `val_pos`, `val_style`,
`item_pos` and `item_style`, which behave as the mappings and lists they stand for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from engine.diagnostics import Pos

__all__ = ["STYLES", "YList", "YMap", "pack_entry", "pack_item"]

# The scalar styles the parser reports ('' is plain; None stands for a mapping or list).
STYLES: tuple[str | None, ...] = (None, "", "'", '"', "|", ">")
_STYLE_CODE: dict[str | None, int] = {style: code for code, style in enumerate(STYLES)}
_COL_BITS = 14  # columns 1-16,383
_GAP_BITS = 10  # a value up to 1,023 lines after its key
_COL_MAX = (1 << _COL_BITS) - 1
_GAP_MAX = (1 << _GAP_BITS) - 1
# a mapping entry, from the lowest bits: style (3), value column, line gap, key column,
# key line (all the bits above)
_VCOL_SHIFT = 3
_GAP_SHIFT = _VCOL_SHIFT + _COL_BITS
_KCOL_SHIFT = _GAP_SHIFT + _GAP_BITS
_KLINE_SHIFT = _KCOL_SHIFT + _COL_BITS
# a list item: style (3), column, line
_ILINE_SHIFT = _VCOL_SHIFT + _COL_BITS

# A packed place: an int, or, past a field's width, (key line, key column, value line,
# value column, style) for an entry and (line, column, style) for an item.
Entry = int | tuple[int, int, int, int, str | None]
Item = int | tuple[int, int, str | None]
_new = tuple.__new__  # builds a Pos without NamedTuple's slower Python-level __new__


def pack_entry(kline: int, kcol: int, vline: int, vcol: int, style: str | None) -> Entry:
    """The place of a mapping's key and value, packed."""
    code = _STYLE_CODE.get(style)
    gap = vline - kline
    if code is None or not (0 <= gap <= _GAP_MAX and kcol <= _COL_MAX and vcol <= _COL_MAX):
        return (kline, kcol, vline, vcol, style)
    return (
        kline << _KLINE_SHIFT | kcol << _KCOL_SHIFT | gap << _GAP_SHIFT | vcol << _VCOL_SHIFT | code
    )


def pack_item(line: int, col: int, style: str | None) -> Item:
    """The place of a list's item, packed."""
    code = _STYLE_CODE.get(style)
    if code is None or col > _COL_MAX:
        return (line, col, style)
    return line << _ILINE_SHIFT | col << _VCOL_SHIFT | code


def _key_pos(path: str, p: Entry) -> Pos:
    if type(p) is int:
        return _new(Pos, (path, p >> _KLINE_SHIFT, p >> _KCOL_SHIFT & _COL_MAX))
    return _new(Pos, (path, p[0], p[1]))  # type: ignore[index]


def _val_pos(path: str, p: Entry) -> Pos:
    if type(p) is int:
        line = (p >> _KLINE_SHIFT) + (p >> _GAP_SHIFT & _GAP_MAX)
        return _new(Pos, (path, line, p >> _VCOL_SHIFT & _COL_MAX))
    return _new(Pos, (path, p[2], p[3]))  # type: ignore[index]


def _val_style(p: Entry) -> str | None:
    return STYLES[p & 7] if type(p) is int else p[4]  # type: ignore[index]


def _item_pos(path: str, p: Item) -> Pos:
    if type(p) is int:
        return _new(Pos, (path, p >> _ILINE_SHIFT, p >> _VCOL_SHIFT & _COL_MAX))
    return _new(Pos, (path, p[0], p[1]))  # type: ignore[index]


def _item_style(p: Item) -> str | None:
    return STYLES[p & 7] if type(p) is int else p[2]  # type: ignore[index]


class YMap(dict[str, Any]):
    """A mapping with the position of itself, of each key and of each value."""

    __slots__ = ("places", "pos")  # no per-object __dict__: a file may hold a million

    pos: Pos
    places: dict[str, Entry]  # each key's packed places, in the mapping's order

    def at(self, key: str) -> Pos:
        """Position of the value under `key` (or of the mapping, for a missing key)."""
        p = self.places.get(key)
        if p is None:
            return self.pos
        return _val_pos(self.pos[0], p)

    def take_places(self, other: YMap) -> None:
        """Use `other`'s positions (a copy of its contents, as another mapping)."""
        self.pos, self.places = other.pos, other.places

    @property
    def key_pos(self) -> Mapping[str, Pos]:
        """Each key's position."""
        return _Places(self, _key_pos)

    @property
    def val_pos(self) -> Mapping[str, Pos]:
        """Each value's position."""
        return _Places(self, _val_pos)

    @property
    def val_style(self) -> Mapping[str, str]:
        """Each scalar value's style ('' plain, ' or " quoted, | or > a block); a key
        whose value is a mapping or a list is not in it."""
        return _Styles(self)


class YList(list[Any]):
    """A list with the position of itself and of each item."""

    __slots__ = ("places", "pos")

    pos: Pos
    places: list[Item]  # each item's packed place

    @property
    def item_pos(self) -> Sequence[Pos]:
        """Each item's position."""
        return _ItemPlaces(self)

    @property
    def item_style(self) -> Sequence[str | None]:
        """Each item's scalar style (None for a mapping or a list)."""
        return _ItemStyles(self)


class _Places(Mapping[str, Pos]):
    """The keys' or the values' positions of a `YMap`, made when asked for."""

    __slots__ = ("_decode", "_map")

    def __init__(self, owner: YMap, decode: Any) -> None:
        self._map = owner
        self._decode = decode

    def __getitem__(self, key: str) -> Pos:
        pos: Pos = self._decode(self._map.pos[0], self._map.places[key])
        return pos

    def get(self, key: str, default: Any = None) -> Any:
        p = self._map.places.get(key)
        return default if p is None else self._decode(self._map.pos[0], p)

    def __contains__(self, key: object) -> bool:
        return key in self._map.places

    def __iter__(self) -> Iterator[str]:
        return iter(self._map.places)

    def __len__(self) -> int:
        return len(self._map.places)


class _Styles(Mapping[str, str]):
    """The scalar styles of a `YMap`'s values (keys of mappings and lists left out)."""

    __slots__ = ("_map",)

    def __init__(self, owner: YMap) -> None:
        self._map = owner

    def __getitem__(self, key: str) -> str:
        style = _val_style(self._map.places[key])
        if style is None:
            raise KeyError(key)
        return style

    def get(self, key: str, default: Any = None) -> Any:
        p = self._map.places.get(key)
        style = None if p is None else _val_style(p)
        return default if style is None else style

    def __contains__(self, key: object) -> bool:
        p = self._map.places.get(key)  # type: ignore[call-overload]
        return p is not None and _val_style(p) is not None

    def __iter__(self) -> Iterator[str]:
        return (k for k, p in self._map.places.items() if _val_style(p) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _ItemPlaces(Sequence[Pos]):
    """The items' positions of a `YList`, made when asked for."""

    __slots__ = ("_list",)

    def __init__(self, owner: YList) -> None:
        self._list = owner

    @overload
    def __getitem__(self, index: int) -> Pos: ...
    @overload
    def __getitem__(self, index: slice) -> list[Pos]: ...
    def __getitem__(self, index: int | slice) -> Pos | list[Pos]:
        path = self._list.pos[0]
        if isinstance(index, slice):
            return [_item_pos(path, p) for p in self._list.places[index]]
        return _item_pos(path, self._list.places[index])

    def __iter__(self) -> Iterator[Pos]:
        path = self._list.pos[0]
        return (_item_pos(path, p) for p in self._list.places)

    def __len__(self) -> int:
        return len(self._list.places)


class _ItemStyles(Sequence[str | None]):
    """The items' scalar styles of a `YList`."""

    __slots__ = ("_list",)

    def __init__(self, owner: YList) -> None:
        self._list = owner

    @overload
    def __getitem__(self, index: int) -> str | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[str | None]: ...
    def __getitem__(self, index: int | slice) -> str | list[str | None] | None:
        if isinstance(index, slice):
            return [_item_style(p) for p in self._list.places[index]]
        return _item_style(self._list.places[index])

    def __iter__(self) -> Iterator[str | None]:
        return (_item_style(p) for p in self._list.places)

    def __len__(self) -> int:
        return len(self._list.places)
