"""Mermaid flowchart text for a StoryGraph (renders on GitHub, GitLab and in many editors).

Owns: Mermaid ids (node ids sanitised to letters, digits and `_`, never clashing), quoted
and escaped labels, one `subgraph` per episode, classes / link styles for turning
points, endings, unreachable nodes and the highlighted paths, and a legend subgraph.
"""

from __future__ import annotations

import re

from engine.export.dot import (
    CANON_COLOUR,
    CANON_ENDING_FILL,
    ENDING_FILL,
    RUN_COLOUR,
    TURNING_POINT_FILL,
    UNREACHABLE,
)
from engine.export.graph import GraphNode, StoryGraph, legend

__all__ = ["escape", "mermaid_ids", "to_mermaid"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_ESCAPES = {
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "#": "#35;",
}
_CLASSES = {
    "ending": f"fill:{ENDING_FILL},stroke:#555555",
    "canonEnding": f"fill:{CANON_ENDING_FILL},stroke:#555555",
    "turningPoint": f"fill:{TURNING_POINT_FILL},stroke:#1f5fbf",
    "unreachable": f"stroke:{UNREACHABLE},stroke-dasharray:5 5,color:{UNREACHABLE}",
    "canon": f"stroke:{CANON_COLOUR},stroke-width:3px",
    "run": f"stroke:{RUN_COLOUR},stroke-width:3px",
}


def escape(text: str) -> str:
    """Text safe inside a Mermaid double-quoted label; newlines become <br/>."""
    out = "".join(_ESCAPES.get(ch, ch) for ch in text)
    return out.replace("\n", "<br/>")


def mermaid_ids(node_ids: list[str]) -> dict[str, str]:
    """A distinct Mermaid-safe id for every node id (`n_` + letters, digits and `_`)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node_id in node_ids:
        base = "n_" + _UNSAFE.sub("_", node_id)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids[node_id] = candidate
    return ids


def _shape(node: GraphNode, label: str) -> str:
    if node.kind == "turning_point":
        return '{{"' + label + '"}}'
    if node.kind == "ending":
        return '(["' + label + '"])'
    if node.kind == "resume":
        return '(("' + label + '"))'
    return '["' + label + '"]'


def _classes(node: GraphNode) -> list[str]:
    names = []
    if node.kind == "ending":
        names.append("canonEnding" if node.is_canon_ending else "ending")
    if node.kind == "turning_point":
        names.append("turningPoint")
    if not node.is_reachable:
        names.append("unreachable")
    elif node.on_run:
        names.append("run")
    elif node.on_canon:
        names.append("canon")
    return names


def _node_line(ids: dict[str, str], node: GraphNode) -> str:
    return f"{ids[node.id]}{_shape(node, escape(chr(10).join(node.lines)))}"


def _edges(graph: StoryGraph, ids: dict[str, str]) -> tuple[list[str], list[str]]:
    """The edge lines, and linkStyle lines for the highlighted and conditional ones."""
    lines = []
    styles: dict[str, list[str]] = {}
    for index, edge in enumerate(graph.edges):
        lines.append(f'  {ids[edge.source]} -->|"{escape(edge.label)}"| {ids[edge.target]}')
        css = [_CLASSES["run"]] if edge.on_run else [_CLASSES["canon"]] if edge.on_canon else []
        if edge.is_conditional:
            css.append("stroke-dasharray:4 3")
        if css:
            styles.setdefault(",".join(css), []).append(str(index))
    return lines, [f"  linkStyle {','.join(idx)} {css}" for css, idx in styles.items()]


def to_mermaid(graph: StoryGraph) -> str:
    """The graph as a Mermaid `flowchart TD`, one subgraph per episode."""
    ids = mermaid_ids([n.id for n in graph.nodes])
    lines = ["flowchart TD"]
    for number, label, members in graph.clusters():
        lines.append(f'  subgraph ep{number}["{escape(label)}"]')
        lines += [f"    {_node_line(ids, n)}" for n in members]
        lines.append("  end")
    lines += [f"  {_node_line(ids, n)}" for n in graph.in_episode(None)]
    legend_lines, legend_classes = _legend(graph)
    lines += legend_lines
    edges, link_styles = _edges(graph, ids)
    lines += edges
    lines += [f"  classDef {name} {css}" for name, css in _CLASSES.items()]
    members_of: dict[str, list[str]] = {}
    for name, member in legend_classes:
        members_of.setdefault(name, []).append(member)
    for node in graph.nodes:
        for name in _classes(node):
            members_of.setdefault(name, []).append(ids[node.id])
    lines += [f"  class {','.join(members)} {name}" for name, members in members_of.items()]
    return "\n".join(lines + link_styles) + "\n"


# legend key -> (node shape as for a graph node's kind, class); edges cannot be drawn
# apart from the graph's own link numbering, so paths are shown as outlined boxes.
_LEGEND = {
    "turning_point": ("turning_point", "turningPoint"),
    "canon_ending": ("ending", "canonEnding"),
    "ending": ("ending", "ending"),
    "unreachable": ("scene", "unreachable"),
    "canon": ("scene", "canon"),
    "run": ("scene", "run"),
    "conditional": ("scene", None),
    "share": ("scene", None),
}
_LEGEND_WORDS = {
    "canon": "blue: {meaning}",
    "run": "green: {meaning}",
    "conditional": "dashed arrow: {meaning}",
    "share": "choice · 62%: {meaning}",
}


def _legend(graph: StoryGraph) -> tuple[list[str], list[tuple[str, str]]]:
    """The legend subgraph's lines and the (class, legend node id) pairs to style."""
    entries = legend(graph)
    if not entries:
        return [], []
    lines = ['  subgraph legend["Legend"]']
    classes: list[tuple[str, str]] = []
    for entry in entries:
        kind, css = _LEGEND[entry.key]
        words = _LEGEND_WORDS.get(entry.key, "{meaning}").format(meaning=entry.meaning)
        node_id = f"legend_{entry.key}"
        node = GraphNode(node_id, kind, (words,), None)
        lines.append(f"    {node_id}{_shape(node, escape(words))}")
        if css is not None:
            classes.append((css, node_id))
    lines.append("  end")
    return lines, classes
