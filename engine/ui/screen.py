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
from engine.ui import prose
from engine.ui.ledger_worker import LedgerWorker, ledger_lines
from engine.ui.roster import roster_text, visible_status

if TYPE_CHECKING:
    from engine.canon.compare import EpisodeSummary

__all__ = [
    "Fragment",
    "Scene",
    "describe_save",
    "ending_text",
    "flow",
    "ledger_lines",
    "relative_time",
    "scene",
    "short_name",
    "status_fragments",
    "title_card",
    "turn_number",
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
    ledger: tuple[str, ...] = ()  # the episode just finished, in the choice ledger


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
    for paragraph in map(prose.plain, prose.paragraphs(text)):  # line mode: no emphasis marks
        if lines:
            lines.append("")
        if width > 0:
            lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""])
        else:
            lines.append(paragraph)
    return lines


def scene(
    story: Story,
    states: Sequence[GameState],
    first_shown: bool = False,
    worker: LedgerWorker | None = None,
) -> Scene:
    """The scene at the last state; a title card when it entered a new episode. With a
    `worker`, an episode end shows the choice ledger only once it is computed."""
    state = states[-1]
    node = story.nodes[state.node]
    entered = len(states) == 1 or states[-2].episode != state.episode
    card = title_card(story, state.episode) if entered or first_shown else None
    notices = tuple(_notices(story, states[-2], state)) if len(states) > 1 else ()
    ending = node.ending.title if node.ending else None
    recap: EpisodeSummary | None = None
    ledger: tuple[str, ...] = ()
    if len(states) > 1 and states[-2].episode != state.episode:
        ledger = tuple(ledger_lines(story, states, states[-2].episode, worker))
        if story.canon is not None:
            from engine.canon.compare import (
                episode_summary,  # only at episode ends: keeps start-up light
            )

            recap = episode_summary(story, states[:-1], states[-2].episode)
    return Scene(card, notices, render_text(node, state), ending, recap, ledger)


_NARROW_CHART = 64  # below this width the chart's four columns would cut words


def recap_lines(recap: EpisodeSummary, width: int) -> list[str]:
    """The end-of-episode card: turning points against the canon, who differs. In a
    narrow window, a list (each turning point, then your choice, the canon's and the
    others) instead of a table whose columns would cut words in half."""
    from engine.report.compare import episode_chart

    title = recap.title
    if title.lower().startswith(f"episode {recap.episode}"):  # "Episode 1 — Ground Zero"
        title = title[len(f"episode {recap.episode}") :].lstrip(" —–-:·") or title
    head = f"END OF EPISODE {recap.episode} · {title}"
    if width >= _NARROW_CHART:
        return [head, *episode_chart(recap, width).splitlines()[1:]]
    out = textwrap.wrap(head, width)
    for tp in recap.turning_points:
        out += textwrap.wrap(("= " if tp.matches else "≠ ") + tp.title, width)
        said = [("you", tp.yours_text)]
        said.append((recap.label, "the same" if tp.matches else tp.canon_text))
        others = " / ".join(text for _, text in tp.not_taken)
        if others:
            said.append(("not taken", others))
        for who, text in said:
            out += textwrap.wrap(
                f"{who}: {text}", width, initial_indent="  ", subsequent_indent="    "
            )
    if recap.roster:
        out.append(f"Different from {recap.label}:")
        for row in recap.roster:
            out += textwrap.wrap(
                row.explain(recap.label), width, initial_indent="  ", subsequent_indent="    "
            )
    else:
        out += textwrap.wrap(f"Everyone is where {recap.label} left them.", width)
    return out


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
            notice = _PLACE_NOTICE.get(new.place, "{name} is now at the {place}.")
            out.append(notice.format(name=name, place=str(new.place).replace("_", " ")))
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


def turn_number(state: GameState) -> int:
    """The turn the player is playing: 1 at the first scene; the choice made there is
    the run's step 1, so the status bar, the path and the roster agree."""
    return state.turn + 1


def status_fragments(story: Story, state: GameState, names: bool = True) -> list[Fragment]:
    """The status bar as atomic fragments, ready for `flow`.

    Episode and turn; who is with the group (alive / with the group); who is bitten
    (visible bites only) or a hombie; the inventory. Without `names`, the compact bar:
    the same facts as counts.
    """
    sep: Fragment = ("class:status.sep", "  │  " if names else " │ ")
    out: list[Fragment] = [("class:status.episode", f"Episode {state.episode}")]
    if story.nodes[state.node].ending is not None:  # no turn to play: the path's length
        turns = f"{state.turn} turn{'s' if state.turn != 1 else ''}"
        out.append(("class:status.turn", f" · The end after {turns}"))
    else:
        out.append(("class:status.turn", f" · Turn {turn_number(state)}"))
    group = [i for i, c in enumerate(state.roster) if c.place == "group"]
    alive = [i for i in group if state.roster[i].is_alive]
    bitten = [i for i, c in enumerate(state.roster) if visible_status(c) == "bitten"]
    hombies = [i for i, c in enumerate(state.roster) if c.status == "hombie"]
    items = inventory_names(story, state)
    if not names:
        out += [sep, ("class:status.label", f"Group {survivors(state)}/{len(group)}")]
        if bitten:
            out += [sep, ("class:status.bitten", f"Bitten {len(bitten)}")]
        if hombies:
            out += [sep, ("class:status.hombie", f"Hombie {len(hombies)}")]
        return [*out, sep, ("class:status.label", f"Items {len(items)}")]
    out += [sep, ("class:status.label", f"Group {survivors(state)}/{len(group)}:")]
    out += _names(story, alive, "class:status.name")
    if bitten:
        out += [sep, ("class:status.bitten", "Bitten:")]
        out += _names(story, bitten, "class:status.bitten")
    if hombies:
        out += [sep, ("class:status.hombie", "Hombie:")]
        out += _names(story, hombies, "class:status.hombie")
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


def ending_text(
    story: Story, states: Sequence[GameState], worker: LedgerWorker | None = None
) -> str:
    """The ending screen below the title: summary, the final roster, the path (and the
    choice ledger, once `worker` has computed it)."""
    state = states[-1]
    node = story.nodes[state.node]
    parts = []
    if node.ending and node.ending.summary:
        parts.append(node.ending.summary.strip())
    alive = survivors(state)
    turns = f"{state.turn} turn{'s' if state.turn != 1 else ''}"
    parts.append(f"{turns}, ending in episode {state.episode}. {alive} alive with the group.")
    parts.append("WHO MADE IT\n" + roster_text(story, states))
    parts.append("YOUR PATH\n" + path_summary(story, state))
    ledger = ledger_lines(story, states, None, worker)
    if ledger:
        parts.append("THE CHOICE LEDGER (simulated players)\n" + "\n".join(ledger))
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
