"""The manifest's `canon:` section: what the story's canon is, and that the story agrees.

Owns: reading `canon:` into a runtime `Canon`: its label (how messages name it: "the
show", "the record"; "the canon" when not given), the roster timeline (character ->
episode -> status, each entry with its position) and the canon's ending id; and
`check_canon_path`, which plays the canon path (`engine.runtime.canon`) and reports
E060 where it does not end each episode with exactly the declared roster, or does not
reach the declared ending, and E065 where a turning point's canon choice is not offered
when the canon path reaches it. A story without `canon:` has no canon (None). Problems
are reported through the `Context`.
"""

from __future__ import annotations

import itertools

from engine.compiler import spec
from engine.compiler.context import Context
from engine.compiler.ytree import YMap
from engine.diagnostics import Pos, did_you_mean
from engine.runtime.canon import canon_path, declared_canon_choice
from engine.runtime.model import Canon, CanonEntry, Story, frozen
from engine.runtime.rules import available_choices
from engine.runtime.state import GameState
from engine.runtime.world import STATUSES, Status

__all__ = ["DEFAULT_LABEL", "check_canon_path", "read_canon"]

DEFAULT_LABEL = "the canon"


def read_canon(ctx: Context, manifest: YMap) -> Canon | None:
    """The story's canon, or None when the manifest has no `canon:` mapping."""
    canon = manifest.get("canon")
    if not isinstance(canon, YMap):
        return None
    ctx.keys(canon, spec.CANON, "canon")
    roster: dict[str, tuple[CanonEntry, ...]] = {}
    timeline = canon.get("roster")
    if isinstance(timeline, YMap):
        for who, entries in timeline.items():
            pos = timeline.key_pos[who]
            if who not in ctx.cast:
                message = f'canon roster names unknown character "{who}"'
                ctx.error(pos, "E031", message, did_you_mean(who, ctx.cast))
                continue
            if not isinstance(entries, YMap):
                message = f"canon roster for {who}: give a mapping of episode: status"
                ctx.error(timeline.at(who), "E055", message)
                continue
            roster[who] = _timeline(ctx, who, entries)
    ending = canon.get("ending")
    label = canon.get("label")
    return Canon(
        label=label.strip() if isinstance(label, str) and label.strip() else DEFAULT_LABEL,
        roster=frozen(roster),
        ending=ending if isinstance(ending, str) else None,
        pos=canon.pos,
    )


def _timeline(ctx: Context, who: str, entries: YMap) -> tuple[CanonEntry, ...]:
    out = []
    for key, status in entries.items():
        pos = entries.key_pos[key]
        try:
            episode = int(key)
        except ValueError:
            ctx.error(pos, "E055", f'canon roster for {who}: "{key}" is not an episode number')
            continue
        if status not in STATUSES:
            ctx.error(
                entries.at(key),
                "E055",
                f'canon roster for {who}: "{status}" is not a status ({", ".join(STATUSES)})',
                did_you_mean(str(status), STATUSES),
            )
            continue
        out.append(CanonEntry(episode, Status(status), pos))
    return tuple(sorted(out, key=lambda e: e.episode))


def _episode_ends(states: list[GameState]) -> list[tuple[int, GameState]]:
    """(episode, its last state) for every episode the path finishes, and the last state."""
    ends = [
        (before.episode, before)
        for before, after in itertools.pairwise(states)
        if after.episode != before.episode
    ]
    return [*ends, (states[-1].episode, states[-1])]


def _entry_pos(story: Story, canon: Canon, who: str, episode: int) -> Pos:
    """Where the declared status of `who` at the end of `episode` is written."""
    found = [e for e in canon.roster.get(who, ()) if e.episode <= episode]
    return found[-1].pos if found else story.cast[who].pos


def check_canon_path(ctx: Context, story: Story) -> None:
    """E060 for every character whose status on the canon path at the end of an episode
    (or at the end of the path) is not the one `canon.roster` declares, and when the
    path does not reach `canon.ending`. One diagnostic per character: the first episode
    that disagrees."""
    canon = story.canon
    states = canon_path(story)
    if _check_offered(ctx, story, states) or canon is None:
        return  # past a canon choice never offered, the path is not the canon's
    _check_declared(ctx, story, states)
    reported: set[str] = set()
    for episode, state in _episode_ends(states):
        for cid, char in zip(story.cast_ids, state.roster, strict=True):
            want = story.canon_status(cid, episode)
            if char.status == want or cid in reported:
                continue
            reported.add(cid)
            ctx.error(
                _entry_pos(story, canon, cid, episode),
                "E060",
                f"{canon.label} has {cid} {want} at the end of episode {episode}, but the "
                f"canon path makes them {char.status}",
            )
    final = story.nodes[states[-1].node]
    reached = final.ending.id if final.ending else None
    if canon.ending is not None and reached != canon.ending:
        where = f'the ending "{reached}"' if reached else f'node "{final.id}" (no ending)'
        ctx.error(
            canon.pos,
            "E060",
            f'{canon.label} ends at "{canon.ending}", but the canon path reaches {where}',
        )


def _check_offered(ctx: Context, story: Story, states: list[GameState]) -> bool:
    """E065 at the first turning point the canon path passes whose canon choice is a
    choice of the node but is not offered there (its `if:` does not hold on the canon
    path); True when one was reported. Checked in every story, with a canon or not."""
    for state in states:
        node = story.nodes[state.node]
        point = node.turning_point
        choice = node.choice_map.get(point.canon) if point is not None else None
        if point is None or choice is None or choice.condition is None:
            continue
        if choice.condition.test(state):
            continue
        ctx.error(
            choice.condition.pos,
            "E065",
            f'turning point {point.id}: its canon choice "{choice.id}" is never offered on '
            f'the canon path: when the canon path reaches node "{node.id}", its if: '
            f"({choice.condition.source}) does not hold",
        )
        return True
    return False


def _check_declared(ctx: Context, story: Story, states: list[GameState]) -> None:
    """E061 where the canon path offers several choices and the story does not say which
    one the canon takes (no turning point canon offered, no `canon: true`)."""
    label = story.canon.label if story.canon is not None else "the canon"
    seen: set[str] = set()
    for state in states:
        node = story.nodes[state.node]
        if node.ending is not None or node.id in seen:
            continue
        offered = available_choices(story, state)
        if len(offered) < 2 or declared_canon_choice(story, offered) is not None:
            continue
        seen.add(node.id)
        ids = ", ".join(c.id for c in offered)
        ctx.error(
            offered[0].pos,
            "E061",
            f'{label} passes node "{node.id}", where {len(offered)} choices are offered '
            f"({ids}) and none is marked as {label}'s",
            fix="add `canon: true` to the choice it takes (or make the turning point's "
            "canon choice available here)",
        )
