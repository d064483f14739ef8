"""The JSON report of `hyosan consequences` (`--format json`).

Owns: the JSON structure: the exploration, the summary figures (with shares as
fractions, None when there is nothing to divide), and every list of offenders and the
reach of every choice taken. Pure: returns a dict ready for `json.dumps`.
"""

from __future__ import annotations

from typing import Any

from engine.report.consequences import share, tally
from engine.tools.alternatives import CHANGES, SAME, Reach
from engine.tools.consequences import Consequences, Turnings

__all__ = ["consequences_json"]


def _reach_json(reach: Reach | None) -> dict[str, Any] | None:
    if reach is None:
        return None
    return {"endings": list(reach.endings), "rosters": reach.rosters, "truncated": reach.truncated}


def _turnings_json(t: Turnings) -> dict[str, Any]:
    return {
        "clock": t.clock,
        "scripted": t.scripted,
        "clock_share": share(t.clock, t.clock + t.scripted),
        "sites": [
            {"node": node, "choice": choice, "character": who, "count": count}
            for node, choice, who, count in t.sites
        ],
    }


def consequences_json(c: Consequences, seconds: float) -> dict[str, Any]:
    """The `--format json` report."""
    canon = c.canon_alternatives
    changes = sum(1 for a in canon if a.verdict == CHANGES)
    same = sum(1 for a in canon if a.verdict == SAME)
    all_changes, all_same, all_unknown = tally(c)
    cosmetic = [r for r in c.reconvergence if r.cosmetic]
    scripted = sum(1 for b in c.bites if b.scripted)
    return {
        "story": c.story,
        "seed": c.seed,
        "seconds": round(seconds, 3),
        "exploration": {
            "states": c.states,
            "transitions": c.transitions,
            "complete": c.complete,
            "max_states": c.max_states,
            "outcomes": c.outcomes,
        },
        "steps": c.steps,
        "samples": c.samples,
        "summary": {
            "decision_nodes": c.decision_nodes,
            "single_option_nodes": c.single_option,
            "single_option_share": share(c.single_option, c.decision_nodes),
            "multi_option_nodes": c.multi_option_nodes,
            "reconvergence_tested": len(c.reconvergence),
            "reconverging_nodes": len(cosmetic),
            "reconverging_share": share(len(cosmetic), len(c.reconvergence)),
            "write_only": len(c.write_only),
            "turning_point_alternatives": {
                "canon_path": {
                    "changes": changes,
                    "same": same,
                    "unknown": len(canon) - changes - same,
                    "share": share(changes, changes + same),
                },
                "canon_continuation": {
                    "differs": sum(1 for a in canon if a.continuation_differs),
                    "alternatives": len(canon),
                    "share": share(sum(1 for a in canon if a.continuation_differs), len(canon)),
                },
                "explored": {
                    "changes": all_changes,
                    "same": all_same,
                    "unknown": all_unknown,
                    "share": share(all_changes, all_changes + all_same),
                },
            },
            "turnings": {
                "canon_path": _turnings_json(c.turnings_canon),
                "explored": _turnings_json(c.turnings_explored),
            },
            "bites": {
                "sites": len(c.bites),
                "scripted": scripted,
                "share": share(scripted, len(c.bites)),
            },
            "canon_listed_first": {
                "decisions": len(c.canon_order.places),
                "first": c.canon_order.first,
                "share": share(c.canon_order.first, len(c.canon_order.places)),
                "undeclared": c.canon_order.undeclared,
            },
        },
        "single_option_chains": [list(chain) for chain in c.chains],
        "reconvergence": [
            {
                "node": r.node,
                "tested": r.tested,
                "reconverged": r.reconverged,
                "cosmetic": r.cosmetic,
                "meets_at": r.meets_at,
            }
            for r in c.reconvergence
        ],
        "write_only": [
            {"kind": w.kind, "name": w.name, "written_at": list(w.places)} for w in c.write_only
        ],
        "canon_alternatives": [
            {
                "turning_point": a.point,
                "node": a.node,
                "step": a.step,
                "canon": a.canon,
                "choice": a.choice,
                "verdict": a.verdict,
                "reach": _reach_json(a.reach),
                "canon_reach": _reach_json(a.canon_reach),
                "continuation_differs": a.continuation_differs,
            }
            for a in canon
        ],
        "alternatives_explored": [
            {
                "turning_point": t.point,
                "node": t.node,
                "choice": t.choice,
                "changes": t.changes,
                "same": t.same,
                "unknown": t.unknown,
            }
            for t in c.tallies
        ],
        "bites": [
            {
                "node": b.node,
                "choice": b.choice,
                "character": b.who,
                "incubation": b.incubation,
                "scripted": b.scripted,
                "clock_path": list(b.clock_path) if b.clock_path is not None else None,
                "never_by_clock": b.never_by_clock,
            }
            for b in c.bites
        ],
        "canon_order": [
            {"node": node, "canon": choice, "position": at, "options": n}
            for node, choice, at, n in c.canon_order.places
        ],
        "reach": [
            {"node": r.node, "choice": r.choice, "taken": r.taken, **(_reach_json(r.reach) or {})}
            for r in c.reach
        ],
    }
