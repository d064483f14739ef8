"""The digest a save records after each step, and which scheme a save's digests use.

Owns: `run_digest` (scheme 2, written by every new save) and `digest_for` (the scheme a
save was written with: 1 for saves of format 1, `engine.runtime.state.state_digest`).

Scheme 2 covers only what a run has made of the story, so adding to a story does not
change the digests of runs that never touch the addition: the node, turn, episode,
generator and resume point; each character whose status, place, incubation or hidden
bite is not what the cast declares at the start; each item held; each flag set; each
counter whose value is not its declared start; the visit counts and once-only choices
taken. A new character, counter, item or flag leaves every old digest as it was until a
run changes it. Scheme 1 named every character and counter, so any new one changed every
digest; old saves keep being checked with it (docs/saves.md, "Digests").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from engine.runtime.model import Story
from engine.runtime.state import CharState, GameState, state_digest
from engine.runtime.world import Status

__all__ = ["DIGEST_SCHEME", "digest_for", "run_digest"]

DIGEST_SCHEME = 2  # what new saves record


def _declared(story: Story) -> dict[str, CharState]:
    """Each character as the cast declares them at the start."""
    return {
        c.id: CharState(
            c.status,
            c.place,
            (c.incubation or story.incubation) if c.status == Status.BITTEN else 0,
        )
        for c in story.cast.values()
    }


def run_digest(story: Story, state: GameState) -> str:
    """Scheme 2: a short, stable digest of what the run has made of the story."""
    parts = [
        "scheme=2",
        f"node={state.node}",
        f"turn={state.turn}",
        f"episode={state.episode}",
        f"rng={state.rng}",
        f"resume={state.resume}",
    ]
    declared = _declared(story)
    for cid, char in zip(story.cast_ids, state.roster, strict=True):
        if char != declared[cid]:
            parts.append(f"c:{cid}={char.status},{char.place},{char.turns_left},{int(char.hidden)}")
    for iid, count in zip(story.item_ids, state.inventory, strict=True):
        if count:
            parts.append(f"i:{iid}={count}")
    parts.extend(f"f:{flag}" for flag in sorted(state.flags))
    for name, value in zip(story.counter_ids, state.counters, strict=True):
        if value != story.counters[name].start:
            parts.append(f"n:{name}={value}")
    parts.extend(f"v:{node}={count}" for node, count in state.visits)
    parts.extend(f"o:{key}" for key in sorted(state.taken))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def digest_for(scheme: int) -> Callable[[Story, GameState], str]:
    """The digest function of a save's scheme (1: the first, 2: `run_digest`)."""
    return state_digest if scheme == 1 else run_digest
