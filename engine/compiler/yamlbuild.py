"""Positioned trees built straight from the YAML parser's events, counted as they come.

Owns: turning the event stream of PyYAML's parser (libyaml when present) into `YMap` /
`YList` / scalars that remember their source positions, while counting every value and
the nesting depth, so that a file past a limit of `engine.compiler.limits` is refused
the moment it passes it: nothing after that point is parsed or built, and time and
memory stay proportional to what was read. No YAML node graph is composed first.

Anchors and aliases share the value built once; an alias counts as every value it
stands for, so a "billion laughs" file is refused in time proportional to its text.
Merge keys (`<<`) follow YAML: explicit keys win, wherever they stand in the mapping.
Tags other than the plain ones are reported (E007) and never used to build objects.
Problems are raised as `YamlProblem` (a code, a position, a message) for `yamlread`.
"""

from __future__ import annotations

from sys import intern
from typing import Any

import yaml
from yaml import events as ev

from engine.compiler.limits import MAX_DEPTH, MAX_VALUES
from engine.compiler.locate import COLON_IN_TEXT
from engine.compiler.ytree import YList, YMap, pack_entry, pack_item
from engine.diagnostics import Diagnostics, Pos

__all__ = ["PLAIN_TAGS", "YamlProblem", "build_tree"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = _TAG + "str", _TAG + "map", _TAG + "seq", _TAG + "merge"
PLAIN_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
_RESOLVERS: dict[Any, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCT = yaml.constructor.SafeConstructor.yaml_constructors
_scalars = yaml.constructor.SafeConstructor()
_RESOLVABLE = frozenset(c for c in _RESOLVERS if c is not None)  # how non-strings start
_FAST_DIGITS = 18
_SCALAR, _MAP_START, _SEQ_START = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
_MAP_END, _SEQ_END = ev.MappingEndEvent, ev.SequenceEndEvent
_new = tuple.__new__  # builds a Pos without NamedTuple's slower Python-level __new__


class YamlProblem(Exception):
    """A file that cannot be used: `code` (E001, E005) at `pos`, with `message`."""

    def __init__(self, code: str, pos: Pos, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.pos = pos
        self.message = message
        self.fix = fix


class _Open:
    """A mapping or list being built: where its values go, and what it has so far."""

    __slots__ = (
        "anchor",
        "height",
        "key",
        "key_col",
        "key_line",
        "merge",
        "merged",
        "start",
        "value",
    )

    def __init__(self, value: YMap | YList, anchor: str | None, start: int) -> None:
        self.value = value
        self.anchor = anchor
        self.start = start  # the value count when it opened: its size is the difference
        self.height = 0  # how deep its own contents nest
        self.key: str | None = None  # a mapping's key waiting for its value, and where
        self.key_line = 0
        self.key_col = 0
        self.merge = False  # the key waiting is `<<`
        self.merged: set[str] = set()  # keys that came from a merge (explicit keys win)


class _Builder:
    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags
        self.count = 0
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int, int, Pos]] = {}  # value, size, height, pos
        self.result: Any = None
        self.documents = 0
        # One int object per line number, shared by every position on that line (line
        # numbers past 256 are otherwise a new int each: about a quarter of a position).
        self.lines: dict[int, int] = {}

    def pos(self, event: Any) -> Pos:
        mark = event.start_mark
        line = mark.line + 1
        return _new(Pos, (self.path, self.lines.setdefault(line, line), mark.column + 1))

    def too_big(self, event: Any, message: str) -> YamlProblem:
        return YamlProblem("E005", self.pos(event), message)

    def grow(self, event: Any, size: int, height: int) -> None:
        """Count `size` more values that nest `height` deep, at the current depth."""
        self.count += size
        if self.count > MAX_VALUES:
            raise self.too_big(event, f"the file expands to more than {MAX_VALUES:,} values")
        if len(self.stack) + height > MAX_DEPTH:
            raise self.too_big(event, f"the data is nested more than {MAX_DEPTH} levels deep")

    # --- events ---
    def run(self, parser: Any) -> None:
        """Take every event of `parser` until the stream ends."""
        get = parser.get_event
        scalar = self.scalar
        while True:
            event = get()
            kind = type(event)
            if kind is _SCALAR:
                scalar(event)
            elif kind is _MAP_START or kind is _SEQ_START:
                self.open(event, kind is _MAP_START)
            elif kind is _MAP_END or kind is _SEQ_END:
                self.close()
            elif kind is ev.AliasEvent:
                self.alias(event)
            elif kind is ev.DocumentStartEvent:
                self.document(event)
            elif kind is ev.StreamEndEvent:
                return

    def document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise YamlProblem(
                "E001",
                self.pos(event),
                "but found another document (expected a single document in the stream)",
            )

    def open(self, event: Any, mapping: bool) -> None:
        self.grow(event, 1, 0)
        tag = event.tag
        if tag is not None and tag != "!" and tag not in PLAIN_TAGS:
            self.diags.add(self.pos(event), "E007", f'unsupported YAML tag "{tag}"')
        value: YMap | YList
        if mapping:
            value = YMap()
            value.places = {}
        else:
            value = YList()
            value.places = []
        value.pos = self.pos(event)
        anchor = self.anchor(event)
        self.stack.append(_Open(value, anchor, self.count - 1))

    def close(self) -> None:
        done = self.stack.pop()
        height = done.height + 1
        if done.anchor is not None:
            size = self.count - done.start
            self.anchors[done.anchor] = (done.value, size, height, done.value.pos)
        pos = done.value.pos
        self.deliver(done.value, pos[1], pos[2], None, height)

    def anchor(self, event: Any) -> str | None:
        name: str | None = event.anchor
        if name is not None and name in self.anchors:
            first = self.anchors[name][3]
            raise YamlProblem(
                "E001",
                self.pos(event),
                f"the anchor &{name} is already defined at line {first.line}, column "
                f"{first.col}; give each anchor its own name",
            )
        return name

    def alias(self, event: Any) -> None:
        name = event.anchor
        found = self.anchors.get(name)
        if found is None:
            if any(o.anchor == name for o in self.stack):
                raise self.too_big(event, f"the alias *{name} is inside the data it names")
            raise YamlProblem("E001", self.pos(event), f'found undefined alias "{name}"')
        value, size, height, _ = found
        self.grow(event, size, height)
        mark = event.start_mark
        self.deliver(value, mark.line + 1, mark.column + 1, None, height)

    def scalar(self, event: Any) -> None:
        self.count += 1
        if self.count > MAX_VALUES or len(self.stack) > MAX_DEPTH:
            self.grow(event, 0, 0)  # raises
        mark = event.start_mark
        text: str = event.value
        if event.tag is None and (not event.implicit[0] or text[:1] not in _RESOLVABLE):
            # quoted, a block, or plain text no other type starts like; a short one is
            # most often an id (a goto, a choice id) that stands in many places: shared
            value: Any = intern(text) if len(text) <= _SHORT else text
        elif event.tag is None and _is_decimal(text):
            value = int(text)
        else:
            value = self.construct(event)
        if event.anchor is not None:
            self.anchors[self.anchor(event)] = (value, 1, 0, self.pos(event))  # type: ignore[index]
        self.deliver(value, mark.line + 1, mark.column + 1, event.style, 0)

    def awaiting_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and type(top.value) is YMap and top.key is None and not top.merge

    def construct(self, event: Any) -> Any:
        text: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return text  # quoted, or a block scalar: always a string
            tag = _resolve(text)
            if tag == _STR:
                return text
            if tag == _MERGE and self.awaiting_key():
                return _MERGE_KEY  # `<<` in key position
        elif tag not in PLAIN_TAGS:
            self.diags.add(self.pos(event), "E007", f'unsupported YAML tag "{tag}"')
            # Keep a non-empty placeholder so the tag is the only thing reported.
            return text or "(unsupported tag)"
        if tag == _STR or tag not in _CONSTRUCT:
            return text
        try:
            return _CONSTRUCT[tag](_scalars, yaml.ScalarNode(tag, text))
        except (yaml.YAMLError, ValueError, OverflowError):
            return text

    # --- putting values in place ---
    def deliver(self, value: Any, line: int, col: int, style: str | None, height: int) -> None:
        """Put `value`, which starts at `line`, `col`, into the mapping or list open."""
        if not self.stack:
            self.result = value
            return
        parent = self.stack[-1]
        if height + 1 > parent.height:
            parent.height = height + 1
        into = parent.value
        if type(into) is YList:
            into.append(value)
            into.places.append(pack_item(line, col, style))
            return
        assert isinstance(into, YMap)
        if parent.key is None and not parent.merge:
            if value is _MERGE_KEY:
                parent.merge = True
                return
            # Keys repeat (`id`, `text`, `goto` in every choice): one string object each.
            parent.key = intern(value) if type(value) is str else self.key_text(value, line, col)
            parent.key_line = line
            parent.key_col = col
            return
        if parent.merge:
            parent.merge = False
            self.merge(parent, value, line, col)
            return
        key = parent.key
        parent.key = None
        assert key is not None
        places = into.places
        if key in places and (not parent.merged or key not in parent.merged):
            first = into.key_pos[key]
            self.diags.add(
                Pos(self.path, parent.key_line, parent.key_col),
                "E021",
                f'duplicate key "{key}" (first at line {first.line}, column {first.col})',
            )
            return
        if parent.merged:
            parent.merged.discard(key)
        into[key] = value
        places[key] = pack_entry(parent.key_line, parent.key_col, line, col, style)

    def key_text(self, value: Any, line: int, col: int) -> str:
        if isinstance(value, YMap | YList):
            kind = "mapping" if isinstance(value, YMap) else "list"
            self.diags.add(
                Pos(self.path, line, col), "E012", f"a key must be a plain value, not a {kind}"
            )
            return f"({kind} at line {line}, column {col})"
        return str(value)

    def merge(self, parent: _Open, value: Any, line: int, col: int) -> None:
        into = parent.value
        assert isinstance(into, YMap)
        if isinstance(value, YList):
            sources = list(zip(value, value.item_pos, strict=True))
        else:
            sources = [(value, Pos(self.path, line, col))]
        for source, where in sources:
            if not isinstance(source, YMap):
                self.diags.add(where, "E012", "a merge key (<<) needs a mapping")
                continue
            for key, item in source.items():
                if key not in into:
                    into[key] = item
                    into.places[key] = source.places[key]  # the key and value where written
                    parent.merged.add(key)


_SHORT = 40  # plain values this long or shorter are interned (ids, gotos)


class _MergeKey:
    """The `<<` key of a mapping (never a value anyone sees)."""


_MERGE_KEY = _MergeKey()


def _is_decimal(text: str) -> bool:
    """Whether YAML reads this plain scalar as a decimal int (no sign, no leading 0)."""
    return (
        text.isdigit()
        and text.isascii()
        and len(text) <= _FAST_DIGITS
        and (text[0] != "0" or len(text) == 1)
    )


def _resolve(text: str) -> str:
    """The tag YAML gives a plain scalar: int, float, bool, null, timestamp or str."""
    for tag, pattern in _RESOLVERS.get(text[:1], ()):
        if pattern.match(text):
            return tag
    return _STR


def build_tree(text: str, path: str, diags: Diagnostics) -> Any:
    """The positioned tree of the YAML document in `text`; raises `YamlProblem`.

    A stream that holds no document is reported as E006 (returns None); problems that
    leave the file usable (a tag, a duplicate key) are added to `diags`.
    """
    builder = _Builder(path, diags)
    parser = _Loader(text)
    try:
        builder.run(parser)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        fix = COLON_IN_TEXT if problem.startswith("mapping values are not allowed") else None
        raise YamlProblem("E001", Pos(path, line, col), problem, fix) from None
    finally:
        parser.dispose()
    if builder.documents == 0:
        raise YamlProblem("E006", Pos(path, 1, 1), "the file holds no YAML document")
    return builder.result
