"""The compiler's entry points: story files -> a checked `Story`, and every diagnostic.

Owns: the order of a compilation (the manifest; the cast and every file's declarations;
the nodes of every file; indexes; building nodes; the whole-story checks of
`engine.compiler.validate`) and `check_story` / `load_story`. Reports every problem it
can in one pass (one per cause).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from engine.compiler import modelcache, spec, validate
from engine.compiler.canon import check_canon_path, read_canon
from engine.compiler.context import Context, find_manifest
from engine.compiler.declarations import declare_cast, declare_parts
from engine.compiler.files import collect_nodes, load_manifest, load_parts
from engine.compiler.limits import MAX_SUGGESTION_WORK
from engine.compiler.nodes import build_node
from engine.compiler.ytree import YMap
from engine.diagnostics import Diagnostic, StoryError, did_you_mean, suggestion_budget
from engine.runtime.model import Node, Story, frozen
from engine.runtime.world import PLACES

__all__ = [
    "GraphCheck",
    "NodeBuilder",
    "build_nodes",
    "check_story",
    "compile_story",
    "find_manifest",
    "load_story",
]

NodeBuilder = Callable[[Context], dict[str, Node]]
"""Builds every node of `ctx.raw_nodes`, in their order (a resident compiler reuses the
nodes of an earlier compilation: `engine.compiler.incremental`)."""

GraphCheck = Callable[[Context, Story, YMap, YMap | None], None]
"""The whole-story checks (`validate.check_graph`, or a resident compiler's stand-in that
says what they said for a story of the same shape)."""


def build_nodes(ctx: Context) -> dict[str, Node]:
    """Every node built from its raw YAML, in the order the files define them."""
    return {nid: build_node(ctx, nid, raw) for nid, raw in ctx.raw_nodes.items()}


def _load(
    ctx: Context, branch_paths: Iterable[Path], build: NodeBuilder, graph: GraphCheck
) -> Story | None:
    manifest = load_manifest(ctx)
    if manifest is None:
        return None
    declare_cast(ctx, manifest)
    declare_parts(ctx, manifest)
    parts = load_parts(ctx, manifest, list(branch_paths))
    for part in parts:
        declare_parts(ctx, part.data)
    for part in parts:
        collect_nodes(ctx, part)
    ctx.cast_index.update((c, i) for i, c in enumerate(ctx.cast))
    ctx.item_index.update((c, i) for i, c in enumerate(ctx.items))
    ctx.counter_index.update((c, i) for i, c in enumerate(ctx.counters))
    for node_id, entries in ctx.extra_choices.items():
        if node_id not in ctx.raw_nodes and not ctx.incomplete:  # else it may be there
            for _, _, pos in entries:
                ctx.error(
                    pos,
                    "E056",
                    f'add_choices names node "{node_id}", which does not exist',
                    did_you_mean(node_id, ctx.raw_nodes),
                )
    return _assemble(ctx, manifest, build(ctx), graph)


def _infection(ctx: Context, manifest: YMap) -> tuple[YMap | None, int]:
    infection = manifest.get("infection")
    if not isinstance(infection, YMap):
        return None, 3
    if infection and not ctx.keys(infection, spec.INFECTION, "infection"):
        return None, 3  # the wrong types are reported; use the defaults
    incubation = infection.get("incubation", 3)
    if incubation < 1:
        ctx.error(infection.at("incubation"), "E013", "incubation must be 1 or more turns")
        incubation = 3
    return infection, incubation


def _assemble(ctx: Context, manifest: YMap, nodes: dict[str, Node], graph: GraphCheck) -> Story:
    infection, incubation = _infection(ctx, manifest)
    start = manifest.get("start", "")
    canon = read_canon(ctx, manifest)
    story = Story(
        id=str(manifest.get("id", "")),
        title=str(manifest.get("title", manifest.get("id", ""))),
        start=start if isinstance(start, str) else "",
        incubation=incubation,
        on_turn=infection.get("on_turn") if infection else None,
        cast=frozen(ctx.cast),
        items=frozen(ctx.items),
        flags=frozen(ctx.flags),
        counters=frozen(ctx.counters),
        nodes=frozen(nodes),
        episodes=frozen(dict(sorted(ctx.episodes.items()))),
        canon=canon,
        root=str(ctx.base),
        fingerprint=ctx.digest.hexdigest()[:16],
        tracked_visits=frozenset(ctx.visits),
        pos=manifest.pos,
        cast_ids=tuple(ctx.cast),
        cast_index=frozen(ctx.cast_index),
        item_ids=tuple(ctx.items),
        item_index=frozen(ctx.item_index),
        counter_ids=tuple(ctx.counters),
        counter_index=frozen(ctx.counter_index),
        counted_visits=frozenset(ctx.counted_visits),
        places=(*PLACES, *ctx.places),
        branch_files=_branch_files(ctx),
    )
    graph(ctx, story, manifest, infection)
    if not ctx.diags.has_errors:  # the canon path needs a playable story
        check_canon_path(ctx, story)
    return story


def _branch_files(ctx: Context) -> tuple[str, ...]:
    """The branch files that added nodes or choices, relative to the story folder when
    inside it, else absolute (for saves: `Story.branch_files`)."""
    shown = {raw.file.shown for raw in ctx.raw_nodes.values() if raw.file.kind == "branch"}
    shown |= {part.shown for entries in ctx.extra_choices.values() for _, part, _ in entries}
    base = ctx.base.resolve()
    out = []
    for name in sorted(shown):
        path = Path(name).resolve()
        out.append(path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path))
    return tuple(sorted(out))


def compile_story(
    ctx: Context,
    branches: Iterable[str],
    build: NodeBuilder = build_nodes,
    graph: GraphCheck = validate.check_graph,
) -> Story | None:
    """One compilation into `ctx` (its diagnostics hold every problem found); the story,
    or None when it cannot be assembled. `check_story` is this plus the caches."""
    # Loading allocates millions of small, long-lived objects: with the cyclic collector
    # on, each full collection rescans all of them and load time grows faster than the
    # story (bench/RESULTS.md). Nothing made here is garbage until the load ends, and the
    # collector is left as it was found.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with suggestion_budget(MAX_SUGGESTION_WORK):  # did-you-mean: linear, not quadratic
            return _load(ctx, (Path(b) for b in branches), build, graph)
    finally:
        if was_enabled:
            gc.enable()


def check_story(
    root: Path | str,
    branches: Iterable[Path | str] = (),
    overlay: Mapping[str, bytes] | None = None,
) -> tuple[Story | None, list[Diagnostic]]:
    """Load and check a story; return it (None if unusable) and every diagnostic found.

    `overlay` maps a file's real path (`os.path.realpath`) to contents read instead of
    the file's on disk: an editor's unsaved buffers are checked as they stand.
    """
    given = tuple(str(b) for b in branches)
    if not overlay:
        cached = modelcache.lookup(root, given)
        if cached is not None:
            return cached
    ctx = Context(Path(root), overlay=overlay or {})
    story = compile_story(ctx, given)
    diagnostics = ctx.diags.sorted()
    if ctx.diags.has_errors or story is None:
        return None, diagnostics
    if not overlay:
        inputs = ctx.inputs
        del ctx  # the parsed files can go before the model is stored
        modelcache.store(root, given, inputs, story, diagnostics)
    return story, diagnostics


def load_story(root: Path | str, branches: Iterable[Path | str] = ()) -> Story:
    """Load a story for play; raises StoryError carrying every error found."""
    story, diagnostics = check_story(root, branches)
    if story is None:
        raise StoryError([d for d in diagnostics if d.is_error])
    return story
