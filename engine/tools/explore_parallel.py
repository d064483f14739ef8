"""The exploration on several processes: the same search, partitioned by state.

Owns: `explore_parallel`, a level-synchronous breadth-first search whose states are
split between worker processes by a hash of (node, roster as the key keeps it), two
parts of every state's key, so two equal states always meet at the same worker. Its
findings are identical to the single-process `Explorer`'s, numbers included:

1. every worker steps the states of the current level it owns and sends each new
   state, tagged (parent number, choice position), to the worker that owns it;
2. every worker keys what it receives: a state seen before gives an edge, a new one
   waits with the smallest tag that reached it;
3. this process sorts all waiting tags: that is exactly the order in which the
   single-process search numbers them, so each gets the same number (and a
   `--max-states` bound cuts the level at the same state);
4. the workers keep the new states as the next level and report what they saw
   (endings, softlocks, choices taken, edges) for this process's `SearchRecord`.

Workers are forked, so the loaded story is shared, not copied or pickled; where fork is
not available the caller uses the single-process search. Only states cross between
processes, pickled in one batch per worker and level. How this maps onto a cluster
engine is written down in docs/decisions.md.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
from array import array
from bisect import bisect_left
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, step, survivors
from engine.runtime.state import GameState
from engine.tools.explore import choice_positions
from engine.tools.explore_key import StateKeys, bare
from engine.tools.explore_record import SearchRecord, final_roster_key
from engine.tools.relevance import Relevance

__all__ = ["ParallelSearch", "can_fork", "explore_parallel"]

_SHIFT = 32  # a tag is parent number << _SHIFT | choice position (fits an int64)
_Child = tuple[int, GameState]
_CHUNK = 2048  # children pickled together


def can_fork() -> bool:
    """Whether worker processes can be forked here (they share the loaded story)."""
    return "fork" in multiprocessing.get_all_start_methods()


def owner(keys: StateKeys, state: GameState, jobs: int) -> int:
    """The worker that keys `state`: the same for every state with the same key."""
    return hash((state.node, keys.kept_roster(state)[1])) % jobs


class _Worker:
    """One partition of the search, in a worker process."""

    def __init__(self, story: Story, merges: bool, census: bool, me: int, jobs: int) -> None:
        self.story, self.me, self.jobs = story, me, jobs
        self.keys = StateKeys(story, Relevance(story, census=census), merges)
        self.positions = choice_positions(story)
        self.numbers: dict[int, int] = {}
        self.frontier: list[tuple[int, GameState]] = []
        self.taken: set[tuple[str, str]] = set()
        self.expanded: set[str] = set()
        self._level: dict[str, Any] = {}
        self._waiting: dict[int, list[Any]] = {}  # key -> [smallest tag, state]
        self._to_waiting: list[tuple[int, int]] = []  # (parent, key) edges to new states
        self._edges: list[tuple[int, int]] = []
        self._ordered: list[list[Any]] = []

    def expand(self) -> list[list[bytes]]:
        """Step every state of this level. Children this worker owns are keyed at once;
        the others are pickled in chunks per worker, so few full states live at once."""
        story, positions, jobs, me = self.story, self.positions, self.jobs, self.me
        out: list[list[_Child]] = [[] for _ in range(jobs)]
        sent: list[list[bytes]] = [[] for _ in range(jobs)]
        ends, stuck, steps = [], [], array("q")
        taken: dict[tuple[str, str], int] = {}
        expanded: dict[str, int] = {}
        for index, state in self.frontier:
            node = story.nodes[state.node]
            if node.id not in self.expanded:
                expanded.setdefault(node.id, index)
            if node.ending is not None:
                ends.append((index, node.ending.id, final_roster_key(state), survivors(state)))
                continue
            choices = available_choices(story, state)
            if not choices:
                stuck.append((index, node.id))
                continue
            steps.extend((index, len(choices)))
            for choice in choices:
                if (node.id, choice.id) not in self.taken:
                    taken.setdefault((node.id, choice.id), index)
                child = step(story, state, choice.id)[0]
                tag = index << _SHIFT | positions[id(choice)]
                to = owner(self.keys, child, jobs) if jobs > 1 else 0
                if to == me:
                    self._receive(tag, child)
                    continue
                out[to].append((tag, bare(child)))
                if len(out[to]) >= _CHUNK:
                    sent[to].append(pickle.dumps(out[to], pickle.HIGHEST_PROTOCOL))
                    out[to] = []
        self._level = {"ends": ends, "stuck": stuck, "steps": steps}
        self._level.update(taken=taken, expanded=expanded)
        for to, batch in enumerate(out):
            if batch:
                sent[to].append(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        return sent

    def _receive(self, tag: int, child: GameState) -> None:
        key = self.keys.key(child)
        number = self.numbers.get(key, -1)
        if number >= 0:
            self._edges.append((tag >> _SHIFT, number))
            return
        self._to_waiting.append((tag >> _SHIFT, key))
        entry = self._waiting.get(key)
        if entry is None:
            self._waiting[key] = [tag, self.keys.compact(child), key]
        elif tag < entry[0]:
            entry[0], entry[1] = tag, self.keys.compact(child)

    def absorb(self, chunks: list[list[bytes]]) -> tuple[array[int], array[int]]:
        """Key the children other workers sent here; the tags and nodes of the states
        new in this level, by tag."""
        receive = self._receive
        for sender in chunks:
            while sender:
                for tag, child in pickle.loads(sender.pop(0)):
                    receive(tag, child)
        ordered = sorted(self._waiting.values(), key=lambda entry: int(entry[0]))
        self._ordered = ordered
        node_index = self.keys.node_index
        return array("q", (e[0] for e in ordered)), array(
            "i", (node_index[e[1].node] for e in ordered)
        )

    def finish(self, numbers: array[int], cut: int) -> dict[str, Any]:
        """Number the new states (-1: beyond the bound); keep what parents up to `cut`
        found (all of them when `cut` is -1); the next level's states."""
        keep = (lambda parent: True) if cut < 0 else (lambda parent: parent <= cut)
        number_of = self.numbers
        frontier = []
        for (_tag, state, key), number in zip(self._ordered, numbers, strict=True):
            if number >= 0:
                number_of[key] = number
                frontier.append((number, state))
        edges = [(p, c) for p, c in self._edges if keep(p)]
        for parent, key in self._to_waiting:
            child = number_of.get(key, -1)
            if child >= 0 and keep(parent):
                edges.append((parent, child))
        level = self._level
        steps = level["steps"]
        found = {
            "ends": [e for e in level["ends"] if keep(e[0])],
            "stuck": [s for s in level["stuck"] if keep(s[0])],
            "taken": [t for t, parent in level["taken"].items() if keep(parent)],
            "expanded": [n for n, index in level["expanded"].items() if keep(index)],
            "transitions": sum(steps[i + 1] for i in range(0, len(steps), 2) if keep(steps[i])),
            "edges": array("i", (x for edge in edges for x in edge)),
        }
        self.taken.update(found["taken"])
        self.expanded.update(found["expanded"])
        self.frontier = sorted(frontier, key=lambda item: item[0])
        self._waiting, self._to_waiting, self._edges, self._ordered = {}, [], [], []
        return found


