"""Every id in every story file, where it is defined and where it is used.

Owns: `Occurrence` (one id at one place: its kind, its role and what the place does
with it), `build_index` (a walk over the parsed trees of `engine.lsp.project` that
knows the format: which key declares which kind of id, which effect names which kind,
which condition function takes which kind of argument) and the `Index` it returns, with
the choices and nodes of every file for the outline and the hover. Every occurrence is
checked against the file's text, so a rename never edits the wrong characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.compiler.language import BUILTINS, FUNCTIONS
from engine.compiler.locate import locate
from engine.compiler.syntax import Expr, LanguageError, parse_condition
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Pos
from engine.lsp.project import SourceFile

__all__ = ["KINDS", "ChoiceSite", "Index", "NodeSite", "Occurrence", "build_index"]

KINDS = ("node", "character", "item", "flag", "counter")

_WHO_EFFECTS = {"bite", "reveal", "turn", "kill", "separate", "rejoin", "leave"}
_ITEM_EFFECTS = {"give", "take"}
_FLAG_EFFECTS = {"set", "clear"}
_ON_TURN = ("reference", "on turn")
_DECLARED = {"cast": "character", "items": "item", "flags": "flag", "counters": "counter"}


class Occurrence(NamedTuple):
    """An id at a place: `role` is "definition" or "reference"; `how` says what the
    place does ("goto", "reads", "set", "give", "declares"...)."""

    kind: str
    name: str
    path: str
    line: int  # 1-based
    col: int  # 1-based, in characters
    role: str
    how: str

    @property
    def end(self) -> int:
        return self.col + len(self.name)


class ChoiceSite(NamedTuple):
    """A choice in a file: its node, id, first and last line, and its mapping."""

    node: str
    choice: str
    path: str
    first: int
    last: int
    body: YMap


class NodeSite(NamedTuple):
    """A node (or an add_choices entry) in a file, for the outline."""

    node: str
    path: str
    first: int
    last: int
    choices: tuple[ChoiceSite, ...]
    added: bool  # an add_choices entry of a branch, not a node


@dataclass
class Index:
    occurrences: list[Occurrence] = field(default_factory=list)
    choices: list[ChoiceSite] = field(default_factory=list)
    nodes: list[NodeSite] = field(default_factory=list)

    def at(self, path: str, line: int, col: int) -> Occurrence | None:
        """The id under the cursor (1-based line and column; the end counts too)."""
        for found in self.occurrences:
            if found.path == path and found.line == line and found.col <= col <= found.end:
                return found
        return None

    def of(self, kind: str, name: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.kind == kind and o.name == name]

    def definitions(self, kind: str, name: str) -> list[Occurrence]:
        return [o for o in self.of(kind, name) if o.role == "definition"]

    def names(self, kind: str) -> list[str]:
        """Every declared id of a kind, in file order."""
        seen = dict.fromkeys(
            o.name for o in self.occurrences if o.kind == kind and o.role == "definition"
        )
        return list(seen)

    def choice_at(self, path: str, line: int) -> ChoiceSite | None:
        """The innermost choice whose lines hold `line`."""
        best: ChoiceSite | None = None
        for site in self.choices:
            inside = site.path == path and site.first <= line <= site.last
            if inside and (best is None or site.first >= best.first):
                best = site
        return best


def last_line(value: Any, pos: Pos) -> int:
    """The last line a YAML value's parts start on (its own line for a scalar)."""
    line = pos.line
    if isinstance(value, YMap):
        for key in value:
            line = max(line, value.key_pos[key].line, last_line(value[key], value.at(key)))
    elif isinstance(value, YList):
        for item, where in zip(value, value.item_pos, strict=False):
            line = max(line, last_line(item, where))
    return line


