"""Reports of a comparison with the canon: text tables, markdown, JSON, episode charts.

Owns: turning `canon.Comparison`, `EpisodeSummary` and `RunDiff` into text that fits a
terminal width, into markdown tables, and into the stable JSON structure documented in
docs/compare.md (`"schema": "hyosan-compare/1"`). No I/O: callers print.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from engine.canon.causes import Attribution, Cause, TurningPointResult
from engine.canon.compare import Comparison, EpisodeSummary, RunDiff

__all__ = [
    "JSON_SCHEMA_ID",
    "comparison_json",
    "comparison_markdown",
    "comparison_text",
    "episode_chart",
    "rundiff_json",
    "rundiff_markdown",
    "rundiff_text",
]

JSON_SCHEMA_ID = "hyosan-compare/2"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _table(rows: list[list[str]], width: int) -> list[str]:
    """A plain-text table; the widest column is wrapped so the table fits `width`."""
    if not rows:
        return []
    cols = len(rows[0])
    widths = [max(1, *(len(r[i]) for r in rows)) for i in range(cols)]
    gap = 2
    while sum(widths) + gap * (cols - 1) > width and max(widths) > 6:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    lines = []
    for row in rows:
        cells = [textwrap.wrap(cell, widths[i]) or [""] for i, cell in enumerate(row)]
        for k in range(max(len(c) for c in cells)):
            parts = [(c[k] if k < len(c) else "").ljust(widths[i]) for i, c in enumerate(cells)]
            lines.append((" " * gap).join(parts).rstrip())
    return lines


def _tp_rows(tps: tuple[TurningPointResult, ...], label: str) -> list[list[str]]:
    rows = [["ep", "turning point", "your choice", f"{label}'s choice", ""]]
    for tp in tps:
        rows.append(
            [
                str(tp.episode),
                f"{tp.id} {tp.title}",
                tp.yours_text,
                tp.canon_text,
                "same" if tp.matches else "DIFFERENT",
            ]
        )
    return rows


def comparison_text(cmp: Comparison, width: int = 100) -> str:
    """The full comparison as text tables no wider than `width`."""
    head = (
        f"Your run compared with {cmp.label} — fidelity {_pct(cmp.fidelity)} "
        f"(turning points {_pct(cmp.turning_point_score)}, roster {_pct(cmp.roster_score)})"
    )
    out = textwrap.wrap(head, width)
    if cmp.ending:
        same = f" ({cmp.label}'s own ending)" if cmp.ending == cmp.canon_ending else ""
        out += textwrap.wrap(f"Ending: {cmp.ending_title}{same}", width)
    out.append("")
    out.append(f"Turning points reached: {len(cmp.turning_points)}")
    out += _table(_tp_rows(cmp.turning_points, cmp.label), width)
    differing = [tp for tp in cmp.turning_points if not tp.matches]
    for tp in differing:
        out += textwrap.wrap(
            f"In {cmp.label} ({tp.id}): {tp.in_canon}", width, subsequent_indent="  "
        )
    out.append("")
    when = (
        f"at the end of episode {cmp.episode}, the last you finished"
        if cmp.episode
        else "at the start (no episode finished yet)"
    )
    out += textwrap.wrap(f"Roster {when}:", width)
    rows = [["character", "your run", cmp.label, ""]]
    rows += [[r.name, r.yours, r.canon, "DIFFERENT" if r.differs else ""] for r in cmp.roster]
    out += _table(rows, width)
    explained = [r.explain(cmp.label) for r in cmp.roster if r.differs]
    explained += [o.explain(cmp.label) for o in cmp.others]
    if explained:
        out.append("")
        out.append("Why:")
        for line in explained:
            out += textwrap.wrap(line, width, initial_indent="- ", subsequent_indent="  ")
    return "\n".join(out)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(rows: list[list[str]]) -> list[str]:
    head, *body = rows
    lines = ["| " + " | ".join(_md_escape(c) for c in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in body]
    return lines


def comparison_markdown(cmp: Comparison) -> str:
    out = [
        f"# Your run compared with {cmp.label}",
        "",
        f"**Fidelity {_pct(cmp.fidelity)}** — turning points {_pct(cmp.turning_point_score)}, "
        f"roster {_pct(cmp.roster_score)}.",
    ]
    if cmp.ending:
        out += ["", f"Ending: **{cmp.ending_title}**"]
    out += ["", "## Turning points", ""]
    out += _md_table(_tp_rows(cmp.turning_points, cmp.label))
    out += ["", f"## Roster at the end of episode {cmp.episode}", ""]
    rows = [["character", "your run", cmp.label, "why"]]
    for r in cmp.roster:
        rows.append([r.name, r.yours, r.canon, r.why.describe() if r.differs else ""])
    out += _md_table(rows)
    if cmp.others:
        out += ["", "## Also different", ""]
        out += [f"- {_md_escape(o.explain(cmp.label))}" for o in cmp.others]
    return "\n".join(out) + "\n"


def _cause_json(cause: Cause) -> dict[str, Any]:
    return {
        "step": cause.step,
        "episode": cause.episode,
        "node": cause.node,
        "choice": cause.choice,
        "choice_text": cause.choice_text,
        "canon_choice": cause.canon_choice,
        "canon_text": cause.canon_text,
        "turning_point": cause.turning_point,
        "text": cause.describe(),
    }


def _why_json(why: Attribution) -> dict[str, Any]:
    """`causes` (each alone), `joint` (only together) and `reason` (when neither)."""
    return {
        "causes": [_cause_json(c) for c in why.causes],
        "joint": [_cause_json(c) for c in why.joint],
        "reason": why.reason,
    }


def comparison_dict(cmp: Comparison) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA_ID,
        "story": cmp.story_id,
        "steps": cmp.steps,
        "episode": cmp.episode,
        "ending": cmp.ending,
        "canon_label": cmp.label,
        "canon_ending": cmp.canon_ending,
        "fidelity": round(cmp.fidelity, 4),
        "turning_point_score": round(cmp.turning_point_score, 4),
        "roster_score": round(cmp.roster_score, 4),
        "turning_points": [
            {
                "id": tp.id,
                "title": tp.title,
                "episode": tp.episode,
                "node": tp.node,
                "step": tp.step,
                "yours": tp.yours,
                "yours_text": tp.yours_text,
                "canon": tp.canon,
                "canon_text": tp.canon_text,
                "matches": tp.matches,
                "in_canon": tp.in_canon,
                "not_taken": [{"id": i, "text": t} for i, t in tp.not_taken],
            }
            for tp in cmp.turning_points
        ],
        "roster": [
            {
                "character": r.character,
                "name": r.name,
                "yours": r.yours,
                "canon": r.canon,
                "differs": r.differs,
                **_why_json(r.why),
            }
            for r in cmp.roster
        ],
        "other_differences": [
            {
                "kind": o.difference.kind,
                "subject": o.difference.subject,
                "name": o.difference.name,
                "yours": o.difference.yours,
                "canon": o.difference.canon,
                **_why_json(o.why),
            }
            for o in cmp.others
        ],
    }


def comparison_json(cmp: Comparison) -> str:
    return json.dumps(comparison_dict(cmp), indent=2, ensure_ascii=False)


def episode_chart(summary: EpisodeSummary, width: int = 100) -> str:
    """The end-of-episode card: one row per turning point, and who differs from the canon."""
    out = [f"END OF EPISODE {summary.episode} · {summary.title}"]
    if summary.turning_points:
        rows = [["turning point", "you", summary.label, "not taken"]]
        for tp in summary.turning_points:
            mark = "= " if tp.matches else "≠ "
            rows.append(
                [
                    mark + tp.title,
                    tp.yours_text,
                    tp.canon_text,
                    " / ".join(text for _, text in tp.not_taken) or "—",
                ]
            )
        out += _table(rows, width)
    if summary.roster:
        out.append(f"Different from {summary.label}:")
        for row in summary.roster:
            out += textwrap.wrap(
                row.explain(summary.label), width, initial_indent="  ", subsequent_indent="    "
            )
    else:
        out.append(f"Everyone is where {summary.label} left them.")
    return "\n".join(out)


def rundiff_text(diff: RunDiff, width: int = 100) -> str:
    out = []
    if diff.first_difference is None:
        out.append(f"The runs share all of their first {diff.shared_steps} steps.")
    else:
        out.append(
            f"The runs part at step {diff.first_difference} "
            f"(after {diff.shared_steps} shared steps)."
        )
    out.append(f"Fidelity: A {_pct(diff.a.fidelity)}, B {_pct(diff.b.fidelity)}.")
    if diff.turning_points:
        out.append("")
        rows = [["turning point", "run A", "run B"]]
        rows += [
            [f"{i} {t}", a or "(not reached)", b or "(not reached)"]
            for i, t, a, b in diff.turning_points
        ]
        out += _table(rows, width)
    out.append("")
    if diff.roster:
        rows = [["character", "run A", "run B"]]
        rows += [[name, a, b] for _, name, a, b in diff.roster]
        out += _table(rows, width)
    else:
        out.append("Both runs end with the same roster.")
    return "\n".join(out)


def rundiff_markdown(diff: RunDiff) -> str:
    part = (
        f"The runs part at step {diff.first_difference}."
        if diff.first_difference
        else f"The runs share their first {diff.shared_steps} steps."
    )
    out = ["# Two runs compared", "", part, ""]
    rows = [["turning point", "run A", "run B"]]
    rows += [[f"{i} {t}", a or "—", b or "—"] for i, t, a, b in diff.turning_points]
    out += [*_md_table(rows), ""]
    rows = [["character", "run A", "run B"]]
    rows += [[name, a, b] for _, name, a, b in diff.roster]
    out += _md_table(rows)
    return "\n".join(out) + "\n"


def rundiff_json(diff: RunDiff) -> str:
    return json.dumps(
        {
            "schema": JSON_SCHEMA_ID,
            "first_difference": diff.first_difference,
            "shared_steps": diff.shared_steps,
            "turning_points": [
                {"id": i, "title": t, "a": a, "b": b} for i, t, a, b in diff.turning_points
            ],
            "roster": [{"character": c, "name": n, "a": a, "b": b} for c, n, a, b in diff.roster],
            "a": comparison_dict(diff.a),
            "b": comparison_dict(diff.b),
        },
        indent=2,
        ensure_ascii=False,
    )
