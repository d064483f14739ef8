"""The story as a graph to draw: nodes grouped by episode, edges per choice, highlights.

Owns: `story_graph`, which turns a Story (plus the canon path and, optionally, a run's
path) into plain data that `dot.py` and `mermaid.py` write out. It decides what is
marked (turning points, endings, the canon ending, unreachable nodes, the paths) but
not how it looks; the writers own colours and shapes. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.runtime.graph import interrupt_nodes, reachable
from engine.runtime.model import Story
from engine.runtime.world import RESUME

__all__ = ["RESUME_NODE", "GraphEdge", "GraphNode", "StoryGraph", "story_graph"]

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


class GraphEdge(NamedTuple):
    """A choice to draw, from its node to its goto."""

    source: str
    target: str
    choice: str
    is_conditional: bool
    on_canon: bool = False
    on_run: bool = False


@dataclass
class StoryGraph:
    """Nodes in story order, edges in choice order, and the episode clusters."""

    title: str
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


def _lines(story: Story, node_id: str, is_reachable: bool) -> tuple[str, ...]:
    node = story.nodes[node_id]
    lines = [node_id]
    if node.turning_point is not None:
        lines.append(f"{node.turning_point.id}: {node.turning_point.title}")
    if node.ending is not None:
        lines.append(f"Ending: {node.ending.title}")
    if not is_reachable:
        lines.append("(unreachable)")
    return tuple(lines)


def story_graph(
    story: Story,
    canon: Iterable[tuple[str, str]] = (),
    run: Iterable[tuple[str, str]] = (),
) -> StoryGraph:
    """The graph of `story` with the canon path and a run's path (node, choice) marked."""
    canon_steps, run_steps = tuple(canon), tuple(run)
    canon_nodes, run_nodes = _path_nodes(story, canon_steps), _path_nodes(story, run_steps)
    canon_nodes.add(story.start)  # the canon path starts there even when it has no step
    canon_edges, run_edges = set(canon_steps), set(run_steps)
    reached = reachable(story, [story.start, *interrupt_nodes(story)])
    graph = StoryGraph(story.title, episodes={n: e.title for n, e in story.episodes.items()})
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
            )
        )
        for choice in node.choices:
            graph.edges.append(
                GraphEdge(
                    node.id,
                    choice.goto,
                    choice.id,
                    choice.condition is not None,
                    (node.id, choice.id) in canon_edges,
                    (node.id, choice.id) in run_edges,
                )
            )
    if any(e.target == RESUME_NODE for e in graph.edges):
        lines = (RESUME, "back to where play was going")
        graph.nodes.append(GraphNode(RESUME_NODE, "resume", lines, None))
    return graph
