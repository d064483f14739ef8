"""Reports of `hyosan explore`: an `ExploreResult` as text for a terminal, or as JSON data.

Owns: the text report (the summary line, endings with their shortest paths, softlocks,
choices never available, final rosters) and the JSON structure of `--format json`.
Pure: returns a string or a dict; no printing, no files, no argument parsing (the
command to rerun with a higher bound is passed in by `engine/cli/explore.py`).
"""

from __future__ import annotations

from typing import Any

from engine.runtime.model import Story
from engine.tools.explore import ExploreResult
from engine.tools.randomtest import Steps

__all__ = ["explore_json", "explore_text", "path_text", "plural", "steps_json"]

_SHOWN_ROSTERS = 12
ROSTERS_NOT_COUNTED = (
    "final rosters were not counted: states that differ only in characters no later "
    "condition or effect reads were merged; run with --rosters to count them"
)


def steps_json(steps: Steps) -> list[dict[str, str]]:
    """A path as JSON: [{"node": ..., "choice": ...}, ...]."""
    return [{"node": node, "choice": choice} for node, choice in steps]


def path_text(steps: Steps) -> str:
    """A path as `node:choice > node:choice`; the empty path is "(the start)"."""
    if not steps:
        return "(the start)"
    return " > ".join(f"{node}:{choice}" for node, choice in steps)


