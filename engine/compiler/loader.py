"""YAML files -> the immutable story model, with a source position on everything.

Owns: finding the manifest, episode files and branch files; checking keys and types;
collecting declarations; compiling conditions and effects; merging branches. Reports
every problem it can in one pass (one per cause). `validate.py` then checks the whole
graph. Parsers take text plus a name; only `_read` touches the disk.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.compiler import validate
from engine.compiler.effects import compile_effects
from engine.compiler.language import LanguageError, Symbols, compile_condition
from engine.compiler.yamlread import YList, YMap, read_yaml
from engine.diagnostics import Diagnostic, Diagnostics, Pos, StoryError, did_you_mean
from engine.runtime.model import (
    PLACES,
    RESUME,
    STATUSES,
    Character,
    Choice,
    Condition,
    Counter,
    Ending,
    Episode,
    Flag,
    Item,
    Node,
    Story,
    TextPiece,
    TurningPoint,
)

__all__ = ["check_story", "find_manifest", "load_story"]

MANIFEST = "story.yaml"
_NODE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_KEBAB = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
_SNAKE = re.compile(r"^[a-z_][a-z0-9_]*$")
_RESERVED = {"and", "or", "not", "true", "false", "episode", "turn"}

_MANIFEST_KEYS = {
    "id": str,
    "title": str,
    "start": str,
    "infection": dict,
    "cast": dict,
    "items": dict,
    "flags": dict,
    "counters": dict,
    "episodes": list,
    "canon": dict,
    "description": str,
    "branches": list,
}
_EPISODE_KEYS = {
    "episode": int,
    "title": str,
    "flags": dict,
    "counters": dict,
    "items": dict,
    "nodes": dict,
}
_BRANCH_KEYS = {
    "branch": str,
    "title": str,
    "description": str,
    "episode": int,
    "flags": dict,
    "counters": dict,
    "items": dict,
    "nodes": dict,
    "add_choices": dict,
}
_NODE_KEYS = {
    "text": (str, list),
    "choices": list,
    "do": list,
    "turning_point": dict,
    "ending": dict,
}
_CHOICE_KEYS = {"id": str, "text": str, "if": str, "do": list, "goto": str}
_CAST_KEYS = {
    "name": str,
    "role": str,
    "status": str,
    "place": str,
    "carrier": bool,
    "incubation": int,
    "on_turn": str,
}
_TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    dict: "a mapping",
    list: "a list",
    float: "a number",
}


def find_manifest(path: Path) -> Path:
    """The manifest for a story folder or manifest path."""
    return path / MANIFEST if path.is_dir() else path


@dataclass
class _File:
    shown: str
    data: YMap
    episode: int | None
    kind: str  # "episode" or "branch"


@dataclass
class _Loader:
    root: Path
    diags: Diagnostics = field(default_factory=Diagnostics)
    digest: Any = field(default_factory=hashlib.sha256)
    cast: dict[str, Character] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    flags: dict[str, Flag] = field(default_factory=dict)
    counters: dict[str, Counter] = field(default_factory=dict)
    raw_nodes: dict[str, tuple[YMap, _File, Pos]] = field(default_factory=dict)
    extra_choices: dict[str, list[tuple[YMap, _File, Pos]]] = field(default_factory=dict)
    episodes: dict[int, Episode] = field(default_factory=dict)
    visits: set[str] = field(default_factory=set)
    cast_index: dict[str, int] = field(default_factory=dict)
    item_index: dict[str, int] = field(default_factory=dict)
    counter_index: dict[str, int] = field(default_factory=dict)
    _symbols: Symbols | None = None
    sources: dict[str, bytes] = field(default_factory=dict)  # for exact error columns
    compiled: dict[str, tuple[Callable[[Any], bool], set[str]]] = field(default_factory=dict)
    # One diagnostic per cause: what a reported mistake would otherwise cascade into.
    incomplete: bool = False  # a listed file could not be read: ids may live there
    broken_nodes: set[str] = field(default_factory=set)  # a choice of theirs failed to build
    hinted_targets: set[str] = field(default_factory=set)  # where broken gotos meant to go

    # --- reporting -----------------------------------------------------------------
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
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def _read(self, path: Path) -> Any:
        # The fingerprint names files relative to the story folder, so it does not
        # depend on where the command runs.
        try:
            name = path.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            name = path.name
        shown = self.shown(path)

        def seen(data: bytes) -> None:
            self.digest.update(name.encode() + b"\0" + data + b"\0")
            self.sources[shown] = data

        return read_yaml(path, shown, self.diags, seen, cache=True)

    @property
    def base(self) -> Path:
        return find_manifest(self.root).parent

    def keys(
        self,
        m: YMap,
        allowed: dict[str, Any],
        required: Iterable[str],
        what: str,
        where: Pos | None = None,
    ) -> bool:
        """Report unknown keys, missing keys and wrong types; True when usable.

        `where` is where a missing key is reported: the owner's own key (a node's id)
        reads better than the mapping's first key.
        """
        ok = True
        for key, value in m.items():
            want = allowed.get(key)
            if want is str and type(value) is str:
                continue  # the common case, checked first: loading is linear in keys
            if key not in allowed:
                self.error(
                    m.key_pos[key],
                    "E010",
                    f'unknown key "{key}" in {what}',
                    did_you_mean(key, allowed),
                )
                continue
            wants = want if isinstance(want, tuple) else (want,)
            if not any(_is_type(value, w) for w in wants):
                names = " or ".join(_TYPE_NAMES[w] for w in wants)
                self.error(m.at(key), "E012", f"{key}: must be {names}, not {_kind(value)}")
                ok = False
        for key in required:
            if key not in m:
                self.error(where or m.pos, "E011", f'{what} is missing "{key}"')
                ok = False
        return ok

    # --- conditions ------------------------------------------------------------------
    def symbols(self) -> Symbols:
        return Symbols(
            self.cast_index, self.item_index, self.flags, self.counter_index, self.raw_nodes
        )

    def condition(self, value: Any, owner: YMap, key: str) -> Callable[[Any], bool] | None:
        compiled = self.compile_condition(value, owner, key)
        return compiled.test if compiled else None

    def compile_condition(self, value: Any, owner: YMap, key: str) -> Condition | None:
        pos = owner.at(key)
        if isinstance(value, bool):
            return Condition(
                str(value).lower(), (lambda s: True) if value else (lambda s: False), pos
            )
        if not isinstance(value, str):
            self.error(pos, "E012", f"{key}: a condition must be a string")
            return None
        try:
            compiled = self.compiled.get(value)
            if compiled is None:  # the same condition often stands in many places
                compiled = compile_condition(value, self._symbols or self.symbols())
                self.compiled[value] = compiled
            test, visits = compiled
        except LanguageError as exc:
            style = owner.val_style.get(key)
            where = _locate(self.sources.get(pos.path, b""), pos, style, value, exc.offset)
            self.error(where, exc.code, exc.message, exc.suggestion)
            return None
        self.visits |= visits
        return Condition(value, test, pos)

    # --- declarations ------------------------------------------------------------------
    def declare(
        self,
        table: dict[str, Any],
        section: Any,
        owner: YMap,
        kind: str,
        make: Callable[[str, Any, Pos, YMap], Any],
    ) -> None:
        if not isinstance(section, YMap):
            return
        pattern = _SNAKE if kind in ("flag", "counter") else _KEBAB
        for name, value in section.items():
            pos = section.key_pos[name]
            if not pattern.match(name) or name in _RESERVED:
                form = "snake_case" if pattern is _SNAKE else "lower-case-with-dashes"
                self.error(pos, "E013", f'{kind} id "{name}" must be {form} and not a keyword')
                continue
            if kind in ("flag", "counter") and (name in self.flags or name in self.counters):
                earlier = (self.flags.get(name) or self.counters[name]).pos
                self.error(pos, "E020", f'{kind} "{name}" is already declared at {earlier}')
                continue
            if name in table:
                self.error(pos, "E020", f'{kind} "{name}" is already declared at {table[name].pos}')
                continue
            made = make(name, value, pos, section)
            if made is not None:
                table[name] = made

    def make_flag(self, name: str, value: Any, pos: Pos, section: YMap) -> Flag | None:
        if value is not None and not isinstance(value, str):
            self.error(section.at(name), "E012", f"flag {name}: give a description string")
            return None
        return Flag(name, value or "", pos)

    def make_counter(self, name: str, value: Any, pos: Pos, section: YMap) -> Counter | None:
        if _is_type(value, int):
            return Counter(name, value, None, None, "", pos)
        if not isinstance(value, YMap) or not self.keys(
            value, {"start": int, "min": int, "max": int, "description": str}, (), f"counter {name}"
        ):
            if not isinstance(value, YMap):
                self.error(section.at(name), "E012", f"counter {name}: give a number or a mapping")
            return None
        start, low, high = value.get("start", 0), value.get("min"), value.get("max")
        if (low is not None and start < low) or (high is not None and start > high):
            self.error(value.pos, "E013", f"counter {name}: start {start} is outside min/max")
            return None
        return Counter(name, start, low, high, value.get("description", ""), pos)

    def make_item(self, name: str, value: Any, pos: Pos, section: YMap) -> Item | None:
        if not isinstance(value, YMap):
            self.error(section.at(name), "E012", f"item {name}: give a mapping with a name")
            return None
        if not self.keys(value, {"name": str, "description": str}, ("name",), f"item {name}"):
            return None
        return Item(name, value["name"], value.get("description", ""), pos)

    def make_character(self, name: str, value: Any, pos: Pos, section: YMap) -> Character | None:
        if not isinstance(value, YMap):
            self.error(section.at(name), "E012", f"character {name}: give a mapping with a name")
            return None
        if not self.keys(value, _CAST_KEYS, ("name",), f"character {name}"):
            return None
        status, place = value.get("status", "healthy"), value.get("place", "group")
        for key, got, allowed in (("status", status, STATUSES), ("place", place, PLACES)):
            if got not in allowed:
                self.error(
                    value.at(key),
                    "E013",
                    f'{key} "{got}" is not one of: {", ".join(allowed)}',
                    did_you_mean(got, allowed),
                )
                return None
        incubation = value.get("incubation")
        if incubation is not None and incubation < 1:
            self.error(value.at("incubation"), "E013", "incubation must be 1 or more turns")
            return None
        return Character(
            name,
            value["name"],
            value.get("role", ""),
            status,
            place,
            bool(value.get("carrier", False)),
            incubation,
            value.get("on_turn"),
            pos,
        )

    def declare_all(self, m: YMap) -> None:
        self.declare(self.items, m.get("items"), m, "item", self.make_item)
        self.declare(self.flags, m.get("flags"), m, "flag", self.make_flag)
        self.declare(self.counters, m.get("counters"), m, "counter", self.make_counter)

    # --- files -----------------------------------------------------------------------
    def load_manifest(self) -> YMap | None:
        path = find_manifest(self.root)
        if not self.root.exists():
            self.error(Pos(self.shown(self.root), 1, 1), "E002", "no such file or folder")
            return None
        if not path.is_file():
            self.error(
                Pos(self.shown(path), 1, 1),
                "E002",
                f"no {MANIFEST} here: a story folder holds a {MANIFEST} manifest",
            )
            return None
        data = self._read(path)
        if data is None:
            return None
        if not isinstance(data, YMap):
            self.error(
                Pos(self.shown(path), 1, 1),
                "E012",
                f"the manifest must be a mapping, not {_kind(data)}",
            )
            return None
        self.keys(data, _MANIFEST_KEYS, ("id", "start", "cast", "episodes"), "the manifest")
        return data

    def load_part(self, path: Path, pos: Pos, kind: str) -> _File | None:
        data = self._read(path)
        if data is None:
            return None
        shown = self.shown(path)
        if not isinstance(data, YMap):
            self.error(Pos(shown, 1, 1), "E012", f"the file must be a mapping, not {_kind(data)}")
            return None
        if kind == "branch":
            self.keys(data, _BRANCH_KEYS, ("branch",), "a branch file")
        else:
            self.keys(data, _EPISODE_KEYS, ("nodes",), "an episode file")
        number = data.get("episode")
        number = number if _is_type(number, int) else None
        if number is not None and kind == "episode":
            if number in self.episodes:
                self.error(
                    data.at("episode"),
                    "E054",
                    f"episode {number} is already defined in {self.episodes[number].path}",
                )
            else:
                title = data.get("title") if isinstance(data.get("title"), str) else None
                self.episodes[number] = Episode(
                    number, title or f"Episode {number}", shown, data.at("episode")
                )
        return _File(shown, data, number, kind)

    def collect_nodes(self, part: _File) -> None:
        extra = part.data.get("add_choices")
        if isinstance(extra, YMap):
            for node_id in extra:
                self.extra_choices.setdefault(node_id, []).append(
                    (extra, part, extra.key_pos[node_id])
                )
        nodes = part.data.get("nodes")
        if not isinstance(nodes, YMap):
            return
        for node_id, body in nodes.items():
            pos = nodes.key_pos[node_id]
            if not _NODE_ID.match(node_id):
                self.error(pos, "E013", f'node id "{node_id}" may hold only letters, digits, _ - .')
                continue
            if node_id in self.raw_nodes:
                first = self.raw_nodes[node_id][2]
                code = "E056" if part.kind == "branch" else "E020"
                self.error(pos, code, f'node "{node_id}" is already defined at {first}')
                continue
            if not isinstance(body, YMap):
                self.error(nodes.at(node_id), "E012", f"node {node_id}: must be a mapping")
                continue
            self.raw_nodes[node_id] = (body, part, pos)

    # --- nodes -----------------------------------------------------------------------
    def build_text(self, body: YMap, node_id: str) -> str | tuple[TextPiece, ...]:
        text = body.get("text", "")
        if not isinstance(text, str | YList):
            return ""  # keys() has reported the wrong type
        if isinstance(text, str):
            if not text.strip() and "text" in body:
                self.error(body.at("text"), "E013", f"node {node_id}: the text is empty")
            return text
        pieces: list[TextPiece] = []
        for piece, pos in zip(text, text.item_pos, strict=True):
            if isinstance(piece, str):
                pieces.append(TextPiece(piece, None))
            elif isinstance(piece, YMap) and self.keys(
                piece, {"if": str, "text": str}, ("text",), "a text piece"
            ):
                cond = self.compile_condition(piece["if"], piece, "if") if "if" in piece else None
                pieces.append(TextPiece(piece["text"], cond))
            elif not isinstance(piece, YMap):
                self.error(pos, "E012", "a text piece is a string or {if: ..., text: ...}")
        return tuple(pieces)

    def build_choice(self, raw: Any, pos: Pos, node_id: str) -> Choice | None:
        if not isinstance(raw, YMap):
            self.error(pos, "E012", "a choice is a mapping with id, text and goto")
            return None
        if not self.keys(raw, _CHOICE_KEYS, ("id", "text", "goto"), "a choice"):
            self.broken_nodes.add(node_id)
            if isinstance(raw.get("goto"), str):
                self.hinted_targets.add(raw["goto"])
            return None
        if not _NODE_ID.match(raw["id"]):
            self.error(
                raw.at("id"),
                "E013",
                f'choice id "{raw["id"]}" may hold only letters, digits, _ - .',
            )
            return None
        goto = raw["goto"]
        if goto != RESUME and goto not in self.raw_nodes and not self.incomplete:
            close = difflib.get_close_matches(goto, list(self.raw_nodes), n=1, cutoff=0.6)
            self.hinted_targets.update(close)
            self.error(
                raw.at("goto"),
                "E030",
                f'choice "{raw["id"]}" goes to unknown node "{goto}"',
                did_you_mean(goto, self.raw_nodes),
            )
        cond = self.compile_condition(raw["if"], raw, "if") if "if" in raw else None
        effects = compile_effects(self, raw["do"], raw, "do") if "do" in raw else ()
        return Choice(
            raw["id"], raw["text"], cond, effects, goto, node_id, raw.key_pos["id"], raw.at("goto")
        )

    def build_choices(self, body: YMap, node_id: str) -> tuple[Choice, ...]:
        raws: list[tuple[Any, Pos]] = []
        if isinstance(body.get("choices"), YList):
            raws += list(zip(body["choices"], body["choices"].item_pos, strict=True))
        for owner, _part, pos in self.extra_choices.get(node_id, ()):
            added = owner[node_id]
            if not isinstance(added, YList):
                self.error(pos, "E012", "add_choices: each node takes a list of choices")
                continue
            raws += list(zip(added, added.item_pos, strict=True))
        choices: list[Choice] = []
        seen: dict[str, Pos] = {}
        for raw, pos in raws:
            choice = self.build_choice(raw, pos, node_id)
            if choice is None:
                continue
            if choice.id in seen:
                code = "E056" if pos.path != seen[choice.id].path else "E020"
                self.error(
                    choice.pos,
                    code,
                    f'choice "{choice.id}" is already defined in node '
                    f'"{node_id}" at {seen[choice.id]}',
                )
                continue
            seen[choice.id] = choice.pos
            choices.append(choice)
        return tuple(choices)

    def build_node(self, node_id: str, body: YMap, part: _File, pos: Pos) -> Node:
        self.keys(body, _NODE_KEYS, ("text",), f"node {node_id}", where=pos)
        text = self.build_text(body, node_id)
        choices = self.build_choices(body, node_id)
        effects = compile_effects(self, body["do"], body, "do") if "do" in body else ()
        turning = self.build_turning_point(body, choices) if "turning_point" in body else None
        ending = self.build_ending(body) if "ending" in body else None
        episode = part.episode
        return Node(
            node_id,
            episode,
            text,
            choices,
            effects,
            turning,
            ending,
            pos,
            {c.id: c for c in choices},
            all(c.condition is None for c in choices),
        )

    def build_turning_point(self, body: YMap, choices: tuple[Choice, ...]) -> TurningPoint | None:
        tp = body["turning_point"]
        keys = {"id": str, "title": str, "canon": str, "in_the_show": str}
        if not isinstance(tp, YMap) or not self.keys(tp, keys, tuple(keys), "a turning point"):
            return None
        ids = [c.id for c in choices]
        if tp["canon"] not in ids:
            self.error(
                tp.at("canon"),
                "E050",
                f'turning point {tp["id"]}: canon choice "{tp["canon"]}" is not a choice '
                "of this node",
                did_you_mean(tp["canon"], ids),
            )
        return TurningPoint(tp["id"], tp["title"], tp["canon"], tp["in_the_show"], tp.pos)

    def build_ending(self, body: YMap) -> Ending | None:
        end = body["ending"]
        keys = {"id": str, "title": str, "summary": str}
        if not isinstance(end, YMap) or not self.keys(end, keys, ("id", "title"), "an ending"):
            return None
        return Ending(end["id"], end["title"], end.get("summary", ""), end.pos)

    # --- the whole story ---------------------------------------------------------------
    def load(self, branch_paths: Iterable[Path]) -> Story | None:
        manifest = self.load_manifest()
        if manifest is None:
            return None
        base = find_manifest(self.root).parent
        self.declare(self.cast, manifest.get("cast"), manifest, "character", self.make_character)
        self.declare_all(manifest)
        parts = self.load_parts(manifest, base, list(branch_paths))
        for part in parts:
            self.declare_all(part.data)
        for part in parts:
            self.collect_nodes(part)
        self.cast_index = {c: i for i, c in enumerate(self.cast)}
        self.item_index = {c: i for i, c in enumerate(self.items)}
        self.counter_index = {c: i for i, c in enumerate(self.counters)}
        self._symbols = self.symbols()
        for node_id in self.extra_choices:
            if node_id not in self.raw_nodes:
                for _, _, pos in self.extra_choices[node_id]:
                    self.error(
                        pos,
                        "E056",
                        f'add_choices names node "{node_id}", which does not exist',
                        did_you_mean(node_id, self.raw_nodes),
                    )
        nodes = {
            nid: self.build_node(nid, body, part, pos)
            for nid, (body, part, pos) in self.raw_nodes.items()
        }
        return self.assemble(manifest, nodes)

    def load_parts(self, manifest: YMap, base: Path, branch_paths: list[Path]) -> list[_File]:
        parts: list[_File] = []
        listed = manifest.get("episodes")
        if isinstance(listed, YList):
            for rel, pos in zip(listed, listed.item_pos, strict=True):
                if not isinstance(rel, str):
                    self.error(pos, "E012", "episodes: each entry is a file path")
                    continue
                path = base / rel
                if not path.is_file():
                    self.error(
                        pos,
                        "E002",
                        f'episode file "{rel}" does not exist',
                        fix="create the file, or correct or remove this entry of episodes:",
                    )
                    self.incomplete = True
                    continue
                part = self.load_part(path, pos, "episode")
                if part is None:
                    self.incomplete = True
                else:
                    parts.append(part)
        for path in _branch_files(base, branch_paths):
            part = self.load_part(path, Pos(self.shown(path), 1, 1), "branch")
            if part is not None:
                parts.append(part)
        return parts

    def assemble(self, manifest: YMap, nodes: dict[str, Node]) -> Story:
        raw_infection = manifest.get("infection")
        infection = raw_infection if isinstance(raw_infection, YMap) else _empty_map(manifest)
        if infection and not self.keys(
            infection, {"incubation": int, "on_turn": str}, (), "infection"
        ):
            infection = _empty_map(manifest)  # the wrong types are reported; use defaults
        incubation = infection.get("incubation", 3)
        if incubation < 1:
            self.error(infection.at("incubation"), "E013", "incubation must be 1 or more turns")
            incubation = 3
        start = manifest.get("start", "")
        canon_roster, canon_ending = validate.canon_section(self, manifest)
        story = Story(
            id=str(manifest.get("id", "")),
            title=str(manifest.get("title", manifest.get("id", ""))),
            start=start if isinstance(start, str) else "",
            incubation=incubation,
            on_turn=infection.get("on_turn"),
            cast=self.cast,
            items=self.items,
            flags=self.flags,
            counters=self.counters,
            nodes=nodes,
            episodes=dict(sorted(self.episodes.items())),
            canon_roster=canon_roster,
            canon_ending=canon_ending,
            root=str(find_manifest(self.root).parent),
            fingerprint=self.digest.hexdigest()[:16],
            tracked_visits=frozenset(self.visits),
            pos=manifest.pos,
            cast_ids=tuple(self.cast),
            cast_index=self.cast_index,
            item_ids=tuple(self.items),
            item_index=self.item_index,
            counter_ids=tuple(self.counters),
            counter_index=self.counter_index,
        )
        validate.check_graph(self, story, manifest, infection)
        return story


def _locate(source: bytes, pos: Pos, style: str | None, value: str, offset: int) -> Pos:
    """The file position of character `offset` of a scalar `value` that starts at `pos`.

    Follows the source text, so a condition folded over several lines (a plain, quoted
    or block scalar) still points at the offending character. Falls back to the start
    of the scalar when the text cannot be followed.
    """
    lines = source.decode("utf-8", "replace").splitlines() or [""]
    row, col = pos.line - 1, pos.col - 1
    if style in ("'", '"'):
        col += 1
    elif style in ("|", ">"):
        row += 1
        col = len(lines[row]) - len(lines[row].lstrip()) if row < len(lines) else 0

    def next_line() -> tuple[int, int]:
        if row + 1 >= len(lines):
            return row, col
        text = lines[row + 1]
        return row + 1, len(text) - len(text.lstrip())

    for char in value[:offset]:
        if row >= len(lines):
            return pos
        here = lines[row][col] if col < len(lines[row]) else "\n"
        while here in " \t" and char not in " \t":
            col += 1
            here = lines[row][col] if col < len(lines[row]) else "\n"
        if here == "\n" and char in " \n":
            row, col = next_line()
        elif here == char:
            col += 1
        else:
            return pos
    if row < len(lines) and col >= len(lines[row].rstrip()):
        row, col = next_line()
    if row < len(lines):
        text = lines[row]
        while col < len(text) and text[col] in " \t":
            col += 1
    return Pos(pos.path, row + 1, col + 1)


def _empty_map(near: YMap) -> YMap:
    empty = YMap()
    empty.pos, empty.key_pos, empty.val_pos, empty.val_style = near.pos, {}, {}, {}
    return empty


def _branch_files(base: Path, extra: list[Path]) -> list[Path]:
    files = sorted((base / "branches").glob("*.yaml")) if (base / "branches").is_dir() else []
    for path in extra:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    return unique


def _is_type(value: Any, want: Any) -> bool:
    if want is bool:
        return isinstance(value, bool)
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if want is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, want)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for t in (bool, int, float, str, dict, list):
        if isinstance(value, t):
            return _TYPE_NAMES[t]
    return type(value).__name__


def check_story(
    root: Path | str, branches: Iterable[Path | str] = ()
) -> tuple[Story | None, list[Diagnostic]]:
    """Load and check a story; return it (None if unusable) and every diagnostic found."""
    loader = _Loader(Path(root))
    # Loading allocates millions of small, long-lived objects: with the cyclic collector
    # on, each full collection rescans all of them and load time grows faster than the
    # story (bench/RESULTS.md). Nothing made here is garbage until the load ends.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        story = loader.load(Path(b) for b in branches)
    finally:
        if was_enabled:
            gc.enable()
    diagnostics = loader.diags.sorted()
    if loader.diags.has_errors:
        return None, diagnostics
    return story, diagnostics


def load_story(root: Path | str, branches: Iterable[Path | str] = ()) -> Story:
    """Load a story for play; raises StoryError carrying every error found."""
    story, diagnostics = check_story(root, branches)
    if story is None:
        raise StoryError([d for d in diagnostics if d.is_error])
    # A story lives as long as the program and holds no cycles worth collecting: move
    # it out of the cyclic collector's sight, or every full collection during play
    # rescans the whole graph (walks of the 10,000-node story ran a third slower).
    gc.freeze()
    return story
