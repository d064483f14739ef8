"""A built-in SVG drawing of a StoryGraph, for machines without Graphviz.

Owns: a simple layered layout (rows by distance from the start, breadth first; nodes no
path from the start reaches get rows of their own from where they begin), and the SVG
text: the same shapes, colours and legend as the DOT writer, a tooltip with the node id
on every node and the choice's words on every edge. Graphviz lays out large stories far
better; `hyosan map --format svg` uses it when `dot` is installed.
"""

from __future__ import annotations

from collections import deque
from html import escape

from engine.export.dot import (
    CANON_COLOUR,
    CANON_ENDING_FILL,
    ENDING_FILL,
    RUN_COLOUR,
    TURNING_POINT_FILL,
    UNREACHABLE,
)
from engine.export.graph import GraphEdge, GraphNode, StoryGraph, legend

__all__ = ["to_svg"]

_W, _LINE, _PAD = 200, 15, 8  # node width, text line height, padding
_GAP_X, _GAP_Y = 40, 70
_FONT = 'font-family="Helvetica, Arial, sans-serif"'
_LEGEND_SWATCH = {
    "turning_point": f'<rect width="22" height="12" fill="{TURNING_POINT_FILL}" stroke="#555"/>',
    "canon_ending": f'<rect width="22" height="12" fill="{CANON_ENDING_FILL}" stroke="#555"/>',
    "ending": f'<rect width="22" height="12" fill="{ENDING_FILL}" stroke="#555"/>',
    "unreachable": f'<rect width="22" height="12" fill="none" stroke="{UNREACHABLE}" '
    'stroke-dasharray="4 3"/>',
    "canon": f'<line y1="6" x2="22" y2="6" stroke="{CANON_COLOUR}" stroke-width="3"/>',
    "run": f'<line y1="6" x2="22" y2="6" stroke="{RUN_COLOUR}" stroke-width="3"/>',
    "conditional": '<line y1="6" x2="22" y2="6" stroke="#555" stroke-dasharray="4 3"/>',
    "share": '<text y="11" font-size="10">62%</text>',
}


def _rows(graph: StoryGraph) -> list[list[GraphNode]]:
    """Nodes by row: breadth-first depth from the start, then from each node not yet placed."""
    following: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    for edge in graph.edges:
        following.setdefault(edge.source, []).append(edge.target)
    depth: dict[str, int] = {}
    starts = [graph.start] if graph.start in following else []
    for root in [*starts, *(n.id for n in graph.nodes)]:
        if root in depth:
            continue
        depth[root] = 0
        queue = deque([root])
        while queue:
            current = queue.popleft()
            for target in following.get(current, ()):
                if target not in depth and target in following:
                    depth[target] = depth[current] + 1
                    queue.append(target)
    rows: list[list[GraphNode]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in graph.nodes:
        rows[depth[node.id]].append(node)
    return rows


def _height(node: GraphNode) -> int:
    return _LINE * len(node.lines) + 2 * _PAD


def _node_svg(node: GraphNode, x: int, y: int) -> str:
    h = _height(node)
    fill = {"turning_point": TURNING_POINT_FILL, "resume": "#ffffff"}.get(node.kind, "#ffffff")
    if node.kind == "ending":
        fill = CANON_ENDING_FILL if node.is_canon_ending else ENDING_FILL
    stroke, width, dash = "#555555", 1.0, ""
    if not node.is_reachable:
        stroke, dash = UNREACHABLE, ' stroke-dasharray="5 4"'
    elif node.on_run or node.on_canon:
        stroke, width = (RUN_COLOUR if node.on_run else CANON_COLOUR), 2.5
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}'
    if node.kind == "turning_point":
        c = 12
        points = f"{x + c},{y} {x + _W - c},{y} {x + _W},{y + h / 2} {x + _W - c},{y + h} "
        points += f"{x + c},{y + h} {x},{y + h / 2}"
        shape = f'<polygon points="{points}" {paint}/>'
    elif node.kind == "resume":
        shape = f'<ellipse cx="{x + _W / 2}" cy="{y + h / 2}" rx="{_W / 2}" ry="{h / 2}" {paint}/>'
    else:
        shape = f'<rect x="{x}" y="{y}" width="{_W}" height="{h}" rx="8" {paint}/>'
    colour = UNREACHABLE if not node.is_reachable else "#111111"
    texts = [
        f'<text x="{x + _W / 2}" y="{y + _PAD + _LINE * (i + 1) - 3}" text-anchor="middle" '
        f'font-size="{12 if i == 0 else 10}" fill="{colour if i == 0 else "#444444"}">'
        f"{escape(line)}</text>"
        for i, line in enumerate(node.lines)
    ]
    return f"<g><title>{escape(node.id)}</title>{shape}{''.join(texts)}</g>"


