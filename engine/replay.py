"""Re-run a save against a story, and say exactly where and why it no longer fits.

Owns: `replay_save` (loading a save is replaying it: every step goes through
`rules.step`, and each state digest is compared with the saved one), the divergence
report, and the per-step views (`step_views`, `final_view`) that `hyosan replay` renders.
Pure: no files, no terminal, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.diagnostics import did_you_mean
from engine.runtime.model import Story
from engine.runtime.rules import (
    ChoiceError,
    RunEndedError,
    available_choices,
    choice_text,
    initial_state,
    render_text,
    step,
)
from engine.runtime.state import GameState
from engine.saves.digest import digest_for
from engine.saves.format import SaveError, SaveFile

__all__ = [
    "Divergence",
    "FinalView",
    "ReplayResult",
    "StepView",
    "check_story_matches",
    "final_view",
    "missing_branches",
    "replay_save",
    "step_views",
]


@dataclass(frozen=True)
class Divergence:
    """The first saved step the story can no longer take.

    `step` is 1-based; `episode` and `node` say where the save was; `choice` is the saved
    choice; `available` the choices the story offers at the replay's node now;
    `suggestion` a quoted did-you-mean: among those choices when the saved choice is
    gone, among the nodes when the saved node is gone (renamed), or None.
    """

    step: int
    episode: int
    node: str
    choice: str
    reason: str
    suggestion: str | None
    available: tuple[str, ...]

    def describe(self) -> str:
        """One line: where, what is missing, did-you-mean, and what is there now."""
        text = f'step {self.step} (episode {self.episode}, node "{self.node}"): {self.reason}'
        if self.suggestion:
            text += f"; did you mean {self.suggestion}?"
        offered = ", ".join(self.available) if self.available else "none"
        return f"{text} (choices there now: {offered})"


@dataclass(frozen=True)
class ReplayResult:
    """The states replayed (initial state first; up to the last step that still matches),
    warnings (story edited, digests differ), and the divergence if a step failed."""

    states: list[GameState]
    warnings: list[str]
    divergence: Divergence | None
    first_differing_step: int | None = None  # the first step whose digest differs
    ending_differs: bool = False  # the save records another ending than the replay reached

    @property
    def is_exact(self) -> bool:
        """True when every step replayed and matched: what `hyosan replay --check` demands."""
        return (
            self.divergence is None
            and self.first_differing_step is None
            and not self.ending_differs
        )

    @property
    def matched_steps(self) -> int:
        """How many saved steps replayed (all of them when there is no divergence)."""
        return len(self.states) - 1


def check_story_matches(story: Story, save: SaveFile) -> None:
    """Raise SaveError when `save` was made with another story (a different story id)."""
    if save.story_id != story.id:
        raise SaveError(
            save.source or "save",
            f'this save is from the story "{save.story_id}", not "{story.id}" ({story.root})',
            hint="pick the story it was made with: --story DIR",
        )


def replay_save(story: Story, save: SaveFile) -> ReplayResult:
    """Replay every step of `save` through `rules.step` and compare the state digests.

    A story edited since the save (another fingerprint) is fine as long as each saved
    node and choice is still there and available; the result then carries a warning.
    A digest that differs is a warning naming the first step that differs. A step that
    cannot be taken stops the replay: `divergence` says where, and `states` holds the
    run up to the last step that still matched.

    Raises SaveError when the save belongs to another story.
    """
    check_story_matches(story, save)
    warnings: list[str] = []
    missing = missing_branches(story, save)
    if missing:
        warnings.append(_missing_warning(missing))
    if save.fingerprint != story.fingerprint:
        warnings.append(
            f"the story has changed since this save was made (fingerprint {save.fingerprint}, "
            f"now {story.fingerprint}); steps are matched by node and choice id"
        )
    state = initial_state(story, save.seed)
    states = [state]
    differing: list[int] = []
    digest = digest_for(save.digest_scheme)
    for number, saved in enumerate(save.steps, start=1):
        taken = _take(story, state, number, saved.node, saved.choice)
        if isinstance(taken, Divergence):
            if missing:
                taken = _blame_branches(taken, missing)
            first = differing[0] if differing else None
            return ReplayResult(states, warnings + _digest_warnings(differing), taken, first)
        state = taken
        states.append(state)
        if digest(story, state) != saved.digest:
            differing.append(number)
    warnings += _digest_warnings(differing)
    ending = story.nodes[state.node].ending
    reached = ending.id if ending else None
    ending_differs = not differing and reached != save.ending
    if ending_differs:
        warnings.append(f"the save records the ending {save.ending}, the replay reached {reached}")
    first = differing[0] if differing else None
    return ReplayResult(states, warnings, None, first, ending_differs)


def missing_branches(story: Story, save: SaveFile) -> list[str]:
    """The branch files the save was played with that the story is not loaded with now."""
    loaded = set(story.branch_files)
    return [b for b in save.branches if b not in loaded]


def _missing_warning(missing: list[str]) -> str:
    many = len(missing) > 1
    return (
        f"this run was played with the branch file{'s' * many} {', '.join(missing)}, which "
        f"{'are' if many else 'is'} not loaded now (a path not absolute is in the story "
        "folder): restore it, or pass --branch PATH; the steps it added cannot be replayed "
        "without it"
    )


def _blame_branches(divergence: Divergence, missing: list[str]) -> Divergence:
    """A step that fails while a branch file the run used is missing: say so."""
    reason = (
        f"{divergence.reason}; the run was played with the branch file {missing[0]}, "
        "which is not loaded now (restore it, or pass --branch PATH)"
    )
    return replace(divergence, reason=reason)


def _digest_warnings(differing: list[int]) -> list[str]:
    if not differing:
        return []
    more = len(differing) - 1
    return [
        f"step {differing[0]}: the state after it differs from the saved one "
        "(the story's rules or effects changed)"
        + (f"; {more} later step{'s' * (more != 1)} differ too" if more else "")
    ]


def _take(
    story: Story, state: GameState, number: int, node: str, choice: str
) -> GameState | Divergence:
    """The state after the saved step, or the divergence saying why it cannot be taken."""
    available = tuple(c.id for c in available_choices(story, state))
    if story.nodes[state.node].ending is not None:
        ending = story.nodes[state.node].ending
        title = ending.title if ending else state.node
        reason = f'the run already ended at step {number - 1} ("{title}"); nothing to choose'
        return Divergence(number, state.episode, node, choice, reason, None, ())
    if node != state.node:
        return _elsewhere(story, state, number, node, choice, available)
    try:
        return step(story, state, choice)[0]
    except ChoiceError:
        exists = choice in story.nodes[node].choice_map
        reason = (
            f'choice "{choice}" is not available there now (its condition is false)'
            if exists
            else f'choice "{choice}" no longer exists there'
        )
        options = available if exists else tuple(story.nodes[node].choice_map)
        suggestion = None if exists else did_you_mean(choice, options)
        return Divergence(number, state.episode, node, choice, reason, suggestion, available)
    except RunEndedError:  # checked above; kept so a rules change cannot crash a replay
        return Divergence(number, state.episode, node, choice, "the run has ended", None, ())


def _elsewhere(
    story: Story, state: GameState, number: int, node: str, choice: str, available: tuple[str, ...]
) -> Divergence:
    """The save's step `number` is at `node`, but the replay is at another node: the
    step before it (or the start) now leads elsewhere. Names that step, and suggests a
    node when the saved one was renamed (never a choice of an unrelated node)."""
    before = state.steps()
    if before:
        at, taken = before[-1]
        now = f'step {number - 1} (choice "{taken}" at node "{at}") now leads to "{state.node}"'
    else:
        now = f'the story now starts at "{state.node}"'
    if node in story.nodes:
        reason = f'the save was at node "{node}", but {now}'
        suggestion = None
    else:
        reason = f'node "{node}" no longer exists; {now}'
        suggestion = did_you_mean(node, story.nodes)
    return Divergence(number, state.episode, node, choice, reason, suggestion, available)


# --- views for `hyosan replay` ---


@dataclass(frozen=True)
class StepView:
    """What one step looked like: the scene, the choices offered, the one taken, and
    what it did to the roster ("Gyeong-su: healthy -> bitten")."""

    number: int
    episode: int
    episode_title: str | None  # set on the step that enters an episode
    node: str
    text: str
    turning_point: str | None  # "title (in the show: canon choice)"
    choices: tuple[tuple[str, str, bool], ...]  # (id, text, taken)
    choice: str
    choice_text: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class FinalView:
    """Where the replayed run stands: the last scene, the ending if reached, the roster."""

    node: str
    episode: int
    text: str
    ending: str | None  # title
    summary: str
    survivors: tuple[str, ...]
    lost: tuple[str, ...]  # "Han Gyeong-su (zombie)"


def step_views(story: Story, states: list[GameState]) -> list[StepView]:
    """One view per step of the run `states` (initial state first)."""
    taken = states[-1].steps() if states else []
    views = []
    for number, ((node_id, choice_id), before, after) in enumerate(
        zip(taken, states, states[1:], strict=False), start=1
    ):
        node = story.nodes[node_id]
        offered = available_choices(story, before)
        starts = number == 1 or states[number - 2].episode != before.episode
        views.append(
            StepView(
                number=number,
                episode=before.episode,
                episode_title=story.episode_title(before.episode) if starts else None,
                node=node_id,
                text=render_text(node, before),
                turning_point=_turning_point(story, node_id),
                choices=tuple((c.id, choice_text(c, before), c.id == choice_id) for c in offered),
                choice=choice_id,
                choice_text=choice_text(node.choice_map[choice_id], before),
                changes=tuple(_roster_changes(story, before, after)),
            )
        )
    return views


def _turning_point(story: Story, node_id: str) -> str | None:
    point = story.nodes[node_id].turning_point
    if point is None:
        return None
    canon = story.nodes[node_id].choice_map.get(point.canon)
    shown = canon.text if canon else point.canon
    return f"{point.title} (in the show: {shown})"


def _roster_changes(story: Story, before: GameState, after: GameState) -> list[str]:
    changes = []
    for cid, old, new in zip(story.cast_ids, before.roster, after.roster, strict=True):
        parts = []
        if old.status != new.status:
            parts.append(f"{old.status} -> {new.status}")
        if old.place != new.place:
            parts.append(f"{old.place} -> {new.place}")
        if parts:
            changes.append(f"{story.cast[cid].name}: {', '.join(parts)}")
    return changes


def final_view(story: Story, state: GameState) -> FinalView:
    """The view of where the run stands after its last step."""
    node = story.nodes[state.node]
    alive = [
        story.cast[cid].name
        for cid, char in zip(story.cast_ids, state.roster, strict=True)
        if char.place == "group" and char.is_alive
    ]
    lost = [
        f"{story.cast[cid].name} ({char.status})"
        for cid, char in zip(story.cast_ids, state.roster, strict=True)
        if not char.is_alive
    ]
    return FinalView(
        node=state.node,
        episode=state.episode,
        text=render_text(node, state),
        ending=node.ending.title if node.ending else None,
        summary=node.ending.summary if node.ending else "",
        survivors=tuple(alive),
        lost=tuple(lost),
    )
