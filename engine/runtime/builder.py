"""The step under construction: where effects apply and the infection clock ticks.

Owns: `Builder`, the mutable copy of a state that one step works on (dropped once the new
state is built), and the rules every effect obeys: the dead stay dead, a bite only takes
the healthy, counts never go negative, counters stay within their bounds, and every
applied effect is logged with its cause (the turn, node and choice). It has the same
attribute names as `GameState`, so `when` conditions read it as they read a state.
"""

from __future__ import annotations

from engine.runtime.events import Event, Kind, LogEntry
from engine.runtime.model import Story
from engine.runtime.state import (
    CharState,
    GameState,
    Trail,
    count_visit,
    mulberry32_next,
    status_of,
)
from engine.runtime.world import TURNED_TARGET, Status

_new = tuple.__new__

__all__ = ["Builder"]


class Builder:
    """A `StepBuilder` (see `engine.runtime.effects`) over a copy of `state`."""

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
        "taken",
        "turn",
        "turned_before",
        "visited",
        "visits",
    )

    def __init__(self, story: Story, state: GameState, turn: int) -> None:
        # One C-level unpack reads every field of the state (GameState's order).
        (node, _, episode, roster, inventory, flags, counters, visited, rng, _, turned_before,
         log, _, visits, taken) = state  # fmt: skip
        self.story = story
        self.turn = turn
        self.episode: int = episode
        self.roster: list[CharState] = list(roster)
        self.inventory: list[int] = list(inventory)
        self.flags: set[str] = set(flags)
        self.counters: list[int] = list(counters)
        self.visited: frozenset[str] = visited
        self.visits: tuple[tuple[str, int], ...] = visits
        self.taken: frozenset[str] = taken
        self.rng: int = rng
        self.just_turned: tuple[int, ...] = ()
        self.turned_before: tuple[int, ...] = turned_before
        self.log: Trail = log
        self.events: list[Event] = []
        self.node: str = node
        self.choice: str | None = None

    def record(self, kind: Kind, subject: str, detail: str) -> None:
        # tuple.__new__ makes the NamedTuples without their Python-level __new__: every
        # applied effect passes here.
        entry = _new(LogEntry, (self.turn, self.node, self.choice, kind, subject, detail))
        self.log = (self.log, entry)
        self.events.append(_new(Event, (kind, subject, detail)))

    def ignore(self, kind: str, who: str, why: str) -> None:
        entry = LogEntry(
            self.turn, self.node, self.choice, Kind.IGNORED, who, f"{kind} ignored: {why}"
        )
        self.log = (self.log, entry)

    # --- items, flags, counters ---
    def give(self, item: int, count: int) -> None:
        self.inventory[item] += count
        self.record(Kind.GIVE, self.story.item_ids[item], f"+{count} (now {self.inventory[item]})")

    def take(self, item: int, count: int) -> None:
        taken = min(count, self.inventory[item])
        self.inventory[item] -= taken
        self.record(Kind.TAKE, self.story.item_ids[item], f"-{taken} (now {self.inventory[item]})")

    def set_flag(self, name: str, value: bool) -> None:
        if value:
            self.flags.add(name)
        else:
            self.flags.discard(name)
        self.record(Kind.SET if value else Kind.CLEAR, name, "true" if value else "false")

    def add(self, counter: int, delta: int) -> None:
        spec = self.story.counters[self.story.counter_ids[counter]]
        value = self.counters[counter] + delta
        if spec.min is not None:
            value = max(spec.min, value)
        if spec.max is not None:
            value = min(spec.max, value)
        self.counters[counter] = value
        self.record(Kind.ADD, spec.id, f"{delta:+d} (now {value})")

    def set_counter(self, counter: int, value: int) -> None:
        spec = self.story.counters[self.story.counter_ids[counter]]
        if spec.min is not None:
            value = max(spec.min, value)
        if spec.max is not None:
            value = min(spec.max, value)
        self.counters[counter] = value
        self.record(Kind.SET_COUNTER, spec.id, f"= {value}")

    def draw(self) -> float:
        self.rng, value = mulberry32_next(self.rng)
        return value

    # --- characters ---
    def targets(self, who: int) -> tuple[int, ...]:
        """`$turned` means whoever turned on this step or the step before: the interrupt
        node's own `do:` runs on the step they turned, its choices on the next."""
        if who != TURNED_TARGET:
            return (who,)
        return tuple(dict.fromkeys(self.turned_before + self.just_turned))

    def bite(self, who: int, turns: int | None, hidden: bool) -> None:
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.status != Status.HEALTHY:
                self.ignore("bite", cid, f"{cid} is {char.status}")
                continue
            left = turns or self.story.cast[cid].incubation or self.story.incubation
            self.roster[i] = char._replace(status=Status.BITTEN, turns_left=left, hidden=hidden)
            self.record(Kind.BITTEN, cid, f"turns in {left}" + (" (hidden)" if hidden else ""))

    def reveal(self, who: int) -> None:
        for i in self.targets(who):
            char = self.roster[i]
            if char.hidden:
                self.roster[i] = char._replace(hidden=False)
                self.record(Kind.REVEAL, self.story.cast_ids[i], "the bite is known")

    def _turn_one(self, i: int, scripted: bool) -> None:
        char, cid = self.roster[i], self.story.cast_ids[i]
        if char.status not in (Status.HEALTHY, Status.BITTEN):
            self.ignore("turn", cid, f"{cid} is {char.status}")
            return
        status = Status.HOMBIE if self.story.cast[cid].carrier else Status.ZOMBIE
        self.roster[i] = char._replace(status=status, turns_left=0, hidden=False)
        self.record(Kind.TURNED, cid, status + ("" if scripted else " (incubation ran out)"))
        self.just_turned = (*self.just_turned, i)

    def turn_now(self, who: int) -> None:
        for i in self.targets(who):
            self._turn_one(i, scripted=True)

    def kill(self, who: int) -> None:
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.status == Status.DEAD:
                self.ignore("kill", cid, f"{cid} is already dead")
                continue
            self.roster[i] = char._replace(status=Status.DEAD, turns_left=0)
            self.record(Kind.DIED, cid, f"was {char.status}")

    def cure(self, who: int) -> None:
        """A bitten character is healthy again: the incubation stops, a hidden bite too."""
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.status != Status.BITTEN:
                self.ignore("cure", cid, f"{cid} is {char.status}, not bitten")
                continue
            self.roster[i] = char._replace(status=Status.HEALTHY, turns_left=0, hidden=False)
            self.record(
                Kind.CURED, cid, "healthy" + (" (the bite was hidden)" if char.hidden else "")
            )

    def move(self, who: int, place: str) -> None:
        for i in self.targets(who):
            char, cid = self.roster[i], self.story.cast_ids[i]
            if char.place == place:
                continue
            if char.status == Status.DEAD:
                self.ignore("move", cid, f"{cid} is dead")
                continue
            self.roster[i] = char._replace(place=place)
            self.record(Kind.MOVE, cid, place)

    def tick_infection(self) -> list[int]:
        """Advance every bitten character's clock; return those who turned now."""
        turned: list[int] = []
        if Status.BITTEN not in map(status_of, self.roster):  # nobody incubating: the usual case
            return turned
        for i, char in enumerate(self.roster):
            if char.status == Status.BITTEN:
                if char.turns_left <= 1:
                    self._turn_one(i, scripted=False)
                    turned.append(i)
                else:
                    self.roster[i] = char._replace(turns_left=char.turns_left - 1)
        return turned

    def state(self, node: str, resume: str | None, path: Trail) -> GameState:
        """The new state this step has built, at `node`."""
        visited = self.visited
        if node in self.story.tracked_visits and node not in visited:
            visited = visited | {node}
        visits = self.visits
        if node in self.story.counted_visits:
            visits = count_visit(visits, node)
        return _new(  # GameState's fields in order (see `record`)
            GameState,
            (
                node,
                self.turn,
                self.episode,
                tuple(self.roster),
                tuple(self.inventory),
                frozenset(self.flags),
                tuple(self.counters),
                visited,
                self.rng,
                resume,
                self.just_turned,
                self.log,
                path,
                visits,
                self.taken,
            ),
        )