def _edge_svg(edge: GraphEdge, box: dict[str, tuple[int, int, int]], offset: float) -> str:
    """One edge; `offset` bends it sideways so that choices between the same two nodes
    stay apart."""
    sx, sy, sh = box[edge.source]
    tx, ty, _ = box[edge.target]
    x1, y1, x2, y2 = sx + _W / 2, sy + sh, tx + _W / 2, ty
    if ty <= sy:  # a way back up (or across): curve out to the side
        bend = x1 + _W * 0.75 + offset
        path = f"M{x1},{y1} C{bend},{y1 + 60} {bend},{y2 - 60} {x2},{y2}"
        mid = (bend - 10, (y1 + y2) / 2)
    else:
        cx, cy = (x1 + x2) / 2 + offset, (y1 + y2) / 2
        path = f"M{x1},{y1} Q{cx},{cy} {x2},{y2}"
        mid = ((x1 + x2) / 2 + offset / 2, cy)
    colour, width = "#555555", 1.0
    if edge.on_run or edge.on_canon:
        colour, width = (RUN_COLOUR if edge.on_run else CANON_COLOUR), 2.5
    dash = ' stroke-dasharray="5 4"' if edge.is_conditional else ""
    marker = "run" if edge.on_run else "canon" if edge.on_canon else "plain"
    tip = escape(edge.text or edge.choice)
    half = len(edge.label) * 2.9 + 3  # about half the label's width at 10px
    return (
        f"<g><title>{tip}</title>"
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{width}"{dash} '
        f'marker-end="url(#arrow-{marker})"/>'
        f'<rect x="{mid[0] - half:.1f}" y="{mid[1] - 10}" width="{2 * half:.1f}" height="13" '
        f'fill="#ffffff" fill-opacity="0.85"/>'
        f'<text x="{mid[0]}" y="{mid[1]}" text-anchor="middle" font-size="10" fill="#222222">'
        f"{escape(edge.label)}</text></g>"
    )


def _legend_svg(graph: StoryGraph, x: int, y: int) -> tuple[str, int]:
    entries = legend(graph)
    if not entries:
        return "", 0
    parts = [f'<text x="{x}" y="{y + 12}" font-size="12" font-weight="bold">Legend</text>']
    for i, entry in enumerate(entries):
        row = y + 20 + i * 18
        parts.append(
            f'<g transform="translate({x},{row})">{_LEGEND_SWATCH[entry.key]}'
            f'<text x="30" y="11" font-size="11">{escape(entry.meaning)}</text></g>'
        )
    return "".join(parts), 30 + len(entries) * 18


def to_svg(graph: StoryGraph) -> str:
    """The graph drawn as a standalone SVG document."""
    margin = 20
    legend_svg, legend_height = _legend_svg(graph, margin, 40)
    top = 40 + legend_height + 20
    box: dict[str, tuple[int, int, int]] = {}
    y, width = top, 600
    for row in _rows(graph):
        row_height = max(_height(n) for n in row)
        for column, node in enumerate(row):
            box[node.id] = (margin + column * (_W + _GAP_X), y, _height(node))
        width = max(width, 2 * margin + len(row) * (_W + _GAP_X) + _W)
        y += row_height + _GAP_Y
    height = y + margin
    arrows = "".join(
        f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
        for name, colour in (("plain", "#555555"), ("canon", CANON_COLOUR), ("run", RUN_COLOUR))
    )
    between: dict[tuple[str, str], list[GraphEdge]] = {}
    for edge in graph.edges:
        if edge.source in box and edge.target in box:
            between.setdefault((edge.source, edge.target), []).append(edge)
    edges = [
        _edge_svg(edge, box, (i - (len(group) - 1) / 2) * 170)
        for group in between.values()
        for i, edge in enumerate(group)
    ]
    nodes = [_node_svg(n, box[n.id][0], box[n.id][1]) for n in graph.nodes]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {_FONT}>\n'
        f"<title>{escape(graph.title)}</title>\n<defs>{arrows}</defs>\n"
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n'
        f'<text x="{margin}" y="26" font-size="18" font-weight="bold">'
        f"{escape(graph.title)}</text>\n"
        f"{legend_svg}\n" + "\n".join(edges) + "\n" + "\n".join(nodes) + "\n</svg>\n"
    )
