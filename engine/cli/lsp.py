"""`hyosan lsp [--story DIR] [--branch PATH] [--max-states N]`: a language server on
stdin and stdout, for editors (setup in docs/authoring.md, "Editor support").

Each file an editor opens belongs to the story folder holding the nearest story.yaml
above it (or to `--story` when given). pygls is imported only here, when the command
runs, so the other commands start without it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from engine.cli._options import add_max_states
from engine.errors import EXIT_OK, UserError
from engine.lsp.hover import DEFAULT_MAX_STATES

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--story",
        type=Path,
        default=None,
        metavar="DIR",
        help="the story folder (default: the folder of the nearest story.yaml above each file)",
    )
    parser.add_argument(
        "--branch",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="also load this branch file or folder (repeatable)",
    )
    add_max_states(
        parser,
        DEFAULT_MAX_STATES,
        "states a hover's exploration visits, to tell what a choice still allows "
        f"(default {DEFAULT_MAX_STATES:,})",
    )


def run(args: argparse.Namespace) -> int:
    if args.story is not None and not args.story.is_dir():
        raise UserError(
            f"{args.story}: not a story folder", hint="give the folder that holds story.yaml"
        )
    from engine.lsp.server import Stories, make_server  # pygls: only for this command

    stories = Stories(
        str(args.story) if args.story else None,
        tuple(str(b) for b in args.branch),
        args.max_states,
    )
    # pygls closes the streams it is given when the editor says exit: give it its own
    # copies, so the command still ends the way every command does.
    with (
        os.fdopen(os.dup(sys.stdin.fileno()), "rb") as given_in,
        os.fdopen(os.dup(sys.stdout.fileno()), "wb") as given_out,
    ):
        make_server(stories).start_io(given_in, given_out)
    return EXIT_OK
