"""Whole-story checks: the graph, the canon section, and ids that must be unique.

Owns: checks that need every node at once: the start and on_turn nodes exist, endings
have no choices, no dead ends, every node keeps one always-available choice, every node
is reachable from the start, every ending is led to, `$resume`, `$turned` and `on_turn`
are used where they work (`engine.compiler.interrupts`), no run can be trapped where no
ending is in reach (`engine.compiler.traps`), turning-point and ending ids are
unique, and the manifest's canon section names real characters, statuses and endings.
Reports through the context's diagnostics; never raises for an author's mistake.
"""

from __future__ import annotations

from typing import Any

from engine.compiler.context import Context
from engine.compiler.interrupts import check_interrupts
from engine.compiler.traps import check_traps
from engine.compiler.ytree import YMap
from engine.diagnostics import Pos, did_you_mean
from engine.runtime.graph import interrupt_nodes, reachable
from engine.runtime.model import Node, Story
from engine.runtime.world import RESUME

__all__ = ["check_graph"]


def check_graph(ctx: Context, story: Story, manifest: YMap, infection: YMap | None) -> None:
    """Every check that needs the whole node graph; see the module docstring."""
    _check_unique(ctx, story)
    for node in story.nodes.values():
        if node.id not in ctx.broken_nodes:
            _check_node(ctx, node)
    if ctx.incomplete:
        return  # a file that could not be read may hold the missing ids: say nothing more
    _check_roots(ctx, story, manifest, infection)
    if story.start in story.nodes:
        _check_reachability(ctx, story)
        check_interrupts(ctx, story, manifest, infection)
        if not ctx.diags.has_errors:  # a complete graph: no trap is a follow-up error
            check_traps(ctx, story)
    if story.canon_ending is not None:
        ending_ids = [n.ending.id for n in story.endings() if n.ending]
        if story.canon_ending not in ending_ids:
            canon = manifest["canon"]  # the ending came from here
            ctx.error(
                canon.at("ending"),
                "E055",
                f'canon ending "{story.canon_ending}" is not the id of any ending',
                did_you_mean(story.canon_ending, ending_ids),
            )


def _check_roots(ctx: Context, story: Story, manifest: YMap, infection: YMap | None) -> None:
    named: list[tuple[str | None, Pos, str]] = [
        (manifest.get("start"), manifest.at("start"), "start"),
        (story.on_turn, infection.at("on_turn") if infection else manifest.pos, "on_turn"),
    ]
    named += [(c.on_turn, c.pos, f"{c.id}'s on_turn") for c in story.cast.values()]
    for node_id, pos, what in named:
        if isinstance(node_id, str) and node_id not in story.nodes:
            ctx.error(
                pos,
                "E030",
                f'{what} names unknown node "{node_id}"',
                did_you_mean(node_id, story.nodes),
            )


def _check_unique(ctx: Context, story: Story) -> None:
    for kind in ("turning point", "ending"):
        seen: dict[str, Any] = {}
        for node in story.nodes.values():
            item: Any = node.turning_point if kind == "turning point" else node.ending
            if item is None:
                continue
            if item.id in seen:
                ctx.error(
                    item.pos,
                    "E020",
                    f'{kind} id "{item.id}" is already used at {seen[item.id].pos}',
                )
            else:
                seen[item.id] = item


def _check_node(ctx: Context, node: Node) -> None:
    if node.ending is not None:
        if node.choices:
            ctx.error(node.pos, "E051", f'node "{node.id}" is an ending but has choices')
        return
    if not node.choices:
        ctx.error(
            node.pos,
            "E052",
            f'node "{node.id}" has no choices and is not an ending: play would stop here',
        )
        return
    if all(not c.plain for c in node.choices):  # an if:, an unless: or once: true
        ctx.error(
            node.pos,
            "E053",
            f'every choice of node "{node.id}" has {_limits(node)}, so the player is stuck '
            "when none can be taken",
        )


def _limits(node: Node) -> str:
    """What keeps a node's choices from always being taken: "an if:", "an if: or once:
    true", "an if:, an unless: or once: true"."""
    kinds = [
        word
        for word, found in (
            ("an if:", any(c.condition is not None for c in node.choices)),
            ("an unless:", any(c.unless is not None for c in node.choices)),
            ("once: true", any(c.once for c in node.choices)),
        )
        if found
    ]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


def _check_reachability(ctx: Context, story: Story) -> None:
    roots = [story.start, *interrupt_nodes(story), *ctx.hinted_targets]
    reached = reachable(story, roots)
    targets = {c.goto for n in story.nodes.values() for c in n.choices if c.goto != RESUME}
    targets |= ctx.hinted_targets
    for node in story.nodes.values():
        if node.id in reached:
            continue
        if node.ending is not None and node.id not in targets:
            ctx.error(
                node.pos, "W102", f'ending "{node.ending.id}" ({node.id}): no choice leads to it'
            )
        else:
            ctx.error(node.pos, "W101", f'node "{node.id}" cannot be reached from the start')
