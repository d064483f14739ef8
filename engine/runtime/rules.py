"""THE state machine: where a run starts, which choices are available, what taking one does.

Owns: `initial_state`, `available_choices`, `step`, `render_text` and the order of things
within a step (the infection clock, the choice's effects, interrupts, entering the next
node). Pure and deterministic: the same story, state and choice always give the same new
state and events; randomness comes only from the generator carried in the state. The
effects themselves apply through `engine.runtime.builder`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from engine.runtime.builder import Builder
from engine.runtime.events import Event, Kind
from engine.runtime.model import Choice, Node, Story
from engine.runtime.state import CharState, GameState, status_of
from engine.runtime.world import ALIVE, RESUME, Place, Status

__all__ = [
    "ChoiceError",
    "RunEndedError",
    "ShownChoice",
    "available_choices",
    "choice_text",
    "initial_state",
    "is_ending",
    "once_key",
    "render_text",
    "replay_steps",
    "shown_choices",
    "step",
    "survivors",
]


_new_state = tuple.__new__
_BITTEN = Status.BITTEN
_NOBODY: list[int] = []  # who turned on a step where nobody was bitten (never changed)


class ChoiceError(Exception):
    """The player asked for a choice that does not exist or is not available here."""

    def __init__(self, node: str, choice: str, available: list[str], reason: str) -> None:
        self.node = node
        self.choice = choice
        self.available = available
        offered = ", ".join(available) if available else "none"
        super().__init__(f'{reason} at node "{node}": "{choice}" (available: {offered})')


class RunEndedError(Exception):
    """The run is at an ending: there is nothing left to choose."""


def initial_state(story: Story, seed: int = 0) -> GameState:
    """The state at the start of `story`, with the generator seeded by `seed`; the start
    node's own `do:` effects are applied (and logged at turn 0)."""
    start = story.nodes[story.start]
    roster = tuple(
        CharState(
            c.status,
            c.place,
            (c.incubation or story.incubation) if c.status == Status.BITTEN else 0,
        )
        for c in story.cast.values()
    )
    state = GameState(
        node=story.start,
        turn=0,
        episode=start.episode or 1,
        roster=roster,
        inventory=(0,) * len(story.item_ids),
        flags=frozenset(),
        counters=tuple(c.start for c in story.counters.values()),
        visited=frozenset({story.start}) & story.tracked_visits,
        rng=seed & 0xFFFFFFFF,
        resume=None,
        just_turned=(),
        log=None,
        path=None,
    )
    if not start.effects:
        if story.start in story.counted_visits:
            return state._replace(visits=((story.start, 1),))
        return state
    b = Builder(story, state, turn=0)  # its new state counts the entry into the start
    for effect in start.effects:
        effect.apply(b)
    return b.state(state.node, None, None)


def replay_steps(story: Story, seed: int, steps: Iterable[tuple[str, str]]) -> list[GameState]:
    """The states of a run from the start through `steps` (the initial state included)."""
    states = [initial_state(story, seed)]
    for _node, choice in steps:
        states.append(step(story, states[-1], choice)[0])
    return states


def once_key(choice: Choice) -> str:
    """How the state records a `once: true` choice as taken."""
    return f"{choice.node}/{choice.id}"


def _shown(choice: Choice, state: GameState) -> bool:
    """Whether the choice appears at all: its `if` holds and, if `once`, it is not used."""
    if choice.condition is not None and not choice.condition.test(state):
        return False
    return not (choice.once and once_key(choice) in state.taken)


def _playable(choice: Choice, state: GameState) -> bool:
    return _shown(choice, state) and (choice.unless is None or not choice.unless.test(state))


def available_choices(story: Story, state: GameState) -> Sequence[Choice]:
    """The choices the player can take at the state's node, in story order."""
    node = story.nodes[state.node]
    if node.unconditional:
        return node.choices
    # `_playable` written out: two calls fewer per choice on every conditional node.
    return [
        c
        for c in node.choices
        if (c.condition is None or c.condition.test(state))
        and not (c.once and once_key(c) in state.taken)
        and (c.unless is None or not c.unless.test(state))
    ]


class ShownChoice(NamedTuple):
    """A choice as the player sees it: its text for this state, whether it can be taken
    and, when not (its `unless:` holds), the `disabled_text` saying why."""

    choice: Choice
    text: str
    enabled: bool
    reason: str


def shown_choices(story: Story, state: GameState) -> list[ShownChoice]:
    """The choices to show at the state's node, in story order: the playable ones
    (`available_choices`) and those shown greyed out while their `unless:` holds."""
    shown: list[ShownChoice] = []
    for c in story.nodes[state.node].choices:
        if not _shown(c, state):
            continue
        enabled = c.unless is None or not c.unless.test(state)
        shown.append(
            ShownChoice(c, choice_text(c, state), enabled, "" if enabled else c.disabled_text)
        )
    return shown


def choice_text(choice: Choice, state: GameState) -> str:
    """A choice's text for this state (with its `{...}` filled in)."""
    return choice.template.render(state) if choice.template is not None else choice.text


def render_text(node: Node, state: GameState) -> str:
    """A node's prose for this state: conditional pieces included when they hold, and
    `{...}` filled in."""
    if isinstance(node.text, str):
        return node.template.render(state) if node.template is not None else node.text
    parts = [
        p.template.render(state) if p.template is not None else p.text
        for p in node.text
        if p.condition is None or p.condition.test(state)
    ]
    return "\n\n".join(part.strip() for part in parts if part.strip())


