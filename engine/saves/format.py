"""The save format: a run as an event log (`format: 2`, documented in docs/saves.md).

Owns: `SaveFile` and `SavedStep`, turning a run's states into a `SaveFile` (`make_save`)
and a `SaveFile` into the text written to disk (`dump_save`), and `SaveError`. Reading
text back is `parse.py`; files and slots are `files.py`. The clock is read here only
(`utc_now`), to stamp a save.

A save never refers to a choice by its position, only by the node id and choice id, so
adding choices to a story keeps old saves valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from engine.diagnostics import Pos
from engine.errors import UserError
from engine.runtime.model import Story
from engine.runtime.rules import survivors
from engine.runtime.state import GameState
from engine.saves.digest import DIGEST_SCHEME, run_digest

__all__ = [
    "FORMAT_VERSION",
    "MIN_FORMAT_VERSION",
    "SaveError",
    "SaveFile",
    "SavedStep",
    "dump_save",
    "make_save",
    "utc_now",
]

FORMAT_VERSION = 2  # 2: the branch files played with, and digests of scheme 2
MIN_FORMAT_VERSION = 1
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_STR_TAG = "tag:yaml.org,2002:str"
_resolver: Any = yaml.resolver.Resolver()


class SaveError(UserError):
    """A save file that cannot be used: names the file (and place) and what is wrong."""

    def __init__(self, where: str | Path | Pos, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{where}: {problem}", hint=hint)
        self.path = where.path if isinstance(where, Pos) else str(where)
        self.problem = problem


@dataclass(frozen=True)
class SavedStep:
    """One step of a run: the node it was taken at, the choice id, the state digest after."""

    node: str
    choice: str
    digest: str


@dataclass(frozen=True)
class SaveFile:
    """A saved run. `source` is the file it was read from (None when built in memory)."""

    format: int
    story_id: str
    fingerprint: str
    seed: int
    steps: tuple[SavedStep, ...]
    slot: str | None
    created: str
    updated: str
    episode: int
    survivors: int
    ending: str | None
    branches: tuple[str, ...] = ()  # the branch files the run was played with
    digest_scheme: int = DIGEST_SCHEME  # how `steps` digests were computed (saves/digest.py)
    source: str | None = field(default=None, compare=False)


# --- the clock (read only here) ---


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, to the second: 2024-05-01T12:00:00Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_save(
    story: Story,
    seed: int,
    states: Sequence[GameState],
    slot: str | None,
    created: str | None = None,
    *,
    now: str | None = None,
) -> SaveFile:
    """A save of the run whose states are `states` (the initial state, then one per step).

    `created` keeps the first save time of a slot (default: now); `now` replaces the
    clock (for tests). Raises ValueError when `states` do not form one run.
    """
    if not states:
        raise ValueError("make_save needs at least the initial state")
    final = states[-1]
    taken = final.steps()
    if states[0].turn != 0 or len(taken) != len(states) - 1:
        raise ValueError(f"{len(states)} states do not form one run from the initial state")
    steps = tuple(
        SavedStep(node, choice, run_digest(story, state))
        for (node, choice), state in zip(taken, states[1:], strict=True)
    )
    stamp = now or utc_now()
    ending = story.nodes[final.node].ending
    return SaveFile(
        format=FORMAT_VERSION,
        story_id=story.id,
        fingerprint=story.fingerprint,
        seed=seed,
        steps=steps,
        slot=slot,
        created=created or stamp,
        updated=stamp,
        episode=final.episode,
        survivors=survivors(final),
        ending=ending.id if ending else None,
        branches=story.branch_files,
    )


# --- writing ---


def _scalar(value: object) -> str:
    """A YAML scalar that reads back as exactly `value` (quoted when it must be)."""
    if value is None:
        return "null"
    if isinstance(value, bool | int):
        return str(value).lower() if isinstance(value, bool) else str(value)
    text = str(value)
    if _PLAIN.match(text) and _resolver.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG:
        return text
    return yaml.safe_dump(text, default_style='"', width=10_000).strip()


def dump_save(save: SaveFile) -> str:
    """The save as the YAML text written to disk (docs/saves.md shows an example)."""
    head = [
        "# Hyosan save (docs/saves.md). Loading it replays these steps through the story.",
        f"format: {FORMAT_VERSION}",
        f"story: {_scalar(save.story_id)}",
        f"fingerprint: {_scalar(save.fingerprint)}",
        f"seed: {save.seed}",
        f"slot: {_scalar(save.slot)}",
        f"created: {_scalar(save.created)}",
        f"updated: {_scalar(save.updated)}",
        f"episode: {save.episode}",
        f"survivors: {save.survivors}",
        f"ending: {_scalar(save.ending)}",
        f"branches: [{', '.join(_scalar(b) for b in save.branches)}]",
        f"digest_scheme: {save.digest_scheme}",
        "steps:" + (" []" if not save.steps else ""),
    ]
    body = [
        f"  - {{node: {_scalar(s.node)}, choice: {_scalar(s.choice)}, digest: {_scalar(s.digest)}}}"
        for s in save.steps
    ]
    # Written last: a file cut short loses this line, so truncation is always detected.
    tail = [f"end: {len(save.steps)}", ""]
    return "\n".join(head + body + tail)
