"""What the front ends show, as plain data: wrapped prose, title cards, the status bar,
the roster, the inventory, the ending screen and save descriptions.

Owns: turning a story and a run's states into text and styled fragments. Fragments are
`(style, text)` pairs — the shape prompt_toolkit draws — but nothing here imports it or
writes anywhere; the plain front end joins the texts and drops the styles. Hidden bites
(`CharState.hidden`) are never shown: a character with one looks healthy until revealed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from engine.runtime.model import Story
from engine.runtime.rules import render_text, survivors
from engine.runtime.state import GameState
from engine.ui.roster import roster_text, visible_status

if TYPE_CHECKING:
    from engine.canon.compare import EpisodeSummary

__all__ = [
    "Fragment",
    "Scene",
    "describe_save",
    "ending_text",
    "flow",
    "relative_time",
    "scene",
    "short_name",
    "status_fragments",
    "title_card",
    "wrap_keep_indent",
    "wrap_prose",
]

Fragment = tuple[str, str]


@dataclass(frozen=True)
class Scene:
    """The current node as the player meets it."""

    title_card: str | None
    notices: tuple[str, ...]
    text: str
    ending_title: str | None
    recap: EpisodeSummary | None = None  # the episode just finished, compared with the canon


def title_card(story: Story, episode: int) -> str:
    """ "EPISODE 5 · The Broadcasting Room" (a title that repeats "Episode 5" drops it)."""
    title = story.episode_title(episode)
    prefix = f"episode {episode}"
    if title.lower().startswith(prefix):
        title = title[len(prefix) :].lstrip(" —–-:·") or title
    return f"EPISODE {episode} · {title}"


def short_name(name: str) -> str:
    """A name short enough for the status bar: "Nam On-jo" -> "On-jo"."""
    if "(" in name and name.endswith(")"):
        return name[name.index("(") + 1 : -1]
    words = name.split()
    if len(words) == 2 and "-" in words[1] and words[1][0].isupper():
        return words[1]
    return name


def wrap_prose(text: str, width: int) -> list[str]:
    """Paragraphs (split at blank lines) re-flowed to `width`; a blank line between them.

    Width 0 or less keeps each paragraph on one line (for screen readers and pipes).
    """
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        if lines:
            lines.append("")
        if width > 0:
            lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""])
        else:
            lines.append(paragraph)
    return lines


def _paragraphs(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def scene(story: Story, states: Sequence[GameState], first_shown: bool = False) -> Scene:
    """The scene at the last state; a title card when it entered a new episode."""
    state = states[-1]
    node = story.nodes[state.node]
    entered = len(states) == 1 or states[-2].episode != state.episode
    card = title_card(story, state.episode) if entered or first_shown else None
    notices = tuple(_notices(story, states[-2], state)) if len(states) > 1 else ()
    ending = node.ending.title if node.ending else None
    recap = None
    if len(states) > 1 and states[-2].episode != state.episode and story.canon is not None:
        from engine.canon.compare import (
            episode_summary,  # only at episode ends: keeps start-up light
        )

        recap = episode_summary(story, states[:-1], states[-2].episode)
    return Scene(card, notices, render_text(node, state), ending, recap)


def recap_lines(recap: EpisodeSummary, width: int) -> list[str]:
    """The end-of-episode card: turning points against the canon, who differs."""
    from engine.report.compare import episode_chart

    return episode_chart(recap, width).splitlines()


def _notices(story: Story, before: GameState, after: GameState) -> list[str]:
    """What changed in the last step that the player can see."""
    out = []
    for cid, old, new in zip(story.cast_ids, before.roster, after.roster, strict=True):
        name = story.cast[cid].name
        was, now = visible_status(old), visible_status(new)
        if was != now:
            out.append(
                _STATUS_NOTICE.get(now, "{name} is now {status}.").format(name=name, status=now)
            )
        elif old.place != new.place and new.is_alive:
            out.append(_PLACE_NOTICE[new.place].format(name=name))
    for iid, old_count, new_count in zip(
        story.item_ids, before.inventory, after.inventory, strict=True
    ):
        if new_count != old_count:
            out.append(_item_notice(story.items[iid].name, new_count - old_count))
    return out


_STATUS_NOTICE = {
    "bitten": "{name} has been bitten.",
    "zombie": "{name} has turned.",
    "hombie": "{name} has turned into a hombie: infected, but still in control.",
    "dead": "{name} is dead.",
    "healthy": "{name} is well again.",
}
_PLACE_NOTICE = {
    "group": "{name} is with the group.",
    "separated": "{name} is separated from the group.",
    "elsewhere": "{name} has left the group.",
}


def _item_notice(name: str, delta: int) -> str:
    count = f" ×{abs(delta)}" if abs(delta) > 1 else ""
    return f"Picked up: {name}{count}." if delta > 0 else f"Lost: {name}{count}."


# --- the status bar ---


def inventory_names(story: Story, state: GameState) -> list[str]:
    return [
        story.items[iid].name + (f" ×{count}" if count > 1 else "")
        for iid, count in zip(story.item_ids, state.inventory, strict=True)
        if count > 0
    ]


def status_fragments(story: Story, state: GameState) -> list[Fragment]:
    """The status bar as atomic fragments, ready for `flow`.

    Episode and turn; who is with the group (alive / with the group); who is bitten
    (visible bites only) or a hombie; the inventory.
    """
    sep: Fragment = ("class:status.sep", "  │  ")
    out: list[Fragment] = [("class:status.episode", f"Episode {state.episode}")]
    out.append(("class:status.turn", f" · Turn {state.turn}"))
    group = [i for i, c in enumerate(state.roster) if c.place == "group"]
    alive = [i for i in group if state.roster[i].is_alive]
    out += [sep, ("class:status.label", f"Group {survivors(state)}/{len(group)}:")]
    out += _names(story, alive, "class:status.name")
    bitten = [i for i, c in enumerate(state.roster) if visible_status(c) == "bitten"]
    hombies = [i for i, c in enumerate(state.roster) if c.status == "hombie"]
    if bitten:
        out += [sep, ("class:status.bitten", "Bitten:")]
        out += _names(story, bitten, "class:status.bitten")
    if hombies:
        out += [sep, ("class:status.hombie", "Hombie:")]
        out += _names(story, hombies, "class:status.hombie")
    items = inventory_names(story, state)
    out += [sep, ("class:status.label", "Inventory:")]
    out += _comma_list(items or ["nothing"], "class:status.item")
    return out


def _names(story: Story, indexes: list[int], style: str) -> list[Fragment]:
    names = [short_name(story.cast[story.cast_ids[i]].name) for i in indexes]
    return _comma_list(names or ["nobody"], style)


def _comma_list(words: list[str], style: str) -> list[Fragment]:
    last = len(words) - 1
    return [(style, f" {word}{',' if i < last else ''}") for i, word in enumerate(words)]


def flow(fragments: Sequence[Fragment], width: int) -> list[list[Fragment]]:
    """Lay atomic fragments out in lines of at most `width` columns (never splitting one)."""
    lines: list[list[Fragment]] = [[]]
    used = 0
    for style, text in fragments:
        if used and width > 0 and used + len(text) > width:
            lines.append([])
            text, used = text.lstrip(), 0
        lines[-1].append((style, text))
        used += len(text)
    return lines


# --- the ending ---


def ending_text(story: Story, states: Sequence[GameState]) -> str:
    """The ending screen below the title: summary, the final roster, the path."""
    state = states[-1]
    node = story.nodes[state.node]
    parts = []
    if node.ending and node.ending.summary:
        parts.append(node.ending.summary.strip())
    alive = survivors(state)
    parts.append(f"Turn {state.turn}, episode {state.episode}. {alive} alive with the group.")
    parts.append("WHO MADE IT\n" + roster_text(story, states))
    parts.append("YOUR PATH\n" + path_summary(story, state))
    if story.canon is not None:
        heading = f"COMPARED WITH {story.canon.label.upper()}"
        parts.append(heading + "\n" + _comparison_summary(story, states))
    return "\n\n".join(parts)


def _comparison_summary(story: Story, states: Sequence[GameState]) -> str:
    from engine.canon.compare import compare_run

    cmp = compare_run(story, states)
    lines = [
        f"  Fidelity {cmp.fidelity * 100:.0f}%: turning points "
        f"{cmp.turning_point_score * 100:.0f}%, roster {cmp.roster_score * 100:.0f}%."
    ]
    lines += [f"  {row.explain(cmp.label)}" for row in cmp.roster if row.differs]
    if len(lines) == 1:
        lines.append(f"  Everyone ended where {cmp.label} left them.")
    lines.append("  (the compare command shows the full tables.)")
    return "\n".join(lines)


def path_summary(story: Story, state: GameState) -> str:
    """Every turning point met, the choice taken there, and whether the canon agreed."""
    label = story.canon.label if story.canon is not None else "the canon"
    lines = []
    for turn, (node_id, choice_id) in enumerate(state.steps(), start=1):
        node = story.nodes.get(node_id)
        if node is None or node.turning_point is None:
            continue
        point = node.turning_point
        taken = node.choice_map.get(choice_id)
        taken_text = taken.text.strip() if taken else choice_id
        if point.canon == choice_id:
            verdict = f"as in {label}"
        else:
            canon = node.choice_map.get(point.canon)
            verdict = f"{label}: {canon.text.strip() if canon else point.canon}"
        lines.append(f"  Turn {turn} · {point.title}: {taken_text} ({verdict})")
    return "\n".join(lines) if lines else "  (no turning points on this path)"


# --- saves ---


def relative_time(stamp: str, now: datetime | None = None) -> str:
    """ "12 minutes ago" for an ISO time; the text itself when it is not one."""
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return stamp


def describe_save(save: object, now: datetime | None = None) -> str:
    """ "Episode 5 · 9 alive · 12 minutes ago" (or "ended: <title>") for a SaveFile."""
    episode = getattr(save, "episode", "?")
    alive = getattr(save, "survivors", "?")
    ending = getattr(save, "ending", None)
    when = relative_time(str(getattr(save, "updated", "")), now)
    middle = f"ended: {ending}" if ending else f"{alive} alive"
    return f"Episode {episode} · {middle} · {when}"


def wrap_keep_indent(line: str, width: int) -> list[str]:
    """Wrap one line of a panel, continuing under its own indentation."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.wrap(line, width, subsequent_indent=indent) or [""]
