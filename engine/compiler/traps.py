"""Whole-story checks that every run can still end: no trap, and an ending in reach.

Owns: E058 (no ending can be reached from the start at all) and E057 (a loop of nodes,
reachable from the start, that no choice leaves: a node whose only choice goes back to
itself, say). Both use the node graph with conditions ignored (`engine.runtime.graph`),
so they never call a story stuck that might not be: a choice behind an `if:` counts as
a way out, a `$resume` choice may lead anywhere, and when an `on_turn` node can lead to
an ending, a companion turning is a way out of every loop. Runs only on a story with no
other error, whose graph is complete.
"""

from __future__ import annotations

from engine.compiler.context import Context
from engine.runtime.graph import (
    closed_loops,
    coreachable,
    interrupt_nodes,
    reachable,
)
from engine.runtime.model import Story
from engine.runtime.world import RESUME

__all__ = ["check_traps"]

_SHOWN = 4  # nodes of a loop named in the message


def check_traps(ctx: Context, story: Story) -> None:
    """Report E058 or E057 (see the module docstring); needs a start that exists."""
    if story.start not in story.nodes:
        return
    exits = [n.id for n in story.nodes.values() if n.ending is not None]
    exits += [n.id for n in story.nodes.values() if any(c.goto == RESUME for c in n.choices)]
    can_end = coreachable(story, exits)
    interrupts = interrupt_nodes(story)
    endings = {n.id for n in story.nodes.values() if n.ending is not None}
    if any(n in coreachable(story, endings) for n in interrupts):
        return  # a companion turning may lead out of any loop: nothing is surely stuck
    start = story.nodes[story.start]
    if story.start not in can_end:
        ctx.error(
            start.pos,
            "E058",
            f'no ending can be reached from the start node "{start.id}": every path from '
            "it goes round in loops or stops",
        )
        return
    roots = [story.start, *interrupts]
    stuck = [n for n in reachable(story, roots) if n not in can_end]
    order = {node_id: i for i, node_id in enumerate(story.nodes)}
    stuck.sort(key=order.__getitem__)
    for loop in closed_loops(story, stuck):
        first = story.nodes[loop[0]]
        ctx.error(first.pos, "E057", _describe(loop))


def _describe(loop: list[str]) -> str:
    if len(loop) == 1:
        return (
            f'node "{loop[0]}" only leads back to itself: once play is here it can never '
            "reach an ending"
        )
    names = [f'"{n}"' for n in loop[:_SHOWN]]
    if len(loop) > _SHOWN:
        listed = f"{', '.join(names)} and {len(loop) - _SHOWN} more"
    else:
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
    return (
        f"nodes {listed} only lead to one another: once play is there it can never reach an ending"
    )
