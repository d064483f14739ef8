"""Every key, value and item of a parsed file is reported at its exact line and column.

The positioned trees (`YMap` / `YList`) store their positions compactly; these tests hold
what a caller reads from them (`pos`, `key_pos`, `val_pos`, `val_style`, `at`,
`item_pos`, `item_style`) to an independent reference: the node graph PyYAML's own
composer builds from the same text, whose every node carries its start mark and style.
Fresh parses and parse-cache hits alike, for the bundled story, every fixture file and
texts made to reach the corners (flow styles, block scalars, unicode columns, columns
and line gaps past any packed field's width).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.compiler.yamlcache import load_cached, store_cached
from engine.compiler.yamlread import parse_text
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Diagnostics, Pos

ROOT = Path(__file__).resolve().parent.parent
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

RICH = """\
# a comment first
title: "Quoted title"
plain: some words
single: 'single quoted'
empty:
number: 42
float: 1.5
yes_no: true
when: 2026-11-24
literal: |
  two lines
  of text
folded: >-
  folded
  text
multi: a plain value
  that runs over
  three lines
flow_map: {a: 1, "b": 'two', c: [x, y]}
flow_list: [one, 'two', "three", {four: 4}]
nested:
  deeper:
    deepest: value
  list:
  - id: c0
    text: Search the map.
    goto: n7
  -   id: c1
      text: "Ask, again."
  - - inner
    - 'inner quoted'
  - plain item
  - |
    block item
ünïcødé: çà et là
한국어: "사랑 {not: a map}"
emoji: "🙂🙂 smiles"
after_unicode: {k: 🙂, v: [é, 한]}
"""


def parse(text: str, path: str = "x.yaml") -> Any:
    diags = Diagnostics()
    tree = parse_text(text, path, diags)
    assert diags.items == [], [d.render() for d in diags.items]
    return tree


def _where(p: Pos) -> tuple[str, int, int]:
    return (p.path, p.line, p.col)


def dump(value: Any, where: str = "") -> list[tuple[Any, ...]]:
    """Every position and style the tree reports, through the API callers use."""
    out: list[tuple[Any, ...]] = []
    if isinstance(value, YMap):
        out.append((where, "mapping", _where(value.pos)))
        assert list(value.key_pos) == list(value)
        assert [_where(p) for p in value.key_pos.values()] == [
            _where(value.key_pos[k]) for k in value
        ]
        for key, item in value.items():
            out.append(
                (
                    where,
                    key,
                    _where(value.key_pos[key]),
                    _where(value.val_pos[key]),
                    _where(value.at(key)),
                    value.val_style.get(key),
                )
            )
            out += dump(item, f"{where}/{key}")
    elif isinstance(value, YList):
        out.append((where, "list", _where(value.pos), len(value.item_pos)))
        for index, item in enumerate(value):
            out.append((where, index, _where(value.item_pos[index]), value.item_style[index]))
            out += dump(item, f"{where}/{index}")
    return out


def reference(node: yaml.Node, path: str, where: str = "") -> list[tuple[Any, ...]]:
    """The same listing from PyYAML's composed node graph (no aliases, no merges)."""

    def at(n: yaml.Node) -> tuple[str, int, int]:
        return (path, n.start_mark.line + 1, n.start_mark.column + 1)

    def style(n: yaml.Node) -> str | None:
        return n.style if isinstance(n, yaml.ScalarNode) else None

    out: list[tuple[Any, ...]] = []
    if isinstance(node, yaml.MappingNode):
        out.append((where, "mapping", at(node)))
        for key, item in node.value:
            name = str(yaml.load(yaml.serialize(key), Loader=_Loader))
            out.append((where, name, at(key), at(item), at(item), style(item)))
            out += reference(item, path, f"{where}/{name}")
    elif isinstance(node, yaml.SequenceNode):
        out.append((where, "list", at(node), len(node.value)))
        for index, item in enumerate(node.value):
            out.append((where, index, at(item), style(item)))
            out += reference(item, path, f"{where}/{index}")
    return out


def composed(text: str) -> yaml.Node:
    node = yaml.compose(text, Loader=_Loader)
    assert node is not None
    return node


