"""Whole-story checks: the graph, the canon section, and ids that must be unique.

Owns: checks that need every node at once: the start and on_turn nodes exist, endings
have no choices, no dead ends, every node keeps one always-available choice, every node
is reachable from the start, every ending is led to, turning-point and ending ids are
unique, and the manifest's canon section names real characters, statuses and endings.
Reports through the loader's diagnostics; never raises for an author's mistake.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from engine.compiler.yamlread import YMap
from engine.diagnostics import Pos, did_you_mean
from engine.runtime.model import RESUME, STATUSES, Node, Story

if TYPE_CHECKING:
    from engine.compiler.loader import _Loader

__all__ = ["canon_section", "check_graph", "reachable_nodes"]


def canon_section(
    loader: _Loader, manifest: YMap
) -> tuple[dict[str, tuple[tuple[int, str], ...]], str | None]:
    """Read `canon:`: the roster timeline per character and the show's ending id."""
    canon = manifest.get("canon")
    if not isinstance(canon, YMap):
        return {}, None
    loader.keys(canon, {"roster": dict, "ending": str}, (), "canon")
    roster: dict[str, tuple[tuple[int, str], ...]] = {}
    timeline = canon.get("roster")
    if isinstance(timeline, YMap):
        for who, entries in timeline.items():
            pos = timeline.key_pos[who]
            if who not in loader.cast:
                loader.error(
                    pos,
                    "E031",
                    f'canon roster names unknown character "{who}"',
                    did_you_mean(who, loader.cast),
                )
                continue
            if not isinstance(entries, YMap):
                loader.error(
                    timeline.at(who),
                    "E055",
                    f"canon roster for {who}: give a mapping of episode: status",
                )
                continue
            roster[who] = _timeline(loader, who, entries)
    ending = canon.get("ending")
    return roster, ending if isinstance(ending, str) else None


def _timeline(loader: _Loader, who: str, entries: YMap) -> tuple[tuple[int, str], ...]:
    out = []
    for key, status in entries.items():
        pos = entries.key_pos[key]
        try:
            episode = int(key)
        except ValueError:
            loader.error(pos, "E055", f'canon roster for {who}: "{key}" is not an episode number')
            continue
        if status not in STATUSES:
            loader.error(
                entries.at(key),
                "E055",
                f'canon roster for {who}: "{status}" is not a status ({", ".join(STATUSES)})',
                did_you_mean(str(status), STATUSES),
            )
            continue
        out.append((episode, str(status)))
    return tuple(sorted(out))


def reachable_nodes(story: Story, extra_roots: Iterable[str] = ()) -> set[str]:
    """Nodes some goto chain reaches from the start or an on_turn node (ignoring `if:`)."""
    roots = [story.start, story.on_turn, *(c.on_turn for c in story.cast.values()), *extra_roots]
    seen: set[str] = set()
    queue = deque(r for r in roots if r and r in story.nodes)
    while queue:
        node_id = queue.popleft()
        if node_id in seen:
            continue
        seen.add(node_id)
        for choice in story.nodes[node_id].choices:
            if choice.goto in story.nodes and choice.goto not in seen:
                queue.append(choice.goto)
    return seen


def check_graph(loader: _Loader, story: Story, manifest: YMap, infection: YMap) -> None:
    """Every check that needs the whole node graph; see the module docstring."""
    _check_unique(loader, story)
    for node in story.nodes.values():
        if node.id not in loader.broken_nodes:
            _check_node(loader, node)
    if loader.incomplete:
        return  # a file that could not be read may hold the missing ids: say nothing more
    _check_roots(loader, story, manifest, infection)
    if story.start in story.nodes:
        _check_reachability(loader, story)
    if story.canon_ending is not None:
        ending_ids = [n.ending.id for n in story.endings() if n.ending]
        if story.canon_ending not in ending_ids:
            canon = manifest["canon"]
            loader.error(
                canon.at("ending"),
                "E055",
                f'canon ending "{story.canon_ending}" is not the id of any ending',
                did_you_mean(story.canon_ending, ending_ids),
            )


def _check_roots(loader: _Loader, story: Story, manifest: YMap, infection: YMap) -> None:
    named: list[tuple[str | None, Pos, str]] = [
        (manifest.get("start"), manifest.at("start"), "start"),
        (story.on_turn, infection.at("on_turn") if infection else manifest.pos, "on_turn"),
    ]
    named += [(c.on_turn, c.pos, f"{c.id}'s on_turn") for c in story.cast.values()]
    for node_id, pos, what in named:
        if isinstance(node_id, str) and node_id not in story.nodes:
            loader.error(
                pos,
                "E030",
                f'{what} names unknown node "{node_id}"',
                did_you_mean(node_id, story.nodes),
            )


def _check_unique(loader: _Loader, story: Story) -> None:
    for kind in ("turning point", "ending"):
        seen: dict[str, Any] = {}
        for node in story.nodes.values():
            item: Any = node.turning_point if kind == "turning point" else node.ending
            if item is None:
                continue
            if item.id in seen:
                loader.error(
                    item.pos,
                    "E020",
                    f'{kind} id "{item.id}" is already used at {seen[item.id].pos}',
                )
            else:
                seen[item.id] = item


def _check_node(loader: _Loader, node: Node) -> None:
    if node.ending is not None:
        if node.choices:
            loader.error(node.pos, "E051", f'node "{node.id}" is an ending but has choices')
        return
    if not node.choices:
        loader.error(
            node.pos,
            "E052",
            f'node "{node.id}" has no choices and is not an ending: play would stop here',
        )
        return
    if all(c.condition is not None for c in node.choices):
        loader.error(
            node.pos,
            "E053",
            f'every choice of node "{node.id}" has a condition: when none holds the '
            "player is stuck",
        )


def _check_reachability(loader: _Loader, story: Story) -> None:
    reached = reachable_nodes(story, loader.hinted_targets)
    targets = {c.goto for n in story.nodes.values() for c in n.choices if c.goto != RESUME}
    targets |= loader.hinted_targets
    for node in story.nodes.values():
        if node.id in reached:
            continue
        if node.ending is not None and node.id not in targets:
            loader.error(
                node.pos, "W102", f'ending "{node.ending.id}" ({node.id}): no choice leads to it'
            )
        else:
            loader.error(node.pos, "W101", f'node "{node.id}" cannot be reached from the start')