class _Walker:
    def __init__(self, source: SourceFile, index: Index) -> None:
        self.source = source
        self.lines = source.lines
        self.index = index

    def add(self, kind: str, name: Any, pos: Pos, role: str, how: str) -> None:
        if not isinstance(name, str) or not name or name.startswith("$"):
            return
        row = pos.line - 1
        col = pos.col - 1
        text = self.lines[row] if 0 <= row < len(self.lines) else ""
        if text[col : col + 1] in ("'", '"') and text[col + 1 : col + 1 + len(name)] == name:
            col += 1
        if text[col : col + len(name)] != name:
            return  # written in a way this walk cannot point into: never guess
        self.index.occurrences.append(
            Occurrence(kind, name, self.source.path, pos.line, col + 1, role, how)
        )

    def walk(self) -> None:
        tree = self.source.tree
        if not isinstance(tree, YMap):
            return
        for section, kind in _DECLARED.items():
            declared = tree.get(section)
            if isinstance(declared, YMap):
                for name in declared:
                    self.add(kind, name, declared.key_pos[name], "definition", "declares")
        if self.source.kind == "manifest":
            self.manifest(tree)
        nodes = tree.get("nodes")
        if isinstance(nodes, YMap):
            for node_id, body in nodes.items():
                self.add("node", node_id, nodes.key_pos[node_id], "definition", "defines")
                if isinstance(body, YMap):
                    self.node(node_id, body, nodes.key_pos[node_id])
        added = tree.get("add_choices")
        if isinstance(added, YMap):
            for node_id, entries in added.items():
                where = added.key_pos[node_id]
                self.add("node", node_id, where, "reference", "adds choices to")
                sites = self.choice_list(node_id, entries)
                end = last_line(entries, added.at(node_id))
                self.index.nodes.append(
                    NodeSite(node_id, self.source.path, where.line, end, sites, True)
                )

    def manifest(self, tree: YMap) -> None:
        self.add("node", tree.get("start"), tree.at("start"), "reference", "starts at")
        infection = tree.get("infection")
        if isinstance(infection, YMap):
            self.add(
                "node", infection.get("on_turn"), infection.at("on_turn"), "reference", "on turn"
            )
        cast = tree.get("cast")
        if isinstance(cast, YMap):
            for body in cast.values():
                if isinstance(body, YMap):
                    self.add(
                        "node", body.get("on_turn"), body.at("on_turn"), "reference", "on turn"
                    )
        canon = tree.get("canon")
        roster = canon.get("roster") if isinstance(canon, YMap) else None
        if isinstance(roster, YMap):
            for name in roster:
                self.add("character", name, roster.key_pos[name], "reference", "canon roster")

    def node(self, node_id: str, body: YMap, where: Pos) -> None:
        text = body.get("text")
        if isinstance(text, YList):
            for piece in text:
                if isinstance(piece, YMap) and "if" in piece:
                    self.condition(piece, "if")
        self.effects(body.get("do"))
        sites = self.choice_list(node_id, body.get("choices"))
        end = last_line(body, where)
        self.index.nodes.append(NodeSite(node_id, self.source.path, where.line, end, sites, False))

    def choice_list(self, node_id: str, choices: Any) -> tuple[ChoiceSite, ...]:
        sites: list[ChoiceSite] = []
        if not isinstance(choices, YList):
            return ()
        for choice, where in zip(choices, choices.item_pos, strict=False):
            if not isinstance(choice, YMap):
                continue
            if "if" in choice:
                self.condition(choice, "if")
            self.effects(choice.get("do"))
            self.add("node", choice.get("goto"), choice.at("goto"), "reference", "goto")
            choice_id = choice.get("id")
            if isinstance(choice_id, str):
                site = ChoiceSite(
                    node_id,
                    choice_id,
                    self.source.path,
                    where.line,
                    last_line(choice, where),
                    choice,
                )
                sites.append(site)
                self.index.choices.append(site)
        return tuple(sites)

    def effects(self, effects: Any) -> None:
        if not isinstance(effects, YList):
            return
        for effect in effects:
            if isinstance(effect, YMap) and len(effect) == 1:
                kind = next(iter(effect))
                self.effect(kind, effect[kind], effect)

    def effect(self, kind: str, value: Any, owner: YMap) -> None:
        field_name, target = "", ""
        if kind in _WHO_EFFECTS:
            field_name, target = "who", "character"
        elif kind in _ITEM_EFFECTS:
            field_name, target = "item", "item"
        elif kind in _FLAG_EFFECTS:
            field_name, target = "flag", "flag"
        if target:
            if isinstance(value, YMap):
                self.add(target, value.get(field_name), value.at(field_name), "reference", kind)
            else:
                self.add(target, value, owner.at(kind), "reference", kind)
        elif kind == "add" and isinstance(value, YMap):
            for name in value:
                self.add("counter", name, value.key_pos[name], "reference", "add")
        elif kind in ("chance", "when") and isinstance(value, YMap):
            if kind == "when" and "if" in value:
                self.condition(value, "if")
            self.effects(value.get("then"))
            self.effects(value.get("else"))

    def condition(self, owner: YMap, key: str) -> None:
        source = owner.get(key)
        if not isinstance(source, str):
            return
        try:
            tree = parse_condition(source)
        except LanguageError:
            return  # the check reports it; nothing in it can be pointed at
        pos = owner.at(key)
        style = owner.val_style.get(key)
        for kind, name, offset in _names(tree):
            where = locate(self.lines, pos, style, source, offset)
            self.add(kind, name, where, "reference", "reads")


def _names(expr: Expr) -> Iterable[tuple[str, str, int]]:
    """(kind, id, offset) of every id a condition names; a bare name is a flag or a
    counter (`kind` "variable", settled once every declaration is known)."""
    stack = [expr]
    while stack:
        here = stack.pop()
        if here.kind == "name" and here.value not in BUILTINS:
            yield "variable", here.value, here.offset
        elif here.kind == "call":
            kinds = FUNCTIONS.get(here.value, ((), ""))[0]
            for kind, arg in zip(kinds, here.args, strict=False):
                if isinstance(arg, Expr) and arg.kind == "string" and kind in KINDS:
                    yield kind, arg.value, arg.offset + 1
        for arg in here.args:
            if isinstance(arg, Expr):
                stack.append(arg)


def build_index(files: Iterable[SourceFile]) -> Index:
    """The index of every file (the manifest first, as `Project.files` lists them)."""
    index = Index()
    for source in files:
        _Walker(source, index).walk()
    counters = set(index.names("counter"))
    index.occurrences = [
        o._replace(kind="counter" if o.name in counters else "flag") if o.kind == "variable" else o
        for o in index.occurrences
    ]
    return index