def test_every_position_and_style_matches_the_yaml_reference() -> None:
    assert dump(parse(RICH)) == reference(composed(RICH), "x.yaml")


def test_some_positions_spelled_out() -> None:
    tree = parse(RICH)
    assert tree.pos == Pos("x.yaml", 2, 1)
    assert tree.key_pos["plain"] == Pos("x.yaml", 3, 1)
    assert tree.val_pos["plain"] == Pos("x.yaml", 3, 8)
    assert tree.at("empty") == Pos("x.yaml", 5, 1 + len("empty:"))
    assert tree["empty"] is None
    assert tree.val_style.get("plain") == ""
    assert tree.val_style.get("title") == '"'
    assert tree.val_style.get("literal") == "|"
    assert tree.val_style.get("folded") == ">"
    assert tree.val_style.get("nested") is None  # a mapping has no scalar style
    assert tree.val_style.get("missing") is None
    assert "plain" in tree.val_style and "nested" not in tree.val_style
    assert "empty" in tree.val_style  # an empty value is a plain null
    collections = ["flow_map", "flow_list", "nested", "after_unicode"]
    assert list(tree.val_style) == [k for k in tree if k not in collections]
    assert len(tree.val_style) == len(tree) - len(collections)
    flow = tree["flow_map"]
    assert flow.key_pos["b"] == Pos("x.yaml", 19, 18)
    assert flow.val_pos["b"] == Pos("x.yaml", 19, 23)
    assert flow.val_style.get("b") == "'"
    choices = tree["nested"]["list"]
    assert choices.item_pos[0] == Pos("x.yaml", 25, 5)  # a mapping starts at its key
    assert choices.item_pos[1] == Pos("x.yaml", 28, 7)
    assert choices[1].key_pos["text"] == Pos("x.yaml", 29, 7)
    assert choices.item_style[3:] == ["", "|"]
    # columns count characters, not bytes
    korean = tree.key_pos["한국어"]
    assert tree.val_pos["한국어"] == Pos("x.yaml", korean.line, 6)
    after = tree["after_unicode"]
    assert after.val_pos["v"].col == len("after_unicode: {k: 🙂, v: ") + 1
    assert after["v"].item_pos[1].col == len("after_unicode: {k: 🙂, v: [é, ") + 1


def test_a_missing_key_is_placed_at_its_mapping() -> None:
    tree = parse("top:\n  a: 1\n")
    assert tree["top"].at("nothing") == Pos("x.yaml", 2, 3)
    assert tree["top"].key_pos.get("nothing") is None
    assert tree["top"].val_pos.get("nothing", tree.pos) == tree.pos
    assert "nothing" not in tree["top"].key_pos
    assert "a" in tree["top"].key_pos
    assert len(tree["top"].key_pos) == 1
    with pytest.raises(KeyError):
        tree["top"].key_pos["nothing"]


def test_far_columns_and_far_lines_are_exact() -> None:
    wide = "wide: {" + ", ".join(f"k{i}: 'v{i}'" for i in range(4000)) + "}\n"
    items = "items: [" + ", ".join(f'"i{i}"' for i in range(4000)) + "]\n"
    gap = "gap:\n" + "# a comment line\n" * 3000 + "  value after a gap\n"
    late = "late: " + " " * 18_000 + "{deep: [x]}\n"
    text = wide + items + gap + "\n" * 70_000 + late
    tree = parse(text)
    assert dump(tree) == reference(composed(text), "x.yaml")
    assert tree["wide"].key_pos["k3999"].col > 40_000
    assert tree.val_pos["gap"].line - tree.key_pos["gap"].line == 3001
    assert tree.key_pos["late"] == Pos("x.yaml", 73_005, 1)
    assert tree.val_pos["late"] == Pos("x.yaml", 73_005, 18_007)
    assert tree["late"].val_pos["deep"] == Pos("x.yaml", 73_005, 18_014)


def test_a_line_past_a_million_is_exact() -> None:
    text = "a: 1\n" + "\n" * 1_100_000 + "b: [2, {c: 3}]\n"
    tree = parse(text)
    assert tree.key_pos["b"] == Pos("x.yaml", 1_100_002, 1)
    assert tree["b"][1].val_pos["c"] == Pos("x.yaml", 1_100_002, 12)