def _find_choice(story: Story, state: GameState, choice_id: str) -> tuple[Node, Choice]:
    node = story.nodes[state.node]
    if node.ending is not None:
        raise RunEndedError(f'the run has ended at "{node.ending.title}"; there is no choice')
    choice = node.choice_map.get(choice_id)
    if choice is None or not _playable(choice, state):
        offered = [c.id for c in available_choices(story, state)]
        reason = "no choice with that id" if choice is None else "that choice is not available"
        if choice is not None and _shown(choice, state) and choice.disabled_text:
            reason += f" ({choice.disabled_text})"
        raise ChoiceError(node.id, choice_id, offered, reason)
    return node, choice


def _interrupt(story: Story, b: Builder, turned: list[int]) -> str | None:
    """The on_turn node for the first companion who turned, if the story routes it."""
    for i in turned:
        if b.roster[i].place != Place.GROUP:
            continue
        route = story.cast[story.cast_ids[i]].on_turn or story.on_turn
        if route is not None:
            return route
    return None


def _fast_step(
    story: Story, state: GameState, node: Node, choice: Choice
) -> tuple[GameState, list[Event]] | None:
    """The common step with nothing to apply: no effects, nobody incubating.

    Gives exactly what the general path gives for such a step, without the builder;
    the benchmarks in bench/ show it is most of the walking time.
    """
    target = choice.goto
    if target == RESUME:
        return None
    entered = story.nodes[target]
    if entered.effects or target in story.counted_visits:
        return None
    # One C-level unpack reads every field (attribute reads cost a third of this step).
    (_, turn, episode, roster, inventory, flags, counters, visited, rng, resume, _, log,
     path, visits, taken) = state  # fmt: skip
    if _BITTEN in map(status_of, roster):  # C-level scan: the walk's hottest test
        return None
    events: list[Event] = []
    if entered.episode is not None and entered.episode != episode:
        episode = entered.episode
        events.append(Event(Kind.EPISODE, str(episode), story.episode_title(episode)))
    if entered.ending is not None:
        events.append(Event(Kind.ENDING, entered.ending.id, entered.ending.title))
    if target in story.tracked_visits and target not in visited:
        visited = visited | {target}
    # tuple.__new__ skips NamedTuple's Python-level __new__: this is the hottest line.
    new_state = _new_state(
        GameState,
        (
            target,
            turn + 1,
            episode,
            roster,
            inventory,
            flags,
            counters,
            visited,
            rng,
            resume,
            (),
            log,
            (path, (node.id, choice.id)),
            visits,
            taken,
        ),
    )
    return new_state, events


def step(
    story: Story, state: GameState, choice_id: str, *, shortcut: bool = True
) -> tuple[GameState, list[Event]]:
    """Take the choice `choice_id` at the state's node; return the new state and events.

    Order within a step: the infection clock ticks (bites from earlier steps may turn),
    the choice's effects apply, then play enters the target node and its `do` effects
    apply. A companion who turns by the clock diverts play to the story's `on_turn`
    node, which can later `goto: $resume`.

    `shortcut=False` skips the fast path for plain steps (no effects, nobody bitten) and
    always builds the step in full; both give identical results (a test holds them to it).

    Raises ChoiceError for an unknown or unavailable choice, RunEndedError at an ending.
    """
    node = story.nodes[state.node]
    choice = node.choice_map.get(choice_id)
    # An unconditional node's choices are all plain: no call to the `plain` property.
    if choice is None or node.ending is not None or not (node.unconditional or choice.plain):
        node, choice = _find_choice(story, state, choice_id)
    if shortcut and not choice.effects and not choice.once:
        fast = _fast_step(story, state, node, choice)
        if fast is not None:
            return fast
    b = Builder(story, state, state.turn + 1)
    b.choice = choice.id
    if choice.once:
        b.taken = b.taken | {once_key(choice)}
    # Nobody incubating (the usual case): no clock to tick, no call.
    turned = b.tick_infection() if _BITTEN in map(status_of, state.roster) else _NOBODY
    for effect in choice.effects:
        effect.apply(b)
    target = choice.goto
    resume = state.resume
    if target == RESUME:
        target, resume = (resume or story.start), None
    route = _interrupt(story, b, turned) if turned else None
    if route is not None and not story.nodes[target].ending:
        resume, target = target, route
        b.events.append(Event(Kind.INTERRUPT, story.cast_ids[turned[0]], route))
    entered = story.nodes[target]
    b.node, b.choice = target, None
    if entered.episode is not None and entered.episode != b.episode:
        b.episode = entered.episode
        b.events.append(Event(Kind.EPISODE, str(b.episode), story.episode_title(b.episode)))
    for effect in entered.effects:
        effect.apply(b)
    if entered.ending is not None:
        b.events.append(Event(Kind.ENDING, entered.ending.id, entered.ending.title))
    return b.state(target, resume, (state.path, (node.id, choice.id))), b.events


def is_ending(story: Story, state: GameState) -> bool:
    """True when the state's node is an ending."""
    return story.nodes[state.node].ending is not None


def survivors(state: GameState) -> int:
    """How many characters are alive and with the group."""
    return sum(1 for c in state.roster if c.place == Place.GROUP and c.status in ALIVE)
