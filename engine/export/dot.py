"""Graphviz DOT for a StoryGraph: episode clusters, shapes, colours, highlighted paths.

Owns: the DOT text only (quoting, attributes, colours, the legend as an HTML-like table).
Rendering to SVG or PNG is the `dot` program's job, called by `engine/cli/map.py`.
"""

from __future__ import annotations

from html import escape as html_escape

from engine.export.graph import GraphEdge, GraphNode, StoryGraph, legend

__all__ = [
    "CANON_COLOUR",
    "CANON_ENDING_FILL",
    "ENDING_FILL",
    "RUN_COLOUR",
    "TURNING_POINT_FILL",
    "UNREACHABLE",
    "quote",
    "to_dot",
]

CANON_COLOUR = "#1f5fbf"
RUN_COLOUR = "#2a9d3a"
ENDING_FILL = "#f6c1c1"
CANON_ENDING_FILL = "#ffd54f"
TURNING_POINT_FILL = "#e8eefc"
UNREACHABLE = "#d62728"
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
    attrs = {"label": label, "shape": _SHAPES[node.kind], "tooltip": node.id}
    styles = ["rounded"] if node.kind in ("scene", "ending") else []
    if node.kind == "ending":
        styles.append("filled")
        attrs["fillcolor"] = CANON_ENDING_FILL if node.is_canon_ending else ENDING_FILL
    if node.kind == "turning_point":
        attrs["peripheries"] = "2"
        styles.append("filled")
        attrs["fillcolor"] = TURNING_POINT_FILL
    if node.kind == "resume":
        styles.append("dashed")
    if not node.is_reachable:
        styles.append("dashed")
        attrs["color"] = attrs["fontcolor"] = UNREACHABLE
    colour = _path_colour(node.on_canon, node.on_run)
    if colour and node.is_reachable:
        attrs["color"] = colour.split(":")[0]
        attrs["penwidth"] = "2.5"
    if styles:
        attrs["style"] = ",".join(dict.fromkeys(styles))
    return f"{quote(node.id)} {_attributes(attrs)};"


def _edge_line(edge: GraphEdge) -> str:
    attrs = {"label": edge.label}
    if edge.is_conditional:
        attrs["style"] = "dashed"
    colour = _path_colour(edge.on_canon, edge.on_run)
    if colour:
        attrs["color"] = colour
        attrs["penwidth"] = "3"
    if edge.text:
        attrs["tooltip"] = edge.text
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
    lines += _legend(graph)
    lines.append("}")
    return "\n".join(lines) + "\n"


_SWATCHES = {
    "turning_point": f'<TD BGCOLOR="{TURNING_POINT_FILL}" BORDER="1">TP</TD>',
    "canon_ending": f'<TD BGCOLOR="{CANON_ENDING_FILL}" BORDER="1"> </TD>',
    "ending": f'<TD BGCOLOR="{ENDING_FILL}" BORDER="1"> </TD>',
    "unreachable": f'<TD><FONT COLOR="{UNREACHABLE}">- - -</FONT></TD>',
    "canon": f'<TD><FONT COLOR="{CANON_COLOUR}"><B>&#x2501;&#x2501;</B></FONT></TD>',
    "run": f'<TD><FONT COLOR="{RUN_COLOUR}"><B>&#x2501;&#x2501;</B></FONT></TD>',
    "conditional": "<TD>- - -</TD>",
    "share": "<TD>62%</TD>",
}


def _legend(graph: StoryGraph) -> list[str]:
    """The legend: a box of its own under the graph, one row per mark the graph holds."""
    rows = [
        f'<TR>{_SWATCHES[e.key]}<TD ALIGN="LEFT">{html_escape(e.meaning, quote=False)}</TD></TR>'
        for e in legend(graph)
    ]
    if not rows:
        return []
    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3">' + "".join(rows) + "</TABLE>"
    return [
        "  subgraph cluster_legend {",
        '    label="Legend"; style="rounded"; color="#999999";',
        f'    "$legend" [shape="plaintext", tooltip="Legend", label=<{table}>];',
        "  }",
    ]