def _serve(conn: Connection, story: Story, merges: bool, census: bool, me: int, jobs: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    worker = _Worker(story, merges, census, me, jobs)
    while True:
        command, payload = conn.recv()
        if command == "stop":
            return
        if command == "start":
            worker.frontier = [(0, payload)]
            conn.send(None)
        else:
            conn.send(getattr(worker, command)(*payload))


class ParallelSearch(SearchRecord):
    """The record a parallel search fills (see `SearchRecord`); `frontier` is the
    number of states of the level to expand next."""

    max_states: int | None = None
    frontier: int = 0


def explore_parallel(
    story: Story,
    seed: int = 0,
    max_states: int | None = None,
    *,
    exact: bool = False,
    rosters: bool = False,
    jobs: int = 2,
    progress: Callable[[ParallelSearch], None] | None = None,
    until: Callable[[], bool] | None = None,
) -> ParallelSearch:
    """Search every reachable state of `story` on `jobs` forked processes; `until()`
    is asked between levels (the search then stops with "interrupted" pending);
    `rosters` counts the final rosters, as `Explorer(..., rosters=True)`."""
    start = bare(initial_state(story, seed))
    census = rosters or exact
    search = ParallelSearch(story, seed, start, merges=not exact, census=census)
    search.max_states = max_states
    relevance = Relevance(story, census=census)
    search.reads_turn = relevance.reads_turn
    node_index = {node: i for i, node in enumerate(story.nodes)}
    search._parent.append(-1)
    search._depth.append(0)
    search._choice.append(0)
    search._node.append(node_index[start.node])
    search._outcome.append(0)
    context = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for me in range(jobs):
        ours, theirs = context.Pipe()
        proc = context.Process(target=_serve, args=(theirs, story, not exact, census, me, jobs))
        proc.daemon = True
        proc.start()
        pipes.append(ours)
        procs.append(proc)
    try:
        first = owner(StateKeys(story, relevance, not exact), start, jobs)
        pipes[first].send(("start", start))
        pipes[first].recv()
        _levels(search, pipes, until, progress)
    finally:
        for conn in pipes:
            conn.send(("stop", None))
        for proc in procs:
            proc.join()
    return search


def _ask(pipes: list[Connection], command: str, payloads: list[tuple[Any, ...]]) -> list[Any]:
    for conn, payload in zip(pipes, payloads, strict=True):
        conn.send((command, payload))
    return [conn.recv() for conn in pipes]


def _levels(
    search: ParallelSearch,
    pipes: list[Connection],
    until: Callable[[], bool] | None,
    progress: Callable[[ParallelSearch], None] | None,
) -> None:
    jobs, level = len(pipes), [0]
    while level:
        if until is not None and until():
            search.stopped, search.pending = "interrupted", True
            return
        outs = _ask(pipes, "expand", [()] * jobs)
        answers = _ask(pipes, "absorb", [([out[me] for out in outs],) for me in range(jobs)])
        tags = sorted(tag for tagged, _nodes in answers for tag in tagged)
        base = search.states
        cut = -1
        if search.max_states is not None and base + len(tags) > search.max_states:
            limit = search.max_states - base
            cut = tags[limit] >> _SHIFT
            tags = tags[:limit]
        numbering = [_numbers(tags, tagged, base) for tagged, _nodes in answers]
        found = _ask(pipes, "finish", [(n, cut) for n in numbering])
        _record_level(search, tags, answers, numbering, found)
        level = tags
        search.frontier = len(tags)
        if cut >= 0:
            search.stopped, search.pending = "bound", True
            return
        if progress is not None:
            progress(search)


def _numbers(tags: list[int], tagged: array[int], base: int) -> array[int]:
    """The number of each of a worker's new states: `base` + its rank among all the
    level's new states, or -1 when the bound left it out."""
    out = array("q")
    for tag in tagged:
        rank = bisect_left(tags, tag)
        out.append(base + rank if rank < len(tags) and tags[rank] == tag else -1)
    return out


def _record_level(
    search: ParallelSearch,
    tags: list[int],
    answers: list[tuple[array[int], array[int]]],
    numbering: list[array[int]],
    found: list[dict[str, Any]],
) -> None:
    node_of = {}
    for (_tagged, nodes), numbers in zip(answers, numbering, strict=True):
        for number, node in zip(numbers, nodes, strict=True):
            if number >= 0:
                node_of[number] = node
    depth, low = search._depth, (1 << _SHIFT) - 1
    for tag in tags:
        parent = tag >> _SHIFT
        search._node.append(node_of[len(search._parent)])
        search._parent.append(parent)
        search._depth.append(depth[parent] + 1)
        search._choice.append(tag & low)
        search._outcome.append(0)
    ends = sorted((e for f in found for e in f["ends"]), key=lambda e: int(e[0]))
    for index, ending, roster, alive in ends:
        search.record_final(index, ending, roster, alive)
    for index, node in sorted((s for f in found for s in f["stuck"]), key=lambda s: int(s[0])):
        search.record_stuck(index, node)
    for f in found:
        search._taken.update(f["taken"])
        search._expanded_nodes.update(f["expanded"])
        search.transitions += f["transitions"]
        edges = f["edges"]
        search._edge_from.extend(edges[0::2])
        search._edge_to.extend(edges[1::2])