def plural(count: int, word: str) -> str:
    """`1 state`, `1,234 states`."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# --- JSON ---


def explore_json(
    story: Story, result: ExploreResult, seconds: float, saves: dict[str, str]
) -> dict[str, Any]:
    """The `--format json` report; `saves` maps ending ids to witness save files."""
    return {
        "story": result.story,
        "seed": result.seed,
        "complete": result.complete,
        "stopped": result.stopped,
        "states": result.states,
        "transitions": result.transitions,
        "max_depth": result.max_depth,
        "seconds": round(seconds, 3),
        "states_per_second": round(result.states / max(seconds, 1e-9)),
        "turn_in_state": result.reads_turn,
        "merged": result.merged,
        "symbolic": result.symbolic,
        "endings": [
            {
                "id": e.id,
                "node": e.node,
                "title": e.title,
                "reached": e.witness is not None,
                "states": e.states,
                "survivors": e.survivors,
                "witness": steps_json(e.witness) if e.witness is not None else None,
                "save": saves.get(e.id),
            }
            for e in result.endings
        ],
        "softlocks": [
            {"node": s.node, "kind": s.kind, "states": s.states, "witness": steps_json(s.witness)}
            for s in result.softlocks
        ],
        "never_available": [
            {
                "node": n.node,
                "choice": n.choice,
                "condition": n.condition,
                "node_reached": n.node_reached,
            }
            for n in result.never_available
        ],
        "unreached_nodes": result.unreached_nodes,
        "final_roster_count": result.roster_count,
        "final_rosters": _rosters_json(story, result),
        "final_rosters_note": None if result.final_rosters is not None else ROSTERS_NOT_COUNTED,
    }


def _rosters_json(story: Story, result: ExploreResult) -> list[dict[str, Any]] | None:
    if result.final_rosters is None:
        return None
    return [
        {
            "survivors": r.survivors,
            "states": r.states,
            "endings": list(r.endings),
            "roster": {
                cid: status if place == "group" else f"{status}, {place}"
                for cid, (status, place) in zip(story.cast_ids, r.roster, strict=True)
                if (status, place) != ("healthy", "group")
            },
        }
        for r in result.final_rosters
    ]


# --- text ---


def explore_text(
    story: Story,
    result: ExploreResult,
    seconds: float,
    saves: dict[str, str],
    max_states: int,
    raise_bound: str,
) -> str:
    """The text report. `max_states` is the bound the search ran with; `raise_bound` the
    command line that reruns it with a higher one (shown when the bound was hit)."""
    rate = result.states / max(seconds, 1e-9)
    status = {
        None: "complete",
        "bound": "INCOMPLETE: stopped at the --max-states bound",
        "interrupted": "INCOMPLETE: interrupted",
        "time": "INCOMPLETE: stopped at the --max-seconds limit",
        "memory": "INCOMPLETE: stopped at the --max-memory bound",
    }[result.stopped]
    lines = [
        f"Explored {story.title} (seed {result.seed}): {plural(result.states, 'state')}, "
        f"{plural(result.transitions, 'transition')}, the farthest "
        f"{plural(result.max_depth, 'step')} from the start, in {seconds:.2f} s "
        f"({rate:,.0f} states/s): {status}"
    ]
    if result.symbolic:
        lines.append("  (searched as sets of states, --search sets: a transition is one choice")
        lines.append("   taken from a whole set of states that agree on all it reads)")
    if result.merged:
        what = "flags, counters or items"
        if result.final_rosters is None:
            what = "flags, counters, items or characters"
        lines.append(f"  (states that differ only in {what} no later condition reads")
        lines.append(
            "   count as one: they have the same futures"
            + (")" if result.symbolic else "; --exact tells them apart)")
        )
    if result.reads_turn:
        lines.append(
            "  (a condition reads `turn`, so states are also told apart by the turn number)"
        )
    lines += _endings(result, saves)
    lines += _softlocks(result)
    lines += _never_available(result)
    lines += _rosters(story, result)
    if result.stopped == "bound":
        what = "steps" if result.symbolic else "states"
        lines.append(
            f"\nThe search stopped after {max_states:,} {what}, so endings, softlocks and "
            "choices not listed above may still be reachable.\n"
            f"  Raise the bound: {raise_bound}"
            + (
                ""
                if result.symbolic
                else "\n  Or search by sets, which has no bound on states: --search sets"
            )
        )
    elif result.stopped == "interrupted":
        lines.append("\nInterrupted: the lists above hold what was found so far.")
    elif result.stopped in ("time", "memory"):
        limit = "--max-seconds limit" if result.stopped == "time" else "--max-memory bound"
        lines.append(
            f"\nThe search stopped at the {limit}, so endings, softlocks and "
            "choices not listed above may still be reachable."
        )
    return "\n".join(lines)


def _endings(result: ExploreResult, saves: dict[str, str]) -> list[str]:
    reached = [e for e in result.endings if e.witness is not None]
    lines = [f"\nEndings: {len(reached)} of {len(result.endings)} reached"]
    for e in result.endings:
        if e.witness is None:
            why = "no path leads here" if result.complete else "not reached so far"
            lines.append(f"  NOT REACHED  {e.id} ({e.node}): {why}")
            continue
        lines.append(
            f"  {e.id} ({e.node}): {plural(e.states, 'state')}; "
            f"{plural(e.survivors or 0, 'survivor')} on a shortest path of "
            f"{plural(len(e.witness), 'step')}:"
        )
        lines.append(f"      {path_text(e.witness)}")
        if e.id in saves:
            lines.append(f"      witness save: {saves[e.id]}")
    return lines


def _softlocks(result: ExploreResult) -> list[str]:
    if not result.softlocks:
        return ["\nSoftlocks: none" + ("" if result.complete else " found so far")]
    lines = [f"\nSoftlocks: {len(result.softlocks)} node(s) where play can get stuck"]
    for s in result.softlocks:
        what = (
            "no choice is available"
            if s.kind == "no choice"
            else "choices remain, but no path from here reaches an ending"
        )
        lines.append(f"  {s.node}: {what} ({plural(s.states, 'state')}); reached by")
        lines.append(f"      {path_text(s.witness)}")
    if not result.complete:
        lines.append("  (loops with no way out are only found when the search is complete)")
    return lines


def _never_available(result: ExploreResult) -> list[str]:
    if not result.never_available:
        return ["\nChoices never available: none"]
    lines = [f"\nChoices never available on any path: {len(result.never_available)}"]
    for n in result.never_available:
        why = (
            f"its condition ({n.condition}) never holds here"
            if n.node_reached and n.condition
            else "its node is never reached"
        )
        if not result.complete:
            why += " (so far)"
        lines.append(f"  {n.node}: {n.choice}: {why}")
    if result.unreached_nodes:
        lines.append(f"  nodes no path reaches: {', '.join(result.unreached_nodes)}")
    return lines


def _rosters(story: Story, result: ExploreResult) -> list[str]:
    rosters, count = result.final_rosters, result.roster_count
    if rosters is None or count is None:
        return [
            "\nFinal rosters: not counted (states that differ only in characters no later",
            "  condition or effect reads were merged); run with --rosters to count them",
        ]
    lines = [f"\nFinal rosters: {count:,} distinct"]
    if len(rosters) < count:
        lines[0] += f" (the {len(rosters):,} listed have the most survivors)"
    for r in rosters[:_SHOWN_ROSTERS]:
        lost = [
            f"{cid} ({status}{'' if place == 'group' else ', ' + place})"
            for cid, (status, place) in zip(story.cast_ids, r.roster, strict=True)
            if place != "group" or status not in ("healthy", "bitten", "hombie")
        ]
        lines.append(
            f"  {r.survivors} survive{'s' * (r.survivors == 1)} "
            f"({plural(r.states, 'state')}; {', '.join(r.endings)}); "
            f"not among them: {', '.join(lost) or 'nobody'}"
        )
    if len(rosters) > _SHOWN_ROSTERS:
        lines.append(
            f"  ... and {len(rosters) - _SHOWN_ROSTERS:,} more listed (--format json lists them)"
        )
    return lines
