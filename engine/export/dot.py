"""Graphviz DOT for a StoryGraph: episode clusters, shapes, colours, highlighted paths.

Owns: the DOT text only (quoting, attributes, the legend of colours). Rendering to SVG
or PNG is the `dot` program's job, called by `commands/map.py`.
"""

from __future__ import annotations

from engine.export.graph import GraphEdge, GraphNode, StoryGraph

__all__ = ["CANON_COLOUR", "RUN_COLOUR", "quote", "to_dot"]

CANON_COLOUR = "#1f5fbf"
RUN_COLOUR = "#2a9d3a"
_ENDING_FILL = "#f6c1c1"
_CANON_ENDING_FILL = "#ffd54f"
_UNREACHABLE = "#d62728"
_SHAPES = {"scene": "box", "turning_point": "hexagon", "ending": "box", "resume": "ellipse"}


def quote(text: str) -> str:
    """A DOT double-quoted string (newlines become centred line breaks)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attributes(pairs: dict[str, str]) -> str:
    return "[" + ", ".join(f"{key}={quote(value)}" for key, value in pairs.items()) + "]"


def _path_colour(on_canon: bool, on_run: bool) -> str | None:
    colours = [c for c, on in ((CANON_COLOUR, on_canon), (RUN_COLOUR, on_run)) if on]
    return ":".join(colours) if colours else None


def _node_line(node: GraphNode) -> str:
    label = "\n".join(node.lines)
    attrs = {"label": label, "shape": _SHAPES[node.kind]}
    styles = ["rounded"] if node.kind in ("scene", "ending") else []
    if node.kind == "ending":
        styles.append("filled")
        attrs["fillcolor"] = _CANON_ENDING_FILL if node.is_canon_ending else _ENDING_FILL
    if node.kind == "turning_point":
        attrs["peripheries"] = "2"
    if node.kind == "resume":
        styles.append("dashed")
    if not node.is_reachable:
        styles.append("dashed")
        attrs["color"] = attrs["fontcolor"] = _UNREACHABLE
    colour = _path_colour(node.on_canon, node.on_run)
    if colour and node.is_reachable:
        attrs["color"] = colour.split(":")[0]
        attrs["penwidth"] = "2.5"
    if styles:
        attrs["style"] = ",".join(dict.fromkeys(styles))
    return f"{quote(node.id)} {_attributes(attrs)};"


def _edge_line(edge: GraphEdge) -> str:
    attrs = {"label": edge.choice}
    if edge.is_conditional:
        attrs["style"] = "dashed"
    colour = _path_colour(edge.on_canon, edge.on_run)
    if colour:
        attrs["color"] = colour
        attrs["penwidth"] = "3"
    return f"{quote(edge.source)} -> {quote(edge.target)} {_attributes(attrs)};"


def to_dot(graph: StoryGraph) -> str:
    """The graph as a DOT `digraph`, one `cluster_epN` subgraph per episode."""
    lines = [
        "digraph story {",
        f"  graph {_attributes({'label': graph.title, 'labelloc': 't', 'rankdir': 'TB'})};",
        '  node [shape="box", fontname="Helvetica", fontsize="11"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
    ]
    for number, label, members in graph.clusters():
        lines.append(f"  subgraph cluster_ep{number} {{")
        lines.append(f"    label={quote(label)};")
        lines.append('    style="rounded"; color="#999999";')
        lines += [f"    {_node_line(node)}" for node in members]
        lines.append("  }")
    lines += [f"  {_node_line(n)}" for n in graph.in_episode(None)]
    lines += [f"  {_edge_line(edge)}" for edge in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
