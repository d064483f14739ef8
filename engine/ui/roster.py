"""The roster and inventory panels: who is what, where, since when, and what happened.

Owns: `roster_text` (every tracked character with the status the player may know, where
they are, since which turn, and the last thing that happened to them, with the choice it
followed), `inventory_text`, and `visible_status` (a hidden bite looks healthy until it
is revealed). Plain text; no terminal code.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.runtime.events import LogEntry
from engine.runtime.model import Story
from engine.runtime.state import CharState, GameState

__all__ = ["inventory_text", "roster_text", "visible_status"]

_WHERE = {"group": "with the group", "separated": "separated", "elsewhere": "elsewhere"}
_STATUS_KINDS = frozenset({"bitten", "turned", "died", "move", "reveal", "cured"})


def visible_status(char: CharState) -> str:
    """The status the player may know: a hidden bite looks healthy."""
    return "healthy" if char.status == "bitten" and char.hidden else char.status


def roster_text(story: Story, states: Sequence[GameState]) -> str:
    """Every tracked character: status, where, since when (turn/episode) and how."""
    state = states[-1]
    causes = _latest_causes(state)
    rows = []
    for cid, char in zip(story.cast_ids, state.roster, strict=True):
        status = visible_status(char)
        if status == "bitten":
            status = f"bitten (turns in {char.turns_left})"
        entry = causes.get((cid, char.hidden))
        rows.append(
            (
                story.cast[cid].name,
                status,
                _WHERE.get(char.place, str(char.place).replace("_", " ")),
                _since(states, entry),
            )
        )
        rows.append(("", "", "", _how(story, state, entry)))
    widths = [max(len(row[i]) for row in rows if row[0]) for i in range(3)]
    lines = []
    for name, status, where, rest in rows:
        if name:
            cells = [name.ljust(widths[0]), status.ljust(widths[1]), where.ljust(widths[2]), rest]
            lines.append("  ".join(cells).rstrip())
        elif rest:
            lines.append(rest)
    return "\n".join(lines)


def _latest_causes(state: GameState) -> dict[tuple[str, bool], LogEntry]:
    """Per (character, bite hidden?): the latest log entry the player may see."""
    causes: dict[tuple[str, bool], LogEntry] = {}
    for entry in state.log_entries():
        if entry.kind not in _STATUS_KINDS:
            continue
        causes[(entry.subject, False)] = entry
        if not (entry.kind == "bitten" and entry.detail.endswith("(hidden)")):
            causes[(entry.subject, True)] = entry
    return causes


def _since(states: Sequence[GameState], entry: LogEntry | None) -> str:
    if entry is None or entry.turn == 0:
        return "since the start"
    episode = states[entry.turn].episode if entry.turn < len(states) else states[-1].episode
    return f"since turn {entry.turn} (episode {episode})"


_VERBS = {
    "bitten": "bitten",
    "turned": "turned",
    "died": "died",
    "reveal": "the bite was found",
    "move": "moved",
    "cured": "cured of the bite",
}


def _how(story: Story, state: GameState, entry: LogEntry | None) -> str:
    """What happened, without claiming why: the compare command names true causes."""
    if entry is None:
        return ""
    what = _VERBS.get(entry.kind, entry.kind)
    if entry.kind == "move":
        what = _WHERE.get(entry.detail, entry.detail)
    elif entry.kind == "turned":
        what = f"turned {entry.detail}"
    return f"    ↳ {what}"


def inventory_text(story: Story, state: GameState) -> str:
    rows = [
        f"{story.items[iid].name}{f' ×{count}' if count > 1 else ''}"
        + (f" — {story.items[iid].description}" if story.items[iid].description else "")
        for iid, count in zip(story.item_ids, state.inventory, strict=True)
        if count > 0
    ]
    return "\n".join(rows) if rows else "The group carries nothing."