def yaml_files() -> list[Path]:
    found = sorted((ROOT / "story").rglob("*.yaml")) + sorted(
        (ROOT / "tests" / "fixtures").rglob("*.yaml")
    )
    return [f for f in found if f.is_file()]


def _plain_file(path: Path) -> str | None:
    """The file's text when it parses cleanly with no alias (the reference shares aliased
    nodes, where the tree places an alias at its own mark)."""
    try:
        text = path.read_text(encoding="utf-8")
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=_Loader)):
            return None
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    diags = Diagnostics()
    tree = parse_text(text, "f.yaml", diags)
    return text if tree is not None and not diags.items else None


def test_every_story_and_fixture_file_matches_the_yaml_reference() -> None:
    checked = 0
    for path in yaml_files():
        text = _plain_file(path)
        if text is None:
            continue
        assert dump(parse(text, "f.yaml")) == reference(composed(text), "f.yaml"), path
        checked += 1
    assert checked >= 50


def test_a_merge_keeps_each_merged_key_at_its_source() -> None:
    text = "b: &b {x: 1, y: 'two'}\nc: &c {y: 5, z: 6}\nm:\n  x: 0\n  <<: [*b, *c]\n"
    tree = parse(text)
    m = tree["m"]
    assert m == {"x": 0, "y": "two", "z": 6}
    assert m.key_pos["x"] == Pos("x.yaml", 4, 3)  # explicit
    assert m.key_pos["y"] == Pos("x.yaml", 1, 14)  # from *b, which comes first
    assert m.val_pos["y"] == Pos("x.yaml", 1, 17)
    assert m.val_style.get("y") == "'"
    assert m.key_pos["z"] == Pos("x.yaml", 2, 14)
    assert m["z"] == 6 and m.at("z") == Pos("x.yaml", 2, 17)
    assert list(m.key_pos) == ["x", "y", "z"]


def test_an_alias_value_is_placed_at_the_alias() -> None:
    tree = parse("a: &x [1, 2]\nb: *x\n")
    assert tree["b"] is tree["a"]
    assert tree.val_pos["b"] == Pos("x.yaml", 2, 4)
    assert tree["b"].item_pos[1] == Pos("x.yaml", 1, 11)


def test_a_duplicate_key_is_reported_where_it_stands_with_the_first() -> None:
    diags = Diagnostics()
    tree = parse_text("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n", "x.yaml", diags)
    got = [(d.code, d.pos, d.message) for d in diags.items]
    assert got == [
        ("E021", Pos("x.yaml", 4, 3), 'duplicate key "c" (first at line 3, column 3)'),
        ("E021", Pos("x.yaml", 5, 1), 'duplicate key "a" (first at line 1, column 1)'),
    ]
    assert tree["a"] == 1 and tree.val_pos["a"] == Pos("x.yaml", 1, 4)


def test_a_key_that_is_not_plain_is_reported_at_its_place() -> None:
    diags = Diagnostics()
    tree = parse_text("? [a, b]\n: 1\nok: 2\n", "x.yaml", diags)
    assert [(d.code, d.pos) for d in diags.items] == [("E012", Pos("x.yaml", 1, 3))]
    assert tree.key_pos["ok"] == Pos("x.yaml", 3, 1)


@pytest.mark.parametrize("name", ["rich", "far"])
def test_a_tree_from_the_parse_cache_reports_the_same_positions(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYOSAN_CACHE", str(tmp_path / "cache"))
    if name == "rich":
        text = RICH.replace("when: 2026-11-24\n", "") + "m:\n  <<: {x: 'merged'}\n  y: 1\n"
    else:
        text = "wide: [" + ", ".join(f"'v{i}'" for i in range(3000)) + "]\n"
        text += "gap:\n" + "#\n" * 2000 + "  {a: b}\n"
    data = text.encode("utf-8")
    fresh = parse(text, "shown.yaml")
    store_cached(data, fresh)
    cached = load_cached(data, "shown.yaml")
    assert cached is not None
    assert cached == fresh
    assert dump(cached) == dump(fresh)
