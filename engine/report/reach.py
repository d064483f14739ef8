"""The report of `hyosan reach`: what was found, where the witnesses are, how to watch them.

Owns: the text `hyosan reach` prints for a `ReachResult`. Pure: the saves written and
the command lines to show are passed in by `engine/cli/reach.py`.
"""

from __future__ import annotations

from engine.report.explore import path_text, plural
from engine.tools.reach import ReachResult, Witness

__all__ = ["reach_text"]


def reach_text(
    result: ReachResult,
    saves: dict[Witness, str],
    replay: dict[Witness, str],
    raise_bound: str,
    prefix: int,
) -> str:
    """The text report. `saves` and `replay` give, per witness, the file written and the
    command that replays it; `prefix` is how many steps of a `--from` save come first."""
    searched = plural(result.states, "state")
    lines: list[str] = []
    if result.all_endings:
        lines.append(f"Witnesses of `{result.condition}`, one per ending ({searched} searched):")
        lines += _per_ending(result, saves, replay, prefix)
    elif result.witnesses:
        lines += _witness(result.witnesses[0], saves, replay, prefix, f" ({searched} searched)")
    elif result.complete:
        lines.append(
            f"no path: the condition never holds in any of {result.states:,} reachable states"
        )
    else:
        lines.append(
            f"unknown: the condition holds in none of the {result.states:,} states searched, "
            "but the --max-states bound stopped the search before every state was seen"
        )
    if not result.complete and (result.endings_left or not result.witnesses):
        lines.append(f"  Raise the bound: {raise_bound}")
    return "\n".join(lines)


def _witness(
    witness: Witness, saves: dict[Witness, str], replay: dict[Witness, str], prefix: int, note: str
) -> list[str]:
    where = f"the ending {witness.ending}" if witness.ending else f"the node {witness.node}"
    start = f" after the {plural(prefix, 'step')} of the save" if prefix else ""
    lines = [
        f"Reached in {plural(len(witness.steps), 'step')}{start}, at {where}{note}:",
        f"  {path_text(witness.steps)}",
    ]
    if witness in saves:
        lines.append(f"Wrote {saves[witness]}; watch it with:")
        lines.append(f"  {replay[witness]}")
    return lines


def _per_ending(
    result: ReachResult, saves: dict[Witness, str], replay: dict[Witness, str], prefix: int
) -> list[str]:
    lines: list[str] = []
    for witness in result.witnesses:
        lines += [f"\n{witness.ending}:"]
        lines += ["  " + line for line in _witness(witness, saves, replay, prefix, "")]
    for ending in result.endings_left:
        why = (
            "no path: the condition never holds there"
            if result.complete
            else "not found before the --max-states bound"
        )
        lines.append(f"\n{ending}: {why}")
    return lines
