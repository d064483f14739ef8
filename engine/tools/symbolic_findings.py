"""The findings of the search by sets: shortest witnesses, softlocks, the result.

Owns: `findings` (the `ExploreResult` of a finished `SymbolicSearch`), `witness` (a
shortest path to a set of states, traced back through the sets of each depth and the
relations of the steps between them) and the backward fixpoint that finds the states
with no way out. The search itself is `engine.tools.symbolic`.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, NamedTuple

from engine.runtime.rules import replay_steps, survivors
from engine.tools.explore_record import completion, never_available
from engine.tools.findings import EndingReport, ExploreResult, Softlock, Steps
from engine.tools.symbolic_rosters import census
from engine.tools.symbolic_values import BDD, Group
from engine.tools.symbolic_widen import catch_up

if TYPE_CHECKING:
    from engine.tools.symbolic_search import SymbolicSearch

__all__ = ["findings", "witness"]


def witness(search: SymbolicSearch, depth: int, group: Group, states: BDD) -> Steps:
    """A shortest path from the start to a state of `states` (new at `depth`)."""
    bdd, nodes = search.bdd, search.story.nodes
    # A depth's set may not know the variables added after it (`catch_up`): read
    # through the reached set, which does.
    first = states & search.levels[depth][group] & search.reached[group]
    point = bdd.pick(first, care_vars=search.all_vars)
    steps: list[tuple[str, str]] = []
    while depth > 0:
        for edge in search.edges[(depth, group)]:
            made = {search.primed[v]: point[v] for v in edge.touched}
            given = search.let(made, edge.relation)
            if given == bdd.false:
                continue
            skip = set(edge.touched).union(edge.dropped)
            carried = {v: point[v] for v in search.all_vars if v not in skip}
            before = search.levels[depth - 1].get(edge.parent, bdd.false)
            # the parent's members that carry the point's values (one path followed,
            # not the whole set) and step to it
            rest = search.let(carried, before) & search.let(carried, given)
            rest &= search.let(carried, search.reached[edge.parent])
            if rest != bdd.false:
                picked = bdd.pick(rest)  # over the variables `rest` depends on
                point = {**dict.fromkeys(skip, False), **carried, **picked}
                node = nodes[edge.parent[0]]
                steps.append((node.id, node.choices[edge.position].id))
                depth, group = depth - 1, edge.parent
                break
        else:  # every state of a set was reached by some edge into it
            raise AssertionError(f"no way back from {group[0]} at depth {depth}")
    return tuple(reversed(steps))


def _first(
    search: SymbolicSearch, group_sets: list[tuple[Group, BDD]]
) -> tuple[int, Group, BDD] | None:
    """The shallowest depth at which one of these sets has a new state."""
    for depth, level in enumerate(search.levels):
        for group, states in group_sets:
            found = level.get(group)
            if found is not None and found & states != search.bdd.false:
                return depth, group, states
    return None


def findings(search: SymbolicSearch, interrupted: bool = False) -> ExploreResult:
    catch_up(search)
    stopped, complete = completion(search.stopped, search.has_pending(), interrupted)
    story = search.story
    rosters = census(search) if search.census else None
    return ExploreResult(
        story=story.id,
        seed=search.seed,
        states=search.states,
        transitions=search.transitions,
        complete=complete,
        stopped=stopped,
        reads_turn=search.reads_turn,
        merged=True,
        endings=[_ending(search, n.id) for n in story.endings()],
        softlocks=_softlocks(search, complete),
        never_available=never_available(story, search.taken, search.expanded),
        unreached_nodes=[n for n in story.nodes if n not in search.expanded],
        final_rosters=rosters.listed if rosters is not None else None,
        max_depth=max(len(search.levels) - 1, 0),
        symbolic=True,
        distinct_rosters=rosters.distinct if rosters is not None else None,
    )


def _ending(search: SymbolicSearch, node_id: str) -> EndingReport:
    node = search.story.nodes[node_id]
    assert node.ending is not None
    first = search.first_ending.get(node.ending.id)
    if first is None:
        return EndingReport(node.ending.id, node.id, node.ending.title, 0, None, None)
    count = sum(search.reached_in(g) for g in search.reached if g[0] == node_id)
    depth, group = first
    path = witness(search, depth, group, search.bdd.true)
    final = replay_steps(search.story, search.seed, path)[-1]
    return EndingReport(node.ending.id, node.id, node.ending.title, count, path, survivors(final))


def _softlocks(search: SymbolicSearch, complete: bool) -> list[Softlock]:
    found = []
    for node, records in search.stuck.items():
        first = min(records, key=lambda r: r.level)
        count = sum(search.count(r.given, r.group) for r in records)
        found.append(
            Softlock(
                node, "no choice", count, witness(search, first.level, first.group, first.given)
            )
        )
    if complete:
        found += _traps(search)
    return sorted(found, key=lambda s: len(s.witness))


class _Back(NamedTuple):
    parent: Group
    relation: BDD  # (the parent's codes, the child's: primed) of the touched dimensions


def _traps(search: SymbolicSearch) -> list[Softlock]:
    """States that can still move but never reach an ending: the reached sets minus
    the least fixpoint of "some choice leads to a state that can end"."""
    bdd, story = search.bdd, search.story
    can_end = {g: u for g, u in search.reached.items() if story.nodes[g[0]].ending is not None}
    # The steps of every depth and choice between two groups, as one relation each
    # (per way of reading the child back: its touched and dropped variables).
    joint: dict[tuple[Group, Group, tuple[str, ...], tuple[str, ...]], BDD] = {}
    for edges in search.edges.values():
        for e in edges:
            key = (e.child, e.parent, e.touched, e.dropped)
            joint[key] = joint.get(key, bdd.false) | e.relation
    into: dict[Group, dict[tuple[tuple[str, ...], tuple[str, ...]], list[_Back]]] = {}
    for (child, parent, touched, dropped), relation in joint.items():
        ways = into.setdefault(child, {})
        ways.setdefault((touched, dropped), []).append(_Back(parent, relation))
    # Deepest groups first: most edges lead deeper, so a group is usually complete
    # before its parents read it, and each edge is worked through about once.
    deepest = {g: d for d, level in enumerate(search.levels) for g in level}
    todo = [(-deepest[g], n, g) for n, g in enumerate(can_end)]
    heapq.heapify(todo)
    queued = set(can_end)
    count = len(todo)
    while todo:
        child = heapq.heappop(todo)[2]
        queued.discard(child)
        ends = can_end[child]
        for (touched, dropped), backs in into.get(child, {}).items():
            after = bdd.exist(dropped, ends) if dropped else ends
            after = search.rename(after, touched, primed=True)
            primed = [search.primed[v] for v in touched]
            for parent, relation in backs:
                before = search.reached[parent] & search.and_exists(after, relation, primed)
                old = can_end.get(parent, bdd.false)
                grown = old | before
                if grown != old:
                    can_end[parent] = grown
                    if parent not in queued:
                        queued.add(parent)
                        count += 1
                        heapq.heappush(todo, (-deepest[parent], count, parent))
    traps: dict[str, list[tuple[Group, BDD]]] = {}
    for group, states in search.reached.items():
        if story.nodes[group[0]].ending is not None:
            continue
        left = states & ~can_end.get(group, bdd.false) & ~search.stuck_sets.get(group, bdd.false)
        if left != bdd.false:
            traps.setdefault(group[0], []).append((group, left))
    out = []
    for node, sets in traps.items():
        first = _first(search, sets)
        assert first is not None
        count = sum(search.count(u, g) for g, u in sets)
        out.append(Softlock(node, "no way out", count, witness(search, *first)))
    return out
