"""The node graph of a story, conditions ignored: successors and reachability.

Owns: THE reachability search every other module uses (the checker's unreachable-node
warnings, the map, the canon comparison's "does this branch lead there"). An edge is a
choice's goto; `$resume` leads nowhere by itself (where it leads depends on the state).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from engine.runtime.model import Story
from engine.runtime.world import RESUME

__all__ = ["interrupt_nodes", "reachable", "successors"]


def successors(story: Story, node_id: str) -> list[str]:
    """The nodes the choices of `node_id` go to, in choice order ($resume left out)."""
    node = story.nodes.get(node_id)
    if node is None:
        return []
    return [c.goto for c in node.choices if c.goto != RESUME]


def interrupt_nodes(story: Story) -> list[str]:
    """The on_turn nodes play can be diverted to (the story's and each character's)."""
    routes = [story.on_turn, *(c.on_turn for c in story.cast.values())]
    return [r for r in dict.fromkeys(routes) if r is not None]


def reachable(story: Story, roots: Iterable[str]) -> frozenset[str]:
    """Every node some goto chain reaches from `roots` (roots included; unknown ids
    ignored)."""
    seen: set[str] = set()
    queue = deque(r for r in roots if r in story.nodes)
    while queue:
        node_id = queue.popleft()
        if node_id in seen:
            continue
        seen.add(node_id)
        queue.extend(t for t in successors(story, node_id) if t not in seen and t in story.nodes)
    return frozenset(seen)
