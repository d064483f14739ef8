"""Mermaid flowchart text for a StoryGraph (renders on GitHub, GitLab and in many editors).

Owns: Mermaid ids (node ids sanitised to letters, digits and `_`, never clashing), quoted
and escaped labels, one `subgraph` per episode, and classes / link styles for turning
points, endings, unreachable nodes and the highlighted paths.
"""

from __future__ import annotations

import re

from engine.export.dot import CANON_COLOUR, RUN_COLOUR
from engine.export.graph import GraphNode, StoryGraph

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
    "ending": "fill:#f6c1c1,stroke:#555555",
    "canonEnding": "fill:#ffd54f,stroke:#555555",
    "turningPoint": "fill:#e8eefc,stroke:#1f5fbf",
    "unreachable": "stroke:#d62728,stroke-dasharray:5 5,color:#d62728",
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
        lines.append(f'  {ids[edge.source]} -->|"{escape(edge.choice)}"| {ids[edge.target]}')
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
    edges, link_styles = _edges(graph, ids)
    lines += edges
    lines += [f"  classDef {name} {css}" for name, css in _CLASSES.items()]
    members_of: dict[str, list[str]] = {}
    for node in graph.nodes:
        for name in _classes(node):
            members_of.setdefault(name, []).append(ids[node.id])
    lines += [f"  class {','.join(members)} {name}" for name, members in members_of.items()]
    return "\n".join(lines + link_styles) + "\n"
