"""What a hover shows: an id's declaration and uses, or a choice's condition, effects
and the endings and final rosters still possible after it.

Owns: `Reaches`, which computes every choice's reach once per story version (one
bounded exploration, `engine.tools.explore`, then `engine.tools.alternatives.judge` over
its state graph) on a worker thread of its own, so that the server keeps answering
while it runs; an exploration for an older version still running is stopped. And the
markdown of the two hovers (a choice's says "computing" until its reach is known).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, NamedTuple

import yaml

from engine.lsp.index import ChoiceSite, Index, Occurrence
from engine.runtime.model import Story
from engine.tools.alternatives import Reach, judge
from engine.tools.explore import Explorer
from engine.tools.outcomes import OutcomeWalk, StateGraph

__all__ = [
    "DEFAULT_MAX_STATES",
    "Explored",
    "Reaches",
    "choice_hover",
    "id_hover",
    "needs_reach",
]

DEFAULT_MAX_STATES = 20_000
"""How many states a hover's exploration may visit (a few seconds on a large story)."""


class Explored(NamedTuple):
    """Every choice's reach in one version of a story, and how far the search went."""

    reach: dict[tuple[str, str], Reach]
    states: int
    complete: bool


class Reaches:
    """Every choice's reach in a story, computed once per story version (fingerprint)
    on a worker thread."""

    def __init__(self, max_states: int = DEFAULT_MAX_STATES) -> None:
        self.max_states = max_states
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._future: Future[Explored] | None = None
        self._stop: threading.Event | None = None

    def start(self, story: Story) -> Future[Explored]:
        """The reach of this version of `story`: done, running, or started now on a new
        worker thread (which first stops the one of an older version)."""
        with self._lock:
            if self._future is not None and self._fingerprint == story.fingerprint:
                return self._future
            if self._stop is not None:
                self._stop.set()
            future: Future[Explored] = Future()
            stop = threading.Event()
            self._fingerprint, self._future, self._stop = story.fingerprint, future, stop
        worker = threading.Thread(
            target=self._work, args=(story, stop, future), name="hyosan-reach", daemon=True
        )
        worker.start()
        return future

    def _work(self, story: Story, stop: threading.Event, future: Future[Explored]) -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(self.explore(story, stop.is_set))
        except Exception as exc:  # handed to whoever waits for the hover
            future.set_exception(exc)

    def explore(self, story: Story, stopped: Callable[[], bool]) -> Explored:
        """The exploration itself (on the worker thread); it gives up when `stopped()`."""
        graph = StateGraph(story, 0)
        explorer = Explorer(story, 0, self.max_states, observe=graph.observe, rosters=True)
        explorer.run(until=stopped)
        judged = judge(story, graph, OutcomeWalk(graph, explorer.unexpanded()), {})
        reach = {graph.choices[n]: found for n, (_, found) in judged.choices.items()}
        return Explored(reach, explorer.states, explorer.finished)


def _plain(value: Any) -> Any:
    """A parsed YAML value as plain dicts and lists (for dumping it back as YAML)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _flow(value: Any) -> str:
    text: str = yaml.safe_dump(_plain(value), default_flow_style=True, width=10_000)
    return text.strip().removesuffix("...").strip()


def needs_reach(site: ChoiceSite, story: Story | None) -> bool:
    """Whether the hover of `site` shows a reach (the story checks clean and has it)."""
    return (
        story is not None
        and site.node in story.nodes
        and site.choice in story.nodes[site.node].choice_map
    )


def choice_hover(
    site: ChoiceSite, story: Story | None, explored: Explored | None, max_states: int
) -> str:
    """Markdown: the choice, its condition and effects, and what it still allows
    (`explored`: the story's reaches, None while they are being computed)."""
    body = site.body
    lines = [f"**choice `{site.choice}`** at `{site.node}` → `{body.get('goto', '?')}`"]
    if isinstance(body.get("text"), str):
        lines.append(f"\n> {body['text']}")
    if "if" in body:
        lines.append(f"\n**only if** `{body['if']}`")
    effects = body.get("do")
    if isinstance(effects, list) and effects:
        lines.append("\n**effects**")
        lines += [f"- `{_flow(effect)}`" for effect in effects]
    else:
        lines.append("\n**effects**: none")
    lines.append("")
    lines.append(_reach_text(site, story, explored, max_states))
    return "\n".join(lines)


def _reach_text(
    site: ChoiceSite, story: Story | None, explored: Explored | None, max_states: int
) -> str:
    if story is None:
        return "*what it still allows: unknown until the story checks clean*"
    if not needs_reach(site, story):
        return "*what it still allows: unknown (save the file and fix its errors)*"
    if explored is None:
        return (
            f"*what it still allows: computing (exploring up to {max_states:,} states in "
            "the background); hover again in a moment*"
        )
    reach = explored.reach.get((site.node, site.choice))
    bound = f"{explored.states:,} states explored"
    if reach is None:
        if explored.complete:
            return f"**never taken**: no run can take this choice ({bound}, every one)"
        return f"**not reached** within the first {bound} (`--max-states` raises the bound)"
    endings = ", ".join(f"`{e}`" for e in reach.endings) or "none"
    rosters = f"{reach.rosters:,} final roster{'s' if reach.rosters != 1 else ''}"
    text = f"**still possible after it**: endings {endings}; {rosters}"
    if reach.truncated:
        text += f" — at least: the exploration stopped at {bound}"
    else:
        text += f" ({bound})"
    return text


def id_hover(found: Occurrence, index: Index, story: Story | None) -> str:
    """Markdown: what the id is (from the checked story) and where it is used."""
    lines = [f"**{found.kind} `{found.name}`**"]
    described = _describe(found, story)
    if described:
        lines.append(described)
    uses = Counter(o.how for o in index.of(found.kind, found.name) if o.role == "reference")
    if uses:
        lines.append("used: " + ", ".join(f"{how} ×{n}" for how, n in sorted(uses.items())))
    else:
        lines.append("used nowhere")
    return "\n\n".join(lines)


def _describe(found: Occurrence, story: Story | None) -> str:
    if story is None:
        return ""
    name = found.name
    if found.kind == "character" and name in story.cast:
        c = story.cast[name]
        return f"{c.name} — {c.role}; starts {c.status}, {c.place}"
    if found.kind == "item" and name in story.items:
        item = story.items[name]
        return f"{item.name}" + (f": {item.description}" if item.description else "")
    if found.kind == "flag" and name in story.flags:
        return story.flags[name].description
    if found.kind == "counter" and name in story.counters:
        k = story.counters[name]
        return f"starts at {k.start}, from {k.min} to {k.max}" + (
            f": {k.description}" if k.description else ""
        )
    if found.kind == "node" and name in story.nodes:
        node = story.nodes[name]
        where = f"episode {node.episode}" if node.episode else "no episode"
        if node.ending is not None:
            return f"{where}; ending `{node.ending.id}`: {node.ending.title}"
        return f"{where}; {len(node.choices)} choice(s): " + ", ".join(
            f"`{c.id}` → `{c.goto}`" for c in node.choices
        )
    return ""
