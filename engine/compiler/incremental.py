"""A resident compiler: check a story again after an edit, compiling only what changed.

Owns: `Workspace`, which a process that checks one story again and again keeps (the
language server, `hyosan check --watch`). Between checks it keeps each file's parse
tree by its exact bytes (`engine.compiler.files.ParsedFiles`) and each node's built
`Node` together with everything building it did to the compilation's `Context`: the
diagnostics it reported, the nodes conditions count visits of (`visits`,
`counted_visits`), `broken_nodes`, `hinted_targets`, and the did-you-mean work it
spent. A node is built again only when what its build reads changed:

- its raw tree (an unchanged file gives back the same tree objects), its position, its
  episode number, and the `add_choices:` entries that name it;
- the declarations (cast, items, flags, counters, places): any change, and every node
  is built again;
- whether the story is incomplete (a listed file could not be read);
- the node ids it asked about (a `goto:`, `visited('x')`), or all of them when it made
  a did-you-mean over the node ids.

The whole-story checks (`validate.check_graph`) run again unless the story has the same
shape as last time (`engine.compiler.recording.shape`: every node, choice, condition,
effect and position the same, only prose changed), the same manifest tree and the same
context (broken nodes, hinted targets, incomplete, errors so far): then what they said
is said again. Everything else (reading the manifest, collecting the nodes, assembling
the `Story`, the canon path) runs on every check, so the result is the one a fresh
`check_story` gives: the same diagnostics, nodes and fingerprint
(tests/test_incremental_check.py holds the two to each other over random edits).
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.compiler import validate
from engine.compiler.context import Context, RawNode
from engine.compiler.files import ParsedFiles
from engine.compiler.inputs import Inputs
from engine.compiler.loader import compile_story
from engine.compiler.nodes import build_node
from engine.compiler.recording import (
    Recorder,
    Said,
    WatchedConditions,
    WatchedLines,
    WatchedNodes,
    same_tree,
    shape,
)
from engine.compiler.ytree import YMap
from engine.diagnostics import Diagnostic, Pos, suggestions_left
from engine.runtime.model import Node, Story

__all__ = ["Workspace"]


@dataclass
class _Built:
    """One node's build and everything it did to the compilation's context."""

    body: YMap
    pos: Pos
    episode: int | None
    added: tuple[tuple[Any, Pos], ...]  # what the add_choices: entries naming it add
    lines: bool  # it read the file's source lines (exact columns): a new tree rebuilds
    incomplete: bool
    asked: dict[str, bool]
    listed: int | None  # the version of the node ids it went through, if it did
    ids_seen: int  # the version of the node ids its `asked` answers hold for
    spent: int  # did-you-mean comparisons
    node: Node
    said: list[Said]
    visits: set[str]
    counted_visits: set[str]
    broken: set[str]
    hinted: set[str]

    @property
    def sets(self) -> bool:
        """Whether its build added to any of the context's sets."""
        return bool(self.visits or self.counted_visits or self.broken or self.hinted)


@dataclass
class _GraphRun:
    """What the whole-story checks said of a story, and what they read of it."""

    manifest: YMap
    story: Any  # the story's shape, its nodes left out
    nodes: dict[str, Node]
    ids: tuple[str, ...]
    context: tuple[frozenset[str], frozenset[str], bool, bool]  # see `_graph_context`
    spent: int  # did-you-mean comparisons
    said: list[Said]


class _Unstored(Inputs):
    """What a check read, for a story that is never stored in the compiled-story cache:
    each file's SHA-256 is not needed (the fingerprint is computed all the same)."""

    def read(self, path: Path, data: bytes) -> None:
        pass


def _graph_context(ctx: Context) -> tuple[frozenset[str], frozenset[str], bool, bool]:
    """What the whole-story checks read of the context besides the story."""
    broken, hinted = frozenset(ctx.broken_nodes), frozenset(ctx.hinted_targets)
    return broken, hinted, ctx.incomplete, ctx.diags.has_errors


def _story_shape(story: Story) -> Any:
    skip = {"nodes", "fingerprint"}
    return tuple(
        shape(getattr(story, f.name)) for f in dataclasses.fields(story) if f.name not in skip
    )


def _declarations(ctx: Context) -> tuple[Any, ...]:
    """What a node's build may read of the declarations, without their positions."""

    def plain(value: Any) -> tuple[Any, ...]:
        fields = dataclasses.fields(value)
        return tuple(getattr(value, f.name) for f in fields if f.name != "pos")

    return (
        tuple(plain(c) for c in ctx.cast.values()),
        tuple(plain(i) for i in ctx.items.values()),
        tuple(plain(f) for f in ctx.flags.values()),
        tuple(plain(c) for c in ctx.counters.values()),
        tuple(ctx.places),
    )


