"""THE state machine: which choices are available, and what taking one does.

Owns: `available_choices`, `step`, the infection clock and the rules every effect obeys
(the dead stay dead, counts never go negative, every applied effect is logged with its
cause). Pure and deterministic: the same story, state and choice always give the same
new state and events; randomness comes only from the generator carried in the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from engine.runtime.model import ALIVE, RESUME, Choice, Node, Story
from engine.runtime.state import GameState, LogEntry, Trail, mulberry32_next

__all__ = [
    "ChoiceError",
    "Event",
    "RunEndedError",
    "available_choices",
    "is_ending",
    "render_text",
    "step",
    "survivors",
]


_new_state = tuple.__new__


class Event(NamedTuple):
    """Something that happened during a step, for the UI and the tools.

    kind: effect, bitten, turned, died, interrupt, episode, ending.
    """

    kind: str
    subject: str
    detail: str


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


def available_choices(story: Story, state: GameState) -> Sequence[Choice]:
    """The choices offered at the state's node, in story order."""
    node = story.nodes[state.node]
    if node.unconditional:
        return node.choices
    return [c for c in node.choices if c.condition is None or c.condition.test(state)]


def render_text(node: Node, state: GameState) -> str:
    """A node's prose for this state: conditional pieces included when they hold."""
    if isinstance(node.text, str):
        return node.text
    parts = [p.text for p in node.text if p.condition is None or p.condition.test(state)]
    return "\n\n".join(part.strip() for part in parts if part.strip())


class _Builder:
    """The step under construction: mutable copies, dropped once the new state is built.

    It exposes the same attribute names as GameState, so compiled conditions (`when`
    effects) read it as they read a state.
    """

    __slots__ = (
        "choice",
        "counters",
        "episode",
        "events",
        "flags",
        "inventory",
        "just_turned",
        "log",
        "node",
        "rng",
        "roster",
        "story",
        "turn",
        "turned_before",
        "visited",
    )

    def __init__(self, story: Story, state: GameState) -> None:
        self.story = story
        self.turn = state.turn + 1
        self.episode = state.episode
        self.roster = list(state.roster)
        self.inventory = list(state.inventory)
        self.flags = set(state.flags)
        self.counters = list(state.counters)
        self.visited = state.visited
        self.rng = state.rng
        self.just_turned: tuple[int, ...] = ()
        self.turned_before = state.just_turned
        self.log: Trail = state.log
        self.events: list[Event] = []
        self.node = state.node
        self.choice: str | None = None

    def record(self, kind: str, subject: str, detail: str) -> None:
        self.log = (self.log, LogEntry(self.turn, self.node, self.choice, kind, subject, detail))
        self.events.append(
            Event(kind if kind in ("bitten", "turned", "died") else "effect", subject, detail)
        )

    def ignore(self, kind: str, who: str, why: str) -> None:
        self.log = (
            self.log,
            LogEntry(self.turn, self.node, self.choice, "ignored", who, f"{kind} ignored: {why}"),
        )

    # --- items, flags, counters ---
    def give(self, index: int, count: int) -> None:
        self.inventory[index] += count
        self.record("give", self.story.item_ids[index], f"+{count} (now {self.inventory[index]})")

    def take(self, index: int, count: int) -> None:
        taken = min(count, self.inventory[index])
        self.inventory[index] -= taken
        self.record("take", self.story.item_ids[index], f"-{taken} (now {self.inventory[index]})")

    def set_flag(self, name: str, value: bool) -> None:
        if value:
            self.flags.add(name)
        else:
            self.flags.discard(name)
        self.record("set" if value else "clear", name, "true" if value else "false")

    def add(self, index: int, delta: int) -> None:
        counter = self.story.counters[self.story.counter_ids[index]]
        value = self.counters[index] + delta
        if counter.min is not None:
            value = max(counter.min, value)
        if counter.max is not None:
            value = min(counter.max, value)
        self.counters[index] = value
        self.record("add", counter.id, f"{delta:+d} (now {value})")

    def draw(self) -> float:
        self.rng, value = mulberry32_next(self.rng)
        return value

    # --- characters ---
    def targets(self, who: int) -> tuple[int, ...]:
        """`$turned` (-1) means whoever turned on this step or the step before: the
        interrupt node's own `do:` runs on the step they turned, its choices on the next."""
        if who != -1:
            return (who,)
        return tuple(dict.fromkeys(self.turned_before + self.just_turned))

    def bite(self, who: int, turns: int | None, hidden: bool) -> None:
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.status != "healthy":
                self.ignore("bite", cid, f"{cid} is {char.status}")
                continue
            cast = self.story.cast[cid]
            left = turns or cast.incubation or self.story.incubation
            self.roster[i] = char._replace(
                status="bitten", since=self.turn, turns_left=left, hidden=hidden
            )
            self.record("bitten", cid, f"turns in {left}" + (" (hidden)" if hidden else ""))

    def reveal(self, who: int) -> None:
        for i in self.targets(who):
            char = self.roster[i]
            if char.hidden:
                self.roster[i] = char._replace(hidden=False)
                self.record("reveal", self.story.cast_ids[i], "the bite is known")

    def turn_now(self, i: int, scripted: bool) -> None:
        char, cid = self.roster[i], self.story.cast_ids[i]
        if char.status not in ("healthy", "bitten"):
            self.ignore("turn", cid, f"{cid} is {char.status}")
            return
        status = "hombie" if self.story.cast[cid].carrier else "zombie"
        self.roster[i] = char._replace(status=status, since=self.turn, turns_left=0, hidden=False)
        self.record("turned", cid, status + ("" if scripted else " (incubation ran out)"))
        self.just_turned = (*self.just_turned, i)

    def turn_effect(self, who: int) -> None:
        for i in self.targets(who):
            self.turn_now(i, scripted=True)

    def kill(self, who: int) -> None:
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.status == "dead":
                self.ignore("kill", cid, f"{cid} is already dead")
                continue
            self.roster[i] = char._replace(status="dead", since=self.turn, turns_left=0)
            self.record("died", cid, f"was {char.status}")

    def move(self, who: int, place: str) -> None:
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.place == place:
                continue
            if char.status == "dead":
                self.ignore("move", cid, f"{cid} is dead")
                continue
            self.roster[i] = char._replace(place=place)
            self.record("move", cid, place)

    def tick_infection(self) -> list[int]:
        """Advance every bitten character's clock; return those who turned now."""
        turned: list[int] = []
        if not self.roster:
            return turned
        for i, char in enumerate(self.roster):
            if char.status == "bitten":
                if char.turns_left <= 1:
                    self.turn_now(i, scripted=False)
                    turned.append(i)
                else:
                    self.roster[i] = char._replace(turns_left=char.turns_left - 1)
        return turned


