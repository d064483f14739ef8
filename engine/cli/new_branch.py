"""`hyosan new-branch NAME --at NODE`: write a branch file skeleton that passes `hyosan check`.

The skeleton adds a choice at NODE leading to a new node, which either rejoins the story
(where NODE's canon or first choice leads) or ends in a new ending; a flag records that
the branch was taken. Its first line points YAML language servers at the JSON Schema, by
a path relative to the file (the story's own `story.schema.json` when it has one).
Never overwrites a file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from engine import BUNDLED_STORY
from engine.cli._options import add_story_arguments, load_for_long_run
from engine.compiler.loader import find_manifest
from engine.compiler.schema import SCHEMA_PATH
from engine.diagnostics import did_you_mean
from engine.errors import EXIT_OK, EXIT_USAGE, UserError
from engine.runtime.model import Node, Story

__all__ = ["add_arguments", "branch_skeleton", "run", "schema_reference"]

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the branch's name: letters, digits, - and _ (e.g. what-if)")
    parser.add_argument("--at", required=True, metavar="NODE", help="the node it starts from")
    add_story_arguments(parser, positional=False)
    parser.add_argument(
        "--out", type=Path, metavar="PATH", help="where to write (default: DIR/branches/NAME.yaml)"
    )


def run(args: argparse.Namespace) -> int:
    if not _NAME.match(args.name):
        raise UserError(
            f'"{args.name}" cannot be a branch name',
            code=EXIT_USAGE,
            hint="use letters, digits, - and _, starting with a letter or digit (e.g. what-if)",
        )
    story = load_for_long_run(args.story, args.branch)
    folder = find_manifest(Path(args.story)).parent
    out: Path = args.out or folder / "branches" / f"{args.name}.yaml"
    if out.exists():
        raise UserError(
            f"{out} already exists; new-branch never overwrites a file",
            hint="choose another NAME or --out PATH, or move the file away",
        )
    text = branch_skeleton(story, args.name, args.at, schema_reference(out, folder))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UserError(f"{out}: cannot write the branch file: {exc.strerror or exc}") from exc
    _print_next_steps(args, folder, out)
    return EXIT_OK


def _print_next_steps(args: argparse.Namespace, folder: Path, out: Path) -> None:
    auto = out.resolve().parent == (folder / "branches").resolve()
    extra = "" if auto else f" --branch {out}"
    story = "" if Path(args.story) == BUNDLED_STORY else f" {args.story}"
    print(f"wrote {out}: a branch from {args.at}")
    print("next: edit the text, then")
    print(f"  hyosan check{story}{extra}")
    print(f"  hyosan explore{story}{extra}")
    if not auto:
        print(f"  (it is outside {folder / 'branches'}, so pass --branch {out} to every command)")
    sys.stdout.flush()


SCHEMA_COPY = "story.schema.json"  # what `hyosan schema > story.schema.json` writes


def schema_reference(out: Path, folder: Path | None = None) -> str:
    """How a file at `out` names the schema, always as a path relative to it: the story
    folder's own copy (`folder/story.schema.json`) when there is one, else the packaged
    schema. Only across drives (Windows), where no relative path exists, a file URI."""
    here = out.resolve().parent
    target = SCHEMA_PATH
    if folder is not None and (folder / SCHEMA_COPY).is_file():
        target = (folder / SCHEMA_COPY).resolve()
    try:
        return Path(os.path.relpath(target, here)).as_posix()
    except ValueError:  # another drive (Windows)
        return target.as_uri()


def _free(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def _flag_name(name: str, story: Story) -> str:
    base = re.sub(r"[^a-z0-9_]", "_", name.lower()) + "_taken"
    base = base if base[0].isalpha() or base[0] == "_" else "branch_" + base
    taken = set(story.flags) | set(story.counters)
    flag, n = base, 2
    while flag in taken:
        flag, n = f"{base}{n}", n + 1
    return flag


def _rejoin(node: Node) -> str:
    canon = node.turning_point.canon if node.turning_point else None
    choice = node.choice_map.get(canon or "") or node.choices[0]
    return choice.goto


def _find_node(story: Story, at: str) -> Node:
    node = story.nodes.get(at)
    if node is None:
        guess = did_you_mean(at, story.nodes)
        raise UserError(
            f'there is no node "{at}" in {story.title}',
            hint=f"did you mean {guess}?" if guess else "hyosan map lists the nodes",
        )
    if node.ending is not None or not node.choices:
        raise UserError(
            f'"{at}" is an ending; a branch starts at a node with choices',
            hint="pick the node before it",
        )
    return node


def branch_skeleton(story: Story, name: str, at: str, schema_ref: str) -> str:
    """The text of a branch file adding a choice at `at` to a new node of its own.

    Ids are chosen so that they clash with nothing in `story`: the result passes
    `hyosan check` as it is. Raises UserError when `at` is not a node with choices.
    """
    node = _find_node(story, at)
    ending_ids = {n.ending.id for n in story.endings() if n.ending}
    start = _free(f"{name}.start", set(story.nodes))
    end = _free(f"{name}.end", set(story.nodes) | {start})
    choice = _free(name, set(node.choice_map))
    ending = _free(name, ending_ids)
    flag = _flag_name(name, story)
    title = json.dumps(name.replace("-", " ").replace("_", " ").strip().capitalize())
    episode = f"episode: {node.episode}{' ' * 30}# the new nodes belong to this episode\n"
    return f"""\
# yaml-language-server: $schema={schema_ref}
# The line above gives editors with a YAML language server completion and checks
# (docs/authoring.md); `hyosan schema > story.schema.json` writes a copy to point at.
#
# Branch "{name}": a what-if that starts at node {at}. Edit the text, then run
# `hyosan check` and `hyosan explore` on the story to prove every ending is reachable.
branch: {name}
title: {title}
description: One line about what this branch changes.
{episode if node.episode is not None else ""}
flags:
  {flag}: The player took the {name} branch at {at}.

add_choices:
  {at}:                              # an existing node: its choices stay as they are
    - id: {choice}
      text: Try something else.          # what the player picks
      do: [{{set: {flag}}}]
      goto: {start}

nodes:
  {start}:
    text: |
      Write the scene here. A blank line starts a new paragraph.
    choices:
      - id: rejoin
        text: Carry on.
        goto: {_rejoin(node)}{" " * 8}# back to the story, where {at} leads
      - id: end
        text: Stop here.
        goto: {end}
  {end}:
    text:
      - |
        Write how this ending reads.
      - if: {flag}                       # text pieces can depend on the flag, here or
        text: Shown only when the flag is set.   # anywhere the story goes on
    ending: {{id: {ending}, title: {title}}}
"""