class Workspace:
    """One story checked again and again; see the module docstring."""

    def __init__(self, root: Path | str, branches: Iterable[Path | str] = ()) -> None:
        self.root = Path(root)
        self.branches = tuple(str(b) for b in branches)
        self._files = ParsedFiles()
        self._built: dict[str, _Built] = {}
        self._declared: tuple[Any, ...] | None = None
        self._ids: tuple[str, ...] = ()
        self._ids_version = 0
        self._graph: _GraphRun | None = None
        self.graph_checked = False  # the last check ran the whole-story checks again
        self.rebuilt = 0  # nodes built by the last check (the others were reused)
        self.nodes = 0  # nodes the last check built or reused

    def check(
        self, overlay: Mapping[str, bytes] | None = None
    ) -> tuple[Story | None, list[Diagnostic]]:
        """The story and every diagnostic, exactly as `check_story(root, branches,
        overlay)` gives them, compiling again only what changed since the last check."""
        # The collector is off for the whole check, not only the compilation: the objects
        # a check makes would otherwise be scanned as soon as it ends, inside the check.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            ctx = Context(self.root, overlay=overlay or {}, inputs=_Unstored())
            with self._files.reused():
                story = compile_story(ctx, self.branches, self._build, self._check_graph)
            diagnostics = ctx.diags.sorted()
        finally:
            if was_enabled:
                gc.enable()
        if ctx.diags.has_errors or story is None:
            return None, diagnostics
        return story, diagnostics

    def parsed(self, data: bytes) -> Any | None:
        """The parse tree the last check kept for a file of exactly these bytes (its
        positions name the file as messages do), or None."""
        return self._files.tree_for(data)

    def _check_graph(
        self, ctx: Context, story: Story, manifest: YMap, infection: YMap | None
    ) -> None:
        """`validate.check_graph`, or what it said last time when the story has the same
        shape (only prose changed), the same manifest and the same context."""
        left = suggestions_left()
        run = self._graph
        context = _graph_context(ctx)
        story_shape = _story_shape(story)
        if (
            run is not None
            and run.manifest is manifest
            and run.context == context
            and (left is None or left[0] >= run.spent)
            and run.ids == tuple(story.nodes)
            and run.story == story_shape
            and all(
                node is run.nodes[node_id] or shape(node) == shape(run.nodes[node_id])
                for node_id, node in story.nodes.items()
            )
        ):
            for pos, code, message, suggestion, fix in run.said:
                ctx.diags.add(pos, code, message, suggestion=suggestion, fix=fix)
            if left is not None:
                left[0] -= run.spent
            self.graph_checked = False
            self._graph = dataclasses.replace(run, nodes=dict(story.nodes))
            return
        self.graph_checked = True
        real = ctx.diags
        recorder = ctx.diags = Recorder.over(real)
        before = left[0] if left is not None else 0
        try:
            validate.check_graph(ctx, story, manifest, infection)
        finally:
            ctx.diags = real
        spent = before - left[0] if left is not None else 0
        kept = (left is None or left[0] > 0) and all(said[1] != "E062" for said in recorder.said)
        # E062's place is read from the raw trees, which a prose edit may move: not kept
        self._graph = None
        if kept:
            ids = tuple(story.nodes)
            nodes = dict(story.nodes)
            self._graph = _GraphRun(
                manifest, story_shape, nodes, ids, context, spent, recorder.said
            )

    def _build(self, ctx: Context) -> dict[str, Node]:
        declared = _declarations(ctx)
        if declared != self._declared:
            self._built = {}
            self._declared = declared
        ids = tuple(ctx.raw_nodes)
        if ids != self._ids:
            self._ids, self._ids_version = ids, self._ids_version + 1
        raw_nodes = ctx.raw_nodes
        watched = ctx.raw_nodes = WatchedNodes(raw_nodes)
        ctx.forget_symbols()  # conditions look node ids up through `watched`
        ctx.compiled = WatchedConditions(ctx.compiled, watched)
        recorder = Recorder.over(ctx.diags)
        left = suggestions_left()
        built: dict[str, _Built] = {}
        nodes: dict[str, Node] = {}
        self.rebuilt, self.nodes = 0, len(raw_nodes)
        version, incomplete, extras = self._ids_version, ctx.incomplete, ctx.extra_choices
        try:
            for node_id, raw in raw_nodes.items():
                entry = self._built.get(node_id)
                extra = extras.get(node_id)
                if (  # the common case, checked inline: nothing it read changed
                    entry is not None
                    and entry.body is raw.body
                    and not extra
                    and not entry.added
                    and entry.ids_seen == version
                    and (entry.listed is None or entry.listed == version)
                    and entry.incomplete == incomplete
                    and (left is None or left[0] >= entry.spent)
                    and entry.pos == raw.pos
                    and entry.episode == raw.file.episode
                ):
                    if entry.said or entry.spent or entry.sets:
                        _replay(ctx, entry, left)
                    built[node_id] = entry
                    nodes[node_id] = entry.node
                    continue
                added = tuple((owner[node_id], pos) for owner, _, pos in extra) if extra else ()
                if entry is None or not self._fits(entry, raw, added, ctx, raw_nodes, left):
                    entry = self._record(ctx, node_id, raw, added, watched, recorder, left)
                    self.rebuilt += 1
                else:
                    _replay(ctx, entry, left)
                if entry.spent >= 0:
                    built[node_id] = entry
                nodes[node_id] = entry.node
        finally:
            ctx.raw_nodes = raw_nodes
            watched.asked = None
        self._built = built
        return nodes

    def _fits(
        self,
        entry: _Built,
        raw: RawNode,
        added: tuple[tuple[Any, Pos], ...],
        ctx: Context,
        ids: Mapping[str, RawNode],
        left: list[int] | None,
    ) -> bool:
        """Whether building the node again would do exactly what `entry` recorded."""
        version = self._ids_version
        if (
            entry.pos != raw.pos
            or entry.episode != raw.file.episode
            or entry.incomplete != ctx.incomplete
            or (entry.listed is not None and entry.listed != version)
            or (left is not None and left[0] < entry.spent)
        ):
            return False
        if entry.ids_seen != version:  # the node ids changed since: ask again
            if not all((name in ids) == was for name, was in entry.asked.items()):
                return False
            entry.ids_seen = version
        if entry.body is not raw.body and (entry.lines or not same_tree(entry.body, raw.body)):
            return False  # (a build that read source lines is kept for the same tree only)
        if added or entry.added:
            if len(entry.added) != len(added):
                return False
            for (a, p), (b, q) in zip(entry.added, added, strict=True):
                if p != q or (a is not b and (entry.lines or not same_tree(a, b))):
                    return False
        entry.body, entry.added = raw.body, added  # the same again: next time by identity
        return True

    def _record(
        self,
        ctx: Context,
        node_id: str,
        raw: RawNode,
        added: tuple[tuple[Any, Pos], ...],
        watched: WatchedNodes,
        recorder: Recorder,
        left: list[int] | None,
    ) -> _Built:
        """Build the node, noting everything the build did to `ctx`."""
        real = ctx.diags
        kept = ctx.visits, ctx.counted_visits, ctx.broken_nodes, ctx.hinted_targets
        ctx.visits, ctx.counted_visits, ctx.broken_nodes, ctx.hinted_targets = (
            set(),
            set(),
            set(),
            set(),
        )
        recorder.said = []
        ctx.diags = recorder
        before = left[0] if left is not None else 0
        watched.record()
        lines = ctx.line_cache = WatchedLines(ctx.line_cache)
        try:
            node = build_node(ctx, node_id, raw)
        finally:
            ctx.diags = real
            made = ctx.visits, ctx.counted_visits, ctx.broken_nodes, ctx.hinted_targets
            ctx.visits, ctx.counted_visits, ctx.broken_nodes, ctx.hinted_targets = kept
            for into, new in zip(kept, made, strict=True):
                into |= new
            asked = watched.asked or {}
            watched.asked = None
        spent = before - left[0] if left is not None else 0
        if watched.opaque or (left is not None and left[0] == 0):
            spent = -1  # not kept: it read another node, or the did-you-mean work ran out
        return _Built(
            raw.body,
            raw.pos,
            raw.file.episode,
            added,
            lines.read,
            ctx.incomplete,
            asked,
            self._ids_version if watched.listed else None,
            self._ids_version,
            spent,
            node,
            recorder.said,
            made[0],
            made[1],
            made[2],
            made[3],
        )


def _replay(ctx: Context, entry: _Built, left: list[int] | None) -> None:
    """Do to `ctx` what building the node did."""
    add = ctx.diags.add
    for pos, code, message, suggestion, fix in entry.said:
        add(pos, code, message, suggestion=suggestion, fix=fix)
    if entry.visits:
        ctx.visits |= entry.visits
    if entry.counted_visits:
        ctx.counted_visits |= entry.counted_visits
    if entry.broken:
        ctx.broken_nodes |= entry.broken
    if entry.hinted:
        ctx.hinted_targets |= entry.hinted
    if left is not None:
        left[0] -= entry.spent