def apply_start_effects(story: Story, state: GameState) -> GameState:
    """The state after the start node's own `do:` effects (logged at turn 0)."""
    node = story.nodes[state.node]
    if not node.effects:
        return state
    b = _Builder(story, state)
    b.turn, b.node, b.choice = state.turn, node.id, None
    for effect in node.effects:
        effect.apply(b)
    return state._replace(
        roster=tuple(b.roster),
        inventory=tuple(b.inventory),
        flags=frozenset(b.flags),
        counters=tuple(b.counters),
        rng=b.rng,
        just_turned=b.just_turned,
        log=b.log,
    )


def _find_choice(story: Story, state: GameState, choice_id: str) -> tuple[Node, Choice]:
    node = story.nodes[state.node]
    if node.ending is not None:
        raise RunEndedError(f'the run has ended at "{node.ending.title}"; there is no choice')
    choice = node.choice_map.get(choice_id)
    if choice is None or (choice.condition is not None and not choice.condition.test(state)):
        offered = [c.id for c in available_choices(story, state)]
        reason = "no choice with that id" if choice is None else "that choice is not available"
        raise ChoiceError(node.id, choice_id, offered, reason)
    return node, choice


def _interrupt(story: Story, b: _Builder, turned: list[int]) -> str | None:
    """The on_turn node for the first companion who turned, if the story routes it."""
    for i in turned:
        if b.roster[i].place != "group":
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
    if entered.effects or (state.roster and any(c.status == "bitten" for c in state.roster)):
        return None
    events: list[Event] = []
    episode = state.episode
    if entered.episode is not None and entered.episode != episode:
        episode = entered.episode
        events.append(Event("episode", str(episode), story.episode_title(episode)))
    if entered.ending is not None:
        events.append(Event("ending", entered.ending.id, entered.ending.title))
    visited = state.visited
    if target in story.tracked_visits and target not in visited:
        visited = visited | {target}
    # tuple.__new__ skips NamedTuple's Python-level __new__: this is the hottest line.
    new_state = _new_state(
        GameState,
        (
            target,
            state.turn + 1,
            episode,
            state.roster,
            state.inventory,
            state.flags,
            state.counters,
            visited,
            state.rng,
            state.resume,
            (),
            state.log,
            (state.path, (node.id, choice.id)),
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
    if choice is None or node.ending is not None or choice.condition is not None:
        node, choice = _find_choice(story, state, choice_id)
    if shortcut and not choice.effects:
        fast = _fast_step(story, state, node, choice)
        if fast is not None:
            return fast
    b = _Builder(story, state)
    b.choice = choice.id
    turned = b.tick_infection()
    for effect in choice.effects:
        effect.apply(b)
    target = choice.goto
    resume = state.resume
    if target == RESUME:
        target, resume = (resume or story.start), None
    route = _interrupt(story, b, turned)
    if route is not None and not story.nodes[target].ending:
        resume, target = target, route
        b.events.append(Event("interrupt", story.cast_ids[turned[0]], route))
    entered = story.nodes[target]
    b.node, b.choice = target, None
    if entered.episode is not None and entered.episode != b.episode:
        b.episode = entered.episode
        b.events.append(Event("episode", str(b.episode), story.episode_title(b.episode)))
    for effect in entered.effects:
        effect.apply(b)
    if entered.ending is not None:
        b.events.append(Event("ending", entered.ending.id, entered.ending.title))
    visited = b.visited
    if target in story.tracked_visits and target not in visited:
        visited = visited | {target}
    new_state = GameState(
        node=target,
        turn=b.turn,
        episode=b.episode,
        roster=tuple(b.roster),
        inventory=tuple(b.inventory),
        flags=frozenset(b.flags),
        counters=tuple(b.counters),
        visited=visited,
        rng=b.rng,
        resume=resume,
        just_turned=b.just_turned,
        log=b.log,
        path=(state.path, (node.id, choice.id)),
    )
    return new_state, b.events


def is_ending(story: Story, state: GameState) -> bool:
    """True when the state's node is an ending."""
    return story.nodes[state.node].ending is not None


def survivors(state: GameState) -> int:
    """How many characters are alive and with the group."""
    return sum(1 for c in state.roster if c.place == "group" and c.status in ALIVE)
