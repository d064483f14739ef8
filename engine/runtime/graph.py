"""The node graph of a story, conditions ignored: successors and reachability.

Owns: THE reachability search every other module uses (the checker's unreachable-node
warnings, the map, the canon comparison's "does this branch lead there"), the reverse
search (from which nodes a set of nodes can be reached: the checker's "no ending can be
reached from here") and the loops no edge leaves. An edge is a choice's goto; `$resume`
leads nowhere by itself (where it leads depends on the state). Every search is
iterative and linear in the nodes and choices.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from engine.runtime.model import Story
from engine.runtime.world import RESUME

__all__ = ["closed_loops", "coreachable", "interrupt_nodes", "reachable", "successors"]


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


def _search(
    story: Story, roots: Iterable[str], neighbours: Callable[[str], Iterable[str]]
) -> frozenset[str]:
    """Breadth-first: every known node reachable from `roots` through `neighbours`."""
    seen: set[str] = set()
    queue = deque(r for r in roots if r in story.nodes)
    while queue:
        node_id = queue.popleft()
        if node_id in seen:
            continue
        seen.add(node_id)
        queue.extend(n for n in neighbours(node_id) if n not in seen and n in story.nodes)
    return frozenset(seen)


def reachable(story: Story, roots: Iterable[str]) -> frozenset[str]:
    """Every node some goto chain reaches from `roots` (roots included; unknown ids
    ignored)."""
    return _search(story, roots, lambda node_id: successors(story, node_id))


def coreachable(story: Story, targets: Iterable[str]) -> frozenset[str]:
    """Every node from which some goto chain reaches one of `targets` (targets
    included; unknown ids ignored)."""
    before: dict[str, list[str]] = {}
    for node_id in story.nodes:
        for target in successors(story, node_id):
            before.setdefault(target, []).append(node_id)
    return _search(story, targets, lambda node_id: before.get(node_id, ()))


def closed_loops(story: Story, among: Iterable[str]) -> list[list[str]]:
    """The loops among the nodes `among` that no goto leaves: each strongly connected
    set of them (a node going to itself counts) whose every edge stays inside the set.

    Tarjan's algorithm, iterative so a long chain cannot exhaust the stack. Nodes keep
    the order of `among` inside each loop; loops come in the order they close.
    """
    inside = {node_id: order for order, node_id in enumerate(dict.fromkeys(among))}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in inside:
        if root in index:
            continue
        work = [(root, iter(successors(story, root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node_id, edges = work[-1]
            target = next((t for t in edges if t in inside), None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(successors(story, target))))
                elif target in on_stack:
                    low[node_id] = min(low[node_id], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node_id])
            if low[node_id] == index[node_id]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node_id:
                        break
                if _is_closed(story, members):
                    found.append(sorted(members, key=inside.__getitem__))
    return found


def _is_closed(story: Story, members: list[str]) -> bool:
    """Whether the set is a loop (a cycle, not one node without a self-edge) that no
    goto leaves (a `$resume` choice may leave it, so it does not count as closed)."""
    group = set(members)
    edges = [c.goto for m in members for c in story.nodes[m].choices]
    if not edges or RESUME in edges:
        return False
    if len(members) == 1 and members[0] not in edges:
        return False
    return all(target in group for target in edges)
