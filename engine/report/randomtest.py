"""Reports of `hyosan randomtest`: a `RandomTestResult` as text, or as JSON data.

Owns: coverage (nodes visited, choices taken, endings reached, and those never), the
text report (coverage, endings, the survivor histogram), the list of problem runs, and
the JSON structure of `--format json`. Pure: returns strings or dicts; no printing and
no `sys` (`engine/cli/randomtest.py` prints the problems to stderr).
"""

from __future__ import annotations

from typing import Any

from engine.runtime.model import Story
from engine.tools.randomtest import RandomTestResult

__all__ = ["coverage", "problems_text", "randomtest_json", "randomtest_text"]

_SHOWN = 15
_BAR = 40


def coverage(story: Story, result: RandomTestResult) -> dict[str, Any]:
    """How much of the story the runs saw: visited/total and the ids never seen."""
    choices = [(n.id, c.id) for n in story.nodes.values() for c in n.choices]
    endings = [n.ending.id for n in story.endings() if n.ending]
    return {
        "nodes": {
            "visited": sum(1 for n in story.nodes if result.node_visits[n]),
            "total": len(story.nodes),
            "never": [n for n in story.nodes if not result.node_visits[n]],
        },
        "choices": {
            "taken": sum(1 for c in choices if result.choice_uses[c]),
            "total": len(choices),
            "never": [f"{n}:{c}" for n, c in choices if not result.choice_uses[(n, c)]],
        },
        "endings": {
            "reached": sum(1 for e in endings if result.endings[e]),
            "total": len(endings),
            "never": [e for e in endings if not result.endings[e]],
        },
    }


def randomtest_json(story: Story, result: RandomTestResult) -> dict[str, Any]:
    """The `--format json` report."""
    return {
        "story": story.id,
        "runs": result.runs,
        "seed": result.seed,
        "mode": result.mode,
        "steps": result.steps,
        "ok": not result.problems,
        "coverage": coverage(story, result),
        "node_visits": dict(result.node_visits),
        "choice_uses": {f"{n}:{c}": k for (n, c), k in result.choice_uses.items()},
        "endings": {n.ending.id: result.endings[n.ending.id] for n in story.endings() if n.ending},
        "survivors": {str(k): v for k, v in sorted(result.survivors.items())},
        "problems": [
            {
                "run": p.run,
                "seed": p.seed,
                "kind": p.kind,
                "node": p.node,
                "detail": p.detail,
                "steps": [{"node": n, "choice": c} for n, c in p.steps],
            }
            for p in result.problems
        ],
    }


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f", ... ({len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")


def randomtest_text(story: Story, result: RandomTestResult) -> str:
    """The text report for stdout: coverage, endings, the survivor histogram, and "No
    problems" when there were none (the problems themselves: `problems_text`)."""
    cover = coverage(story, result)
    lines = [
        f"{result.runs:,} {result.mode} random runs of {story.title} from seed {result.seed}: "
        f"{result.steps:,} steps"
    ]
    for kind, seen in (("nodes", "visited"), ("choices", "taken"), ("endings", "reached")):
        part = cover[kind]
        percent = 100 * part[seen] / part["total"] if part["total"] else 100.0
        line = f"  {kind}: {part[seen]}/{part['total']} {seen} ({percent:.0f}%)"
        lines.append(line + (f"; never: {_listed(part['never'])}" if part["never"] else ""))
    lines.append("\nEndings:")
    for node in story.endings():
        assert node.ending is not None
        count = result.endings[node.ending.id]
        lines.append(f"  {node.ending.id:<20} {count:>7,}  {100 * count / result.runs:5.1f}%")
    lines += _histogram(result)
    if not result.problems:
        lines.append("\nNo problems: every run reached an ending.")
    return "\n".join(lines)


def _histogram(result: RandomTestResult) -> list[str]:
    if not result.survivors:
        return []
    lines = ["\nSurvivors at the ending:"]
    most = max(result.survivors.values())
    for count in range(min(result.survivors), max(result.survivors) + 1):
        runs = result.survivors[count]
        bar = "#" * max(1 if runs else 0, round(_BAR * runs / most))
        lines.append(f"  {count:>3} {runs:>7,} {bar}")
    return lines


def problems_text(result: RandomTestResult) -> str:
    """The runs that went wrong, each with its seed and its last steps (for stderr);
    "" when every run reached an ending."""
    if not result.problems:
        return ""
    lines = [f"\nProblems: {len(result.problems)}"]
    for p in result.problems[:_SHOWN]:
        path = " > ".join(f"{n}:{c}" for n, c in p.steps[-8:])
        more = "... > " if len(p.steps) > 8 else ""
        lines.append(
            f"  run {p.run} (game seed {p.seed}): {p.kind} at {p.node}: {p.detail}\n"
            f"      after {len(p.steps)} steps: {more}{path}"
        )
    if len(result.problems) > _SHOWN:
        lines.append(f"  ... and {len(result.problems) - _SHOWN} more (--format json)")
    return "\n".join(lines)
