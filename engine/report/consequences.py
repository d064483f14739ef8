"""Reports of `hyosan consequences`: a `Consequences` as text, markdown or JSON data.

Owns: the summary block (one line per figure the story is measured with: single-option
decision nodes, options that reconverge, write-only flags and counters, turning-point
alternatives that change the ending or final roster, turnings by the infection clock,
bites resolved by script, canon choices the menu lists first), the list of offenders
under each figure, the reach of every choice (`--format json` is
`engine.report.consequences_json`). Pure: returns a string.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any, NamedTuple

from engine.report.explore import plural
from engine.tools.alternatives import CHANGES, SAME, UNKNOWN, Reach
from engine.tools.consequences import Consequences, Turnings
from engine.tools.weak_spots import BiteSite

__all__ = ["FORMATS", "consequences_markdown", "consequences_text", "share", "tally"]

FORMATS = ("text", "markdown", "json")
_PATH_SHOWN = 6  # nodes of a long path shown at each end


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _of(part: int, whole: int, what: str = "") -> str:
    if not whole:
        return f"none{' ' + what if what else ''}"
    return f"{part:,} of {whole:,}{' ' + what if what else ''} ({100 * part / whole:.1f}%)"


def _path(nodes: Sequence[str]) -> str:
    if len(nodes) <= 2 * _PATH_SHOWN:
        return " > ".join(nodes)
    return " > ".join([*nodes[:_PATH_SHOWN], "...", *nodes[-_PATH_SHOWN:]])


def _reach(reach: Reach | None) -> str:
    if reach is None:
        return "not explored"
    least = "at least " if reach.truncated else ""
    return f"{least}{plural(len(reach.endings), 'ending')}, {plural(reach.rosters, 'roster')}"


def _wrapped(text: str) -> list[str]:
    """A long offender line wrapped for a terminal (under its two-space indent)."""
    return textwrap.wrap(text, width=98, subsequent_indent="    ", break_on_hyphens=False)


class _Figure(NamedTuple):
    label: str
    value: str
    offenders_title: str
    offenders: list[str]


def tally(c: Consequences) -> tuple[int, int, int]:
    return (
        sum(t.changes for t in c.tallies),
        sum(t.same for t in c.tallies),
        sum(t.unknown for t in c.tallies),
    )


def _figures(c: Consequences) -> list[_Figure]:
    return [
        _single(c),
        _reconverging(c),
        _write_only(c),
        *_turning_points(c),
        _turnings(c),
        _bites(c),
        _canon_first(c),
    ]


def _single(c: Consequences) -> _Figure:
    chains = [f"{len(chain)} nodes: {' > '.join(chain)}" for chain in c.chains if len(chain) > 1]
    lone = [chain[0] for chain in c.chains if len(chain) == 1]
    if lone:
        chains.append(f"{plural(len(lone), 'lone node')}: {', '.join(lone)}")
    return _Figure(
        "Single-option decision nodes",
        _of(c.single_option, c.decision_nodes),
        f"Single-option decision nodes: {c.single_option}, in {plural(len(c.chains), 'chain')} "
        "(each node's one choice leads to the next), longest first",
        chains,
    )


def _reconverging(c: Consequences) -> _Figure:
    cosmetic = [r for r in c.reconvergence if r.cosmetic]
    untested = c.multi_option_nodes - len(c.reconvergence)
    note = f"; {untested:,} not tested (no sample state offers 2+ options)" if untested > 0 else ""
    return _Figure(
        f"Multi-option nodes reconverging ({plural(c.steps, 'step')})",
        _of(len(cosmetic), len(c.reconvergence), "tested") + note,
        f"Multi-option nodes whose options reconverge with identical state: {len(cosmetic)}",
        [
            f"{r.node}: the options meet at {r.meets_at} "
            f"(in all {plural(r.tested, 'sample state')} tested)"
            for r in cosmetic
        ],
    )


def _write_only(c: Consequences) -> _Figure:
    flags = sum(1 for w in c.write_only if w.kind == "flag")
    return _Figure(
        "Write-only flags and counters",
        f"{len(c.write_only)} ({plural(flags, 'flag')}, "
        f"{plural(len(c.write_only) - flags, 'counter')})",
        f"Write-only flags and counters: {len(c.write_only)} (set or added, never read)",
        [
            f"{w.kind} {w.name}: written at {', '.join(w.places[:4])}"
            + (f" and {len(w.places) - 4} more" if len(w.places) > 4 else "")
            for w in c.write_only
        ],
    )


def _turning_points(c: Consequences) -> list[_Figure]:
    canon = c.canon_alternatives
    changes = sum(1 for a in canon if a.verdict == CHANGES)
    decided = sum(1 for a in canon if a.verdict != UNKNOWN)
    unknown = len(canon) - decided
    same = [
        f"{a.point} at {a.node} (step {a.step}): {a.choice}: the same outcomes as {a.canon} "
        f"(canon): {_reach(a.reach)}"
        for a in canon
        if a.verdict == SAME
    ]
    points: dict[str, list[str]] = {}
    for a in canon:
        if a.verdict == UNKNOWN:
            points.setdefault(a.point, []).append(a.choice)
    if points:
        listed = ", ".join(f"{point} ({', '.join(choices)})" for point, choices in points.items())
        same.append(f"unknown (their futures were not fully explored): {listed}")
    on_canon = _Figure(
        "Turning-point alternatives changing the ending or final roster",
        "on the canon path " + _of(changes, decided, "decided") + f"; {unknown:,} unknown",
        "Turning-point alternatives on the canon path that change neither the ending nor "
        "the final roster",
        same,
    )
    all_changes, all_same, all_unknown = tally(c)
    explored = _Figure(
        "  ... in all explored states",
        _of(all_changes, all_changes + all_same, "decided") + f"; {all_unknown:,} unknown",
        "Turning-point alternatives that never changed the ending or final roster in any "
        "explored state where they were decided",
        [
            f"{t.point} at {t.node}: {t.choice}: the same in {plural(t.same, 'state')}"
            + (f", unknown in {t.unknown:,}" if t.unknown else "")
            for t in c.tallies
            if not t.changes and t.same
        ],
    )
    followed: dict[str, list[str]] = {}
    for a in canon:
        if not a.continuation_differs:
            followed.setdefault(a.point, []).append(a.choice)
    differs = sum(1 for a in canon if a.continuation_differs)
    continued = _Figure(
        "  ... then following the canon",
        _of(differs, len(canon), "end with another ending or final roster"),
        "Turning-point alternatives on the canon path after which following the canon ends "
        "as the canon path does",
        [f"{point}: {', '.join(choices)}" for point, choices in followed.items()],
    )
    return [on_canon, explored, continued]


def _turnings(c: Consequences) -> _Figure:
    def line(t: Turnings) -> str:
        return _of(t.clock, t.clock + t.scripted, "turnings")

    sites = [
        f"{where}: {node}:{choice}: {who} ({plural(count, 'time')})"
        for where, t in (("canon path", c.turnings_canon), ("explored", c.turnings_explored))
        for node, choice, who, count in t.sites
    ]
    return _Figure(
        "Turnings by the infection clock",
        f"{line(c.turnings_canon)} on the canon path; {line(c.turnings_explored)} in all "
        "explored transitions",
        "Turnings by the infection clock (incubation ran out), by the step they happened in",
        sites,
    )


def _bite(b: BiteSite) -> str:
    path = b.clock_path or ()
    return (
        f"{b.place}: {b.who} (incubation {b.incubation}): the clock may strike first, "
        f"along {_path(path)}"
    )


def _bites(c: Consequences) -> _Figure:
    scripted = sum(1 for b in c.bites if b.scripted)
    how = (
        "the text shows a script resolves them, or the complete exploration never saw the "
        "clock turn the character"
        if c.complete
        else "the text shows a script resolves them"
    )
    return _Figure(
        "Bites always resolved by script",
        _of(scripted, len(c.bites), "bite sites") + f" ({how})",
        "Bites a script may not resolve before the clock (choice conditions ignored)",
        [_bite(b) for b in c.bites if not b.scripted],
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _canon_first(c: Consequences) -> _Figure:
    order = c.canon_order
    value = _of(order.first, len(order.places), "decisions with a declared canon")
    if order.undeclared:
        value += f"; {order.undeclared:,} without one"
    return _Figure(
        "Canon choice listed first",
        value,
        "Decisions on the canon path whose menu lists the canon choice first (the menu "
        "gives the canon away)",
        [
            f"{node}:{choice}: 1st of {plural(n, 'option')}"
            for node, choice, at, n in order.places
            if at == 1
        ],
    )


def _exploration(c: Consequences, seconds: float) -> str:
    status = (
        "complete"
        if c.complete
        else f"INCOMPLETE: stopped at the --max-states bound of {c.max_states:,}; figures "
        "from the exploration cover the states explored only"
    )
    return (
        f"Exploration (seed {c.seed}, {seconds:.1f} s): {plural(c.states, 'state')}, "
        f"{plural(c.transitions, 'transition')}, {plural(c.outcomes, 'distinct outcome')} "
        f"(ending and final roster): {status}"
    )


# --- text ---


def consequences_text(c: Consequences, seconds: float, raise_bound: str) -> str:
    """The text report; `raise_bound` reruns the analysis with a higher bound."""
    figures = _figures(c)
    width = max(len(f.label) for f in figures) + 2
    lines = [f"Consequences in {c.title}", _exploration(c, seconds), "", "Summary"]
    lines += [f"  {(f.label + ':').ljust(width)} {f.value}" for f in figures]
    for figure in figures:
        lines += [
            "",
            f"{figure.offenders_title}: {'none' if not figure.offenders else ''}".rstrip(),
        ]
        lines += [f"  {part}" for line in figure.offenders for part in _wrapped(line)]
    lines += ["", "Reach of each option (endings and final rosters still possible after it):"]
    lines += [f"  {r.node}:{r.choice}: {_reach(r.reach)}" for r in _multi(c)]
    if not c.complete:
        lines += ["", f"Raise the bound for exact figures: {raise_bound}"]
    return "\n".join(lines)


def _multi(c: Consequences) -> list[Any]:
    counts: dict[str, int] = {}
    for r in c.reach:
        counts[r.node] = counts.get(r.node, 0) + 1
    return [r for r in c.reach if counts[r.node] > 1]


# --- markdown ---


def consequences_markdown(c: Consequences, seconds: float, raise_bound: str) -> str:
    """The markdown report (tables and lists)."""
    figures = _figures(c)
    lines = [f"# Consequences in {c.title}", "", _exploration(c, seconds) + ".", ""]
    lines += ["## Summary", "", "| figure | value |", "|---|---|"]
    lines += [f"| {f.label.strip(' .')} | {f.value} |" for f in figures]
    for figure in figures:
        lines += ["", f"## {figure.offenders_title}", ""]
        lines += [f"- {_code(line)}" for line in figure.offenders] or ["None."]
    lines += ["", "## Reach of each option", "", "| node | option | endings | rosters |"]
    lines.append("|---|---|---|---|")
    for r in _multi(c):
        more = "+" if r.reach.truncated else ""
        lines.append(
            f"| `{r.node}` | `{r.choice}` | {len(r.reach.endings)}{more} | "
            f"{r.reach.rosters:,}{more} |"
        )
    if not c.complete:
        lines += ["", f"Raise the bound for exact figures: `{raise_bound}`"]
    return "\n".join(lines) + "\n"


def _code(line: str) -> str:
    head, sep, rest = line.partition(": ")
    return f"`{head}`{sep}{rest}" if sep else line
