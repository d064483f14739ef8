"""`hyosan map [DIR]`: the story graph as Graphviz DOT, Mermaid, or SVG/PNG.

Nodes carry human titles (the node id as a second line and a tooltip); turning points
are hexagons, endings are filled (the show's ending in gold), unreachable nodes are red
and dashed, conditional choices are dashed edges; the canon path is blue and, with
`--run SAVE`, the run's path is green; a legend says so. Each edge carries the share of
simulated players who took that choice (the choice ledger, `engine.tools.ledger`). SVG
comes from Graphviz's `dot` when it is installed, else from the built-in writer.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from engine.cli._options import MAX_RUNS, add_story_arguments, count_in, load_for_long_run
from engine.cli._saves import add_saves_dir_argument, find_save_file
from engine.errors import EXIT_OK, UserError
from engine.export.dot import to_dot
from engine.export.graph import story_graph
from engine.export.mermaid import to_mermaid
from engine.export.svg import to_svg
from engine.runtime.canon import canon_steps
from engine.runtime.model import Story
from engine.tools.randomtest import Steps

__all__ = ["BUILT_IN_SVG", "NO_DOT", "add_arguments", "run"]

NO_DOT = (
    "Graphviz's dot is not installed; use --format svg (built in), or --format dot and "
    "render elsewhere, or apt-get install graphviz"
)
BUILT_IN_SVG = (
    "Graphviz's dot is not installed: drawn with the built-in SVG writer (a simpler "
    "layout; apt-get install graphviz for a better one)"
)
EXAMPLES = """\
examples:
  hyosan map > story.dot                    Graphviz DOT (the default)
  hyosan map -o map.svg                     SVG (Graphviz if installed, else built in)
  hyosan map --format svg > map.svg         the same, through the shell
  hyosan map --format mermaid -o map.md     Mermaid in a Markdown fence (GitHub renders it)
  hyosan map --run autosave -o run.svg      your run in green (a slot name or a save file)
  hyosan map my-story --ledger-runs 0       no percentages on the edges

Edge labels read `choice-id · 62%`: the share of simulated players who took that choice
where they reached it (docs/ledger.md). Node tooltips give the node id.
"""
_FORMATS = ("dot", "mermaid", "svg", "png")
# Mermaid's default maxEdges and maxTextSize; sites such as GitHub cannot raise them.
_MERMAID_MAX_EDGES = 500
_MERMAID_MAX_TEXT = 50_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXAMPLES
    add_story_arguments(parser)
    parser.add_argument(
        "--format",
        choices=_FORMATS,
        default=None,
        help="dot (default), mermaid, svg (Graphviz, else built in) or png (Graphviz); "
        "default from -o's suffix (.dot .gv .mmd .md .svg .png)",
    )
    parser.add_argument(
        "--run", metavar="SAVE", help="highlight this saved run (a slot name or a save file)"
    )
    parser.add_argument(
        "--ledger-runs",
        type=count_in(0, MAX_RUNS),
        default=None,
        metavar="N",
        help="simulated runs behind the edge percentages (default: the cached ledger, "
        "else 1,000; 0: no percentages)",
    )
    add_saves_dir_argument(parser)
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.output.suffix.lower() if args.output else ""
    by_suffix = {".mmd": "mermaid", ".md": "mermaid", ".svg": "svg", ".png": "png"}
    return by_suffix.get(suffix, "dot")


def run(args: argparse.Namespace) -> int:
    story = load_for_long_run(args.story, args.branch)
    run_steps = (
        _run_steps(story, find_save_file(story, args.run, args.saves_dir)) if args.run else ()
    )
    graph = story_graph(story, canon_steps(story), run_steps, _shares(story, args.ledger_runs))
    fmt = _format(args)
    if fmt == "mermaid":
        text = to_mermaid(graph)
        if len(graph.edges) > _MERMAID_MAX_EDGES or len(text) > _MERMAID_MAX_TEXT:
            print(
                f"hyosan: warning: {len(graph.edges)} edges, {len(text):,} characters: Mermaid "
                f"renderers refuse more than {_MERMAID_MAX_EDGES} edges or "
                f"{_MERMAID_MAX_TEXT:,} characters by default; for the whole story use "
                "--format dot (or svg)",
                file=sys.stderr,
            )
        if args.output and args.output.suffix.lower() == ".md":
            text = f"```mermaid\n{text}```\n"
        _write(args.output, text.encode())
    elif fmt == "dot":
        _write(args.output, to_dot(graph).encode())
    elif fmt == "svg" and shutil.which("dot") is None:
        print(f"hyosan: note: {BUILT_IN_SVG}", file=sys.stderr)
        _write(args.output, to_svg(graph).encode())
    else:
        if fmt == "png" and args.output is None and sys.stdout.isatty():
            raise UserError("a PNG is not for the terminal", hint="add -o map.png")
        _write(args.output, _render(to_dot(graph), fmt))
    return EXIT_OK


def _shares(story: Story, runs: int | None) -> dict[tuple[str, str], float] | None:
    """Each choice's share of simulated players at its node (None with --ledger-runs 0)."""
    if runs == 0:
        return None
    from engine.tools.ledger import ledger_for  # only when percentages are drawn

    ledger = ledger_for(story, runs)
    shares: dict[tuple[str, str], float] = {}
    for node, counts in ledger.decisions.items():
        total = sum(counts.values())
        shares.update(((node, choice), count / total) for choice, count in counts.items())
    return shares


def _run_steps(story: Story, path: Path) -> Steps:
    from engine.saves.files import list_slots, read_save  # only with --run
    from engine.saves.format import SaveError

    try:
        save = read_save(path)
    except SaveError as exc:
        if exc.hint is None and not path.exists() and path.parent.is_dir():
            names = [slot.stem for slot, _ in list_slots(path.parent)]
            if names:
                exc.hint = f"the saves in {path.parent}: {', '.join(names)}"
        raise
    if save.story_id != story.id:
        raise UserError(
            f'{path}: this is a save of story "{save.story_id}", not "{story.id}"',
            hint="give the story the run was played in",
        )
    steps: list[tuple[str, str]] = []
    for number, saved in enumerate(save.steps, 1):
        node = story.nodes.get(saved.node)
        if node is None or saved.choice not in node.choice_map:
            print(
                f"hyosan: warning: {path}: step {number} ({saved.node}: {saved.choice}) is not "
                "in this story; the run is highlighted up to there",
                file=sys.stderr,
            )
            break
        steps.append((saved.node, saved.choice))
    return tuple(steps)


def _render(dot_text: str, fmt: str) -> bytes:
    program = shutil.which("dot")
    if program is None:
        raise UserError(NO_DOT)
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, check=False
        )
    except OSError as exc:
        raise UserError(f"could not run Graphviz's dot: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(f"Graphviz's dot failed: {detail[0] if detail else done.returncode}")
    return done.stdout


def _write(path: Path | None, data: bytes) -> None:
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the map: {exc.strerror or exc}") from exc
    print(f"wrote {path}", file=sys.stderr)
