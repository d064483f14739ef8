"""The shortest way to a state where a condition holds, or a proof that there is none.

Owns: `reach` and its `ReachResult`. The search is the explorer's breadth-first search
(`engine.tools.explore.Explorer`), started at the story's start or at any state, with
the condition's reads kept in every state (so merging states never hides an answer),
and stopped as soon as it is answered. Breadth-first means the first state found is a
shortest path. With `all_endings`, it looks for one state per ending where the
condition holds (a shortest path to each), and stops when every ending has one.

"No path" is only said when the search is complete: every reachable state was seen.
No printing, no files: `engine.cli.reach` writes the witnesses and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.runtime.conditions import Condition
from engine.runtime.events import Event
from engine.runtime.model import Choice, Story
from engine.runtime.rules import initial_state
from engine.runtime.state import GameState
from engine.tools.explore import Explorer, Steps

__all__ = ["ReachResult", "Witness", "reach"]


@dataclass(frozen=True)
class Witness:
    """A shortest path from the search's start to a state where the condition holds;
    `ending` is the ending id of that state (None when it is not at an ending)."""

    steps: Steps
    node: str
    ending: str | None


@dataclass
class ReachResult:
    """What the search found. `complete`: every reachable state was seen, so a missing
    answer is a proof. `endings_left`: with all_endings, the endings with no witness."""

    condition: str
    states: int
    complete: bool
    witnesses: list[Witness] = field(default_factory=list)
    endings_left: list[str] = field(default_factory=list)
    all_endings: bool = False

    @property
    def found(self) -> bool:
        return bool(self.witnesses)


class _Watch:
    """Tests every new state the search adds; remembers the first hits."""

    def __init__(self, story: Story, condition: Condition, all_endings: bool) -> None:
        self.story = story
        self.test = condition.test
        self.all_endings = all_endings
        wanted = [n.ending.id for n in story.endings() if n.ending is not None]
        self.left = list(dict.fromkeys(wanted)) if all_endings else []
        self.hits: list[tuple[int, str, str | None]] = []  # (state, node, ending)
        self.seen = 1

    def done(self) -> bool:
        return not self.left if self.all_endings else bool(self.hits)

    def check(self, index: int, state: GameState) -> None:
        ending = self.story.nodes[state.node].ending
        if self.all_endings:
            if ending is None or ending.id not in self.left or not self.test(state):
                return
            self.left.remove(ending.id)
        elif self.hits or not self.test(state):
            return
        self.hits.append((index, state.node, ending.id if ending else None))

    def observe(
        self, parent: int, child: int, choice: Choice, state: GameState, events: list[Event]
    ) -> None:
        if child == self.seen:  # a new state (states are numbered as they are found)
            self.seen += 1
            self.check(child, state)


def reach(
    story: Story,
    condition: Condition,
    *,
    seed: int = 0,
    max_states: int | None = None,
    start: GameState | None = None,
    all_endings: bool = False,
    progress: Callable[[Explorer], None] | None = None,
) -> ReachResult:
    """Search from `start` (default: the story's start) for states where `condition`
    holds. `condition` is tested on states (a `GameState`); its `reads` are kept."""
    first = start if start is not None else initial_state(story, seed)
    watch = _Watch(story, condition, all_endings)
    explorer = Explorer(
        story, seed, max_states, start=first, keep=condition.reads, observe=watch.observe
    )
    watch.check(0, first)
    if not watch.done():
        explorer.run(progress, until=watch.done)
    witnesses = [
        Witness(explorer.witness(index), node, ending) for index, node, ending in watch.hits
    ]
    return ReachResult(
        condition=condition.source,
        states=explorer.states,
        complete=explorer.finished,
        witnesses=witnesses,
        endings_left=watch.left,
        all_endings=all_endings,
    )
