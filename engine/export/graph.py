"""The story as a graph to draw: nodes grouped by episode, edges per choice, highlights.

Owns: `story_graph`, which turns a Story (plus the canon path and, optionally, a run's
path) into plain data that `dot.py` and `mermaid.py` write out. It decides what is
marked (turning points, endings, the canon ending, unreachable nodes, the paths) but
not how it looks; the writers own colours and shapes. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.runtime.graph import interrupt_nodes, reachable
from engine.runtime.model import Story
from engine.runtime.world import RESUME

__all__ = [
    "RESUME_NODE",
    "GraphEdge",
    "GraphNode",
    "LegendEntry",
    "StoryGraph",
    "legend",
    "node_title",
    "percent",
    "story_graph",
]

RESUME_NODE = RESUME  # the pseudo-node `goto: $resume` edges lead to


class GraphNode(NamedTuple):
    """A node to draw. kind: scene, turning_point, ending or resume."""

    id: str
    kind: str
    lines: tuple[str, ...]
    episode: int | None
    is_reachable: bool = True
    is_canon_ending: bool = False
    on_canon: bool = False
    on_run: bool = False
    title: str = ""  # the human title: the turning point's or ending's, else the first words


class GraphEdge(NamedTuple):
    """A choice to draw, from its node to its goto."""

    source: str
    target: str
    choice: str
    is_conditional: bool
    on_canon: bool = False
    on_run: bool = False
    share: float | None = None  # the share of simulated players who took it (the ledger)
    text: str = ""  # the choice's words, for a tooltip

    @property
    def label(self) -> str:
        """The choice id, with the share of simulated players when known: `stay · 62%`."""
        return self.choice if self.share is None else f"{self.choice} · {percent(self.share)}"


@dataclass
class StoryGraph:
    """Nodes in story order, edges in choice order, and the episode clusters."""

    title: str
    canon_label: str = "the canon"
    start: str = ""
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    episodes: dict[int, str] = field(default_factory=dict)  # number -> title

    def clusters(self) -> list[tuple[int, str, list[GraphNode]]]:
        """(episode number, label, nodes) for every episode that holds a node, in order."""
        numbers = sorted({n.episode for n in self.nodes if n.episode is not None})
        return [
            (number, _episode_label(number, self.episodes.get(number)), nodes)
            for number in numbers
            if (nodes := self.in_episode(number))
        ]

    def in_episode(self, number: int | None) -> list[GraphNode]:
        """The nodes of episode `number` (None: nodes that belong to no episode)."""
        return [n for n in self.nodes if n.episode == number]


class LegendEntry(NamedTuple):
    """One line of a map's legend: what is drawn (`key`, which a writer draws in its own
    way) and what it means."""

    key: str  # turning_point, canon_ending, ending, unreachable, canon, run, conditional, share
    meaning: str


def legend(graph: StoryGraph) -> list[LegendEntry]:
    """The legend of `graph`: one entry per kind of mark that the graph holds."""
    kinds = {n.kind for n in graph.nodes}
    entries = [
        ("turning_point", "turning_point" in kinds, "a turning point"),
        (
            "canon_ending",
            any(n.is_canon_ending for n in graph.nodes),
            f"{graph.canon_label}'s ending",
        ),
        (
            "ending",
            any(n.kind == "ending" and not n.is_canon_ending for n in graph.nodes),
            "another ending",
        ),
        ("unreachable", any(not n.is_reachable for n in graph.nodes), "a node no run can reach"),
        ("canon", any(e.on_canon for e in graph.edges), f"the path of {graph.canon_label}"),
        ("run", any(e.on_run for e in graph.edges), "the run given with --run"),
        (
            "conditional",
            any(e.is_conditional for e in graph.edges),
            "a choice with a condition (if, unless or once)",
        ),
        (
            "share",
            any(e.share is not None for e in graph.edges),
            "the share of simulated players who took the choice there (docs/ledger.md)",
        ),
    ]
    return [LegendEntry(key, meaning) for key, shown, meaning in entries if shown]


def percent(share: float) -> str:
    """A share as a whole percentage; never rounds a taken choice to 0% or a not-taken to 100%."""
    if share <= 0:
        return "0%"
    if share >= 1:
        return "100%"
    value = round(share * 100)
    return "<1%" if value < 1 else ">99%" if value > 99 else f"{value}%"


def _episode_label(number: int, title: str | None) -> str:
    plain = f"Episode {number}"
    return plain if not title or title == plain else f"{plain}: {title}"


def _path_nodes(story: Story, steps: tuple[tuple[str, str], ...]) -> set[str]:
    nodes = {node for node, _ in steps}
    if steps:
        node, choice = steps[-1]
        target = story.nodes[node].choice_map[choice].goto if node in story.nodes else None
        if target is not None and target != RESUME:
            nodes.add(target)
    return nodes


_EMPHASIS = re.compile(r"[*_]+")
_TITLE_WORDS = 6
_TITLE_CHARS = 40


def node_title(story: Story, node_id: str) -> str:
    """A human title for a node: its turning point's or ending's title, else the first
    words of its text past any all-capitals heading line (emphasis marks dropped, cut
    with an ellipsis)."""
    node = story.nodes[node_id]
    if node.turning_point is not None:
        return node.turning_point.title
    if node.ending is not None:
        return node.ending.title
    text = node.text if isinstance(node.text, str) else "\n".join(p.text for p in node.text)
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    prose = [x for x in lines if not x.isupper()]  # past a heading such as "ELSEWHERE — LAB"
    line = (prose or lines or [""])[0]
    words = _EMPHASIS.sub("", line).split()
    title = " ".join(words[:_TITLE_WORDS])
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rstrip()
    if title != " ".join(words):
        title = title.rstrip(".,;:!?") + "…"
    return title or node_id


def _lines(story: Story, node_id: str, is_reachable: bool) -> tuple[str, ...]:
    node = story.nodes[node_id]
    lines = [node_title(story, node_id)]
    if node.turning_point is not None:
        lines.append(f"{node.turning_point.id} · {node_id}")
    elif node.ending is not None:
        lines.append(f"Ending · {node_id}")
    else:
        lines.append(node_id)
    if not is_reachable:
        lines.append("(unreachable)")
    return tuple(lines)


def story_graph(
    story: Story,
    canon: Iterable[tuple[str, str]] = (),
    run: Iterable[tuple[str, str]] = (),
    shares: Mapping[tuple[str, str], float] | None = None,
) -> StoryGraph:
    """The graph of `story` with the canon path and a run's path (node, choice) marked,
    and, given `shares`, each choice's share of simulated players on its edge."""
    canon_steps, run_steps = tuple(canon), tuple(run)
    canon_nodes, run_nodes = _path_nodes(story, canon_steps), _path_nodes(story, run_steps)
    canon_nodes.add(story.start)  # the canon path starts there even when it has no step
    canon_edges, run_edges = set(canon_steps), set(run_steps)
    reached = reachable(story, [story.start, *interrupt_nodes(story)])
    graph = StoryGraph(
        story.title,
        story.canon.label if story.canon is not None else "the canon",
        story.start,
        episodes={n: e.title for n, e in story.episodes.items()},
    )
    for node in story.nodes.values():
        kind = "ending" if node.ending else "turning_point" if node.turning_point else "scene"
        graph.nodes.append(
            GraphNode(
                node.id,
                kind,
                _lines(story, node.id, node.id in reached),
                node.episode,
                node.id in reached,
                node.ending is not None and node.ending.id == story.canon_ending,
                node.id in canon_nodes,
                node.id in run_nodes,
                node_title(story, node.id),
            )
        )
        for choice in node.choices:
            graph.edges.append(
                GraphEdge(
                    node.id,
                    choice.goto,
                    choice.id,
                    not choice.plain,
                    (node.id, choice.id) in canon_edges,
                    (node.id, choice.id) in run_edges,
                    shares.get((node.id, choice.id))
                    if shares is not None and len(node.choices) > 1  # an only choice: 100%
                    else None,
                    choice.text,
                )
            )
    if any(e.target == RESUME_NODE for e in graph.edges):
        lines = (RESUME, "back to where play was going")
        graph.nodes.append(
            GraphNode(RESUME_NODE, "resume", lines, None, title="back to where play was going")
        )
    return graph
