"""Positioned YAML trees: mappings and lists that remember where each part came from.

Owns: `YMap` and `YList`, the plain values `engine.compiler.yamlread` produces and the
parse cache stores: dicts and lists with the source position of themselves, their keys,
values and items, and the scalar style of each value (for exact columns inside folded
conditions). Scalars stay plain Python values.
"""

from __future__ import annotations

from typing import Any

from engine.diagnostics import Pos

__all__ = ["YList", "YMap"]


class YMap(dict[str, Any]):
    """A mapping with the position of itself, of each key and of each value."""

    __slots__ = ("key_pos", "pos", "val_pos", "val_style")  # no per-object __dict__: a
    # file may hold a million of these

    pos: Pos
    key_pos: dict[str, Pos]
    val_pos: dict[str, Pos]
    val_style: dict[str, str | None]

    def at(self, key: str) -> Pos:
        """Position of the value under `key` (or of the key, or the mapping)."""
        return self.val_pos.get(key) or self.key_pos.get(key) or self.pos


class YList(list[Any]):
    """A list with the position of itself and of each item."""

    __slots__ = ("item_pos", "item_style", "pos")

    pos: Pos
    item_pos: list[Pos]
    item_style: list[str | None]
