"""The `hyosan` command line: sub-commands, exit codes, and the only place errors print.

Each sub-command lives in `engine/cli/<name>.py` with `add_arguments(parser)` and
`run(args) -> int`, and is imported only when chosen, so `hyosan play` does not pay for
the analysis tools at start-up. Exit codes: 0 ok, 1 a story/save/file problem, 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from engine import __version__
from engine.diagnostics import StoryError
from engine.errors import EXIT_PROBLEM, EXIT_USAGE, UserError

__all__ = ["COMMANDS", "main"]

# name -> (module, one-line help). The order is the order of `hyosan --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "play": ("play", "play a story in the terminal (the bundled Season 1 by default)"),
    "check": ("check", "validate a story folder: every problem with file:line:col"),
    "replay": ("replay", "show a saved run again, check it, or branch off from a step"),
    "compare": ("compare", "compare a saved run with the show, or two runs with each other"),
    "explore": ("explore", "search every reachable state: endings, witnesses, softlocks"),
    "randomtest": ("randomtest", "seeded random playthroughs with coverage"),
    "map": ("map", "draw the story graph (Graphviz DOT, Mermaid, SVG, PNG)"),
    "new-branch": ("new_branch", "write a skeleton branch file at a node"),
    "schema": ("schema", "print the JSON Schema of story and branch files"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        print(f"  try: {self.prog} --help", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser(chosen: str | None) -> _Parser:
    """The parser; only the chosen sub-command's module is imported to add its options."""
    parser = _Parser(
        prog="hyosan",
        description="Hyosan: play, write and replay choose-your-path stories.",
        epilog="Run 'hyosan COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"hyosan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            importlib.import_module(f"engine.cli.{module}").add_arguments(command)
    return parser


def _run(argv: list[str]) -> int:
    commands = COMMANDS
    if not argv:
        argv = ["play"]
    chosen = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in commands else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    module = importlib.import_module(f"engine.cli.{commands[args.command][0]}")
    result: int = module.run(args)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code. Never lets a traceback reach a user."""
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except StoryError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        return EXIT_PROBLEM
    except UserError as exc:
        print(f"hyosan: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("\nhyosan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing left to say to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # an engine bug, not a user's mistake
        if os.environ.get("HYOSAN_DEBUG"):
            traceback.print_exc()
        print(
            f"hyosan: internal error: {type(exc).__name__}: {exc}\n"
            "  This is a bug in Hyosan, not in your story or save. "
            "Set HYOSAN_DEBUG=1 to see the details.",
            file=sys.stderr,
        )
        return 70
