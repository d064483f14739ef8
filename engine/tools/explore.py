"""Exhaustive exploration: every distinct reachable state, with witnesses.

Owns: `Explorer` (a breadth-first search over every distinct reachable state, with a
shortest witness path to each ending and softlock) and its `ExploreResult`. Every
transition goes through `rules.step`, so the search sees exactly what a player would.
No printing, no clock, no file: it works from the compiled story; `engine.cli.explore`
runs it and `engine.report.explore` presents the results.

Two states are the same state when everything that can change what happens next is
equal: the node, the episode, each character's status, place, incubation left and hidden
bite, the inventory, flags, counters, visited nodes the story asks about, the generator,
the pending `$resume` target and who just turned. The turn number, the log and the path
are left out: they differ on every path and (unless a condition reads `turn`) never
change what is possible. The generator is part of the state because `chance` effects
depend on it; since every draw moves it by a fixed step, it only records how many draws
were made, so paths with as many draws merge. The key itself is `engine.tools.explore_key`.

Values no later condition can read are left out too (`engine.tools.relevance`): states
that differ only in them have the same futures. That is what makes the bundled story
finish; `Explorer(..., exact=True)` turns it off. A character's status and place are
such values too once nothing later reads them, so by default the final rosters at the
endings are not counted; `Explorer(..., rosters=True)` keeps every character and counts
them (the census `hyosan explore --rosters` and the tools built on outcomes use).

Other tools build on the search (`engine.tools.reach`, `engine.tools.consequences`): it
can start from any state (`start`), keep variables a question reads (`keep`), report
every transition to an `Observer`, and stop early (`run(until=...)`). The same search on
several processes is `engine.tools.explore_parallel`; both fill an
`engine.tools.explore_record.SearchRecord`, which builds the findings.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from engine.runtime.conditions import Var
from engine.runtime.events import Event
from engine.runtime.model import Choice, Story
from engine.runtime.rules import available_choices, initial_state, step
from engine.runtime.state import GameState
from engine.tools.explore_key import StateKeys, bare
from engine.tools.explore_record import SearchRecord
from engine.tools.findings import (
    EndingReport,
    ExploreResult,
    FinalRoster,
    NeverAvailable,
    Softlock,
    Steps,
)
from engine.tools.relevance import Relevance

__all__ = [
    "EndingReport",
    "ExploreResult",
    "Explorer",
    "FinalRoster",
    "NeverAvailable",
    "Observer",
    "Softlock",
    "Steps",
    "choice_positions",
]

Observer = Callable[[int, int, Choice, GameState, list[Event]], None]
"""Told of every transition kept: (from state, to state, choice, new state, events);
the new state carries no log or path."""


def choice_positions(story: Story) -> dict[int, int]:
    """Each choice object's position at its node, by `id(choice)`."""
    return {id(c): i for node in story.nodes.values() for i, c in enumerate(node.choices)}


class Explorer(SearchRecord):
    """A breadth-first search over the reachable states of `story` from `seed`.

    Call `run()` (it can be interrupted with KeyboardInterrupt and resumed), then
    `result()`. States are stored as compact int keys, with a parent pointer each, so a
    shortest witness path is rebuilt on demand.
    """

    def __init__(
        self,
        story: Story,
        seed: int = 0,
        max_states: int | None = None,
        *,
        exact: bool = False,
        start: GameState | None = None,
        keep: frozenset[Var] = frozenset(),
        observe: Observer | None = None,
        rosters: bool = False,
    ) -> None:
        """`start`: search from this state instead of the start of the story (witnesses
        are then paths from it); `keep`: variables never merged away (a question's
        reads); `observe`: called for every transition; `rosters`: keep every character
        and count the final rosters (also done with `exact`)."""
        first = initial_state(story, seed) if start is None else start
        census = rosters or exact
        super().__init__(story, seed, bare(first), merges=not exact, census=census)
        self.max_states = max_states
        relevance = Relevance(story, keep, census=census)
        self.reads_turn = relevance.reads_turn
        self.keys = StateKeys(story, relevance, self.merges)
        self._observe = observe
        self._positions = choice_positions(story)
        self._numbers: dict[int, int] = {}
        self._frontier: deque[tuple[int, GameState]] = deque()
        self._add(self.keys.key(self._start), self._start, -1, 0, 0)

    @property
    def frontier(self) -> int:
        return len(self._frontier)

    @property
    def finished(self) -> bool:
        """Every reachable state was expanded (the search is complete)."""
        return not self._frontier and self.stopped is None

    def number_of(self, state: GameState) -> int:
        """The number of `state` in the search (-1 when the search did not reach it)."""
        return self._numbers.get(self.keys.key(state), -1)

    def unexpanded(self) -> list[int]:
        """States whose choices were not all followed (when the bound stops the search)."""
        return [index for index, _state in self._frontier]

    def stop(self, reason: str) -> None:
        """Mark the search as stopped early for `reason` (e.g. "time") if work is left."""
        if self._frontier and self.stopped is None:
            self.stopped = reason

    def run(
        self,
        progress: Callable[[Explorer], None] | None = None,
        every: int = 4096,
        until: Callable[[], bool] | None = None,
    ) -> None:
        """Expand states until none is left, the bound is hit or `until()` says so (asked
        after every state); call `progress` now and then."""
        expanded = 0
        frontier = self._frontier
        while frontier and self.stopped is None and not (until and until()):
            index, state = frontier[0]
            self._expand(index, state)
            if self.stopped == "bound":
                break  # its choices were not all followed: it stays in the frontier
            frontier.popleft()
            expanded += 1
            if progress is not None and expanded % every == 0:
                progress(self)

    def has_pending(self) -> bool:
        return bool(self._frontier)

    def forget_keys(self) -> None:
        """Free the key table once the search is over (its findings and witnesses stay;
        `number_of` and `run` no longer work): a report of a big search then needs
        hundreds of MB less."""
        self._numbers = {}
        self.keys = StateKeys(self.story, self.keys.relevance, self.merges)

    def _add(self, key: int, state: GameState, parent: int, choice: int, depth: int) -> int:
        """Number a new state; -1 when the bound stops it."""
        index = len(self._parent)
        if self.max_states is not None and index >= self.max_states:
            self.stopped = "bound"
            return -1
        self._parent.append(parent)
        self._depth.append(depth)
        self._choice.append(choice)
        self._node.append(self.keys.node_index[state.node])
        self._outcome.append(0)
        self._numbers[key] = index
        self._frontier.append((index, state))
        return index

    def _expand(self, index: int, state: GameState) -> None:
        story = self.story
        node = story.nodes[state.node]
        self._expanded_nodes.add(node.id)
        if node.ending is not None:
            self.record_ending(index, state, node)
            return
        choices = available_choices(story, state)
        if not choices:
            self.record_stuck(index, node.id)
            return
        depth = self._depth[index] + 1
        numbers, key_of, taken, observe = self._numbers, self.keys.key, self._taken, self._observe
        edge_from, edge_to = self._edge_from, self._edge_to
        for choice in choices:
            taken.add((node.id, choice.id))
            new_state, events = step(story, state, choice.id)
            self.transitions += 1
            key = key_of(new_state)
            child = numbers.get(key, -1)
            if child < 0:
                new_state = self.keys.compact(new_state)
                child = self._add(key, new_state, index, self._positions[id(choice)], depth)
                if child < 0:
                    continue
            edge_from.append(index)
            edge_to.append(child)
            if observe is not None:
                observe(index, child, choice, bare(new_state), events)
