"""The `hyosan` command line: sub-commands, exit codes, and the only place errors print.

Each sub-command lives in `engine/cli/<name>.py` with `add_arguments(parser)` and
`run(args) -> int`, and is imported only when chosen, so `hyosan play` does not pay for
the analysis tools at start-up. Exit codes: 0 ok, 1 a story/save/file problem, 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import os
import sys
import traceback
from collections.abc import Sequence

from engine import __version__
from engine.diagnostics import StoryError, printable
from engine.errors import EXIT_PROBLEM, EXIT_USAGE, UserError

__all__ = ["COMMANDS", "main"]

# name -> (module, one-line help). The order is the order of `hyosan --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "play": ("play", "play a story in the terminal (the bundled Season 1 by default)"),
    "check": ("check", "validate a story folder: every problem with file:line:col"),
    "replay": ("replay", "show a saved run again, check it, or branch off from a step"),
    "compare": (
        "compare",
        "compare a saved run with the story's canon, or two runs with each other",
    ),
    "explore": ("explore", "search every reachable state: endings, witnesses, softlocks"),
    "reach": ("reach", "the shortest path to a state where a condition holds, as a save"),
    "consequences": (
        "consequences",
        "which choices matter: write-only flags, cosmetic choices, turning points, reach",
    ),
    "randomtest": ("randomtest", "seeded random playthroughs with coverage"),
    "map": ("map", "draw the story graph (Graphviz DOT, Mermaid, SVG, PNG)"),
    "ledger": ("ledger", "what simulated players chose at each decision, and whom they saved"),
    "new-branch": ("new_branch", "write a skeleton branch file at a node"),
    "schema": ("schema", "print the JSON Schema of story and branch files"),
    "lsp": ("lsp", "a language server for editors: diagnostics, go to, rename, hover (stdio)"),
}


class _Parser(argparse.ArgumentParser):
    chosen: _Parser | None = None  # the sub-command's parser: it reports unknown options

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
            parser.chosen = command
    return parser


def _run(argv: list[str]) -> int:
    commands = COMMANDS
    if not argv:
        argv = ["play"]
    chosen = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in commands else None)
    args, extra = parser.parse_known_args(argv)
    if extra:  # `play --bogus` shows play's usage, not the top level's
        (parser.chosen or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    module = importlib.import_module(f"engine.cli.{commands[args.command][0]}")
    result: int = module.run(args)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code. Never lets a traceback reach a user."""
    if not _streams_usable():
        return EXIT_PROBLEM
    try:
        code = _run(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # a full disk shows here, while the error can still be said
        return code
    except StoryError as exc:
        for diagnostic in exc.diagnostics:
            _say(diagnostic.render())
        return EXIT_PROBLEM
    except UserError as exc:
        _say(f"hyosan: error: {printable(exc.message, lines=False)}")
        if exc.hint:
            _say(f"  {printable(exc.hint, lines=False)}")
        return exc.code
    except KeyboardInterrupt:
        _say("\nhyosan: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing left to say to it.
        _silence_stdout()
        return 0
    except OSError as exc:  # the output cannot be written (a full disk), or a file read
        _say(f"hyosan: error: {printable(_os_problem(exc), lines=False)}")
        _silence_stdout()
        return EXIT_PROBLEM
    except Exception as exc:  # an engine bug, not a user's mistake
        if os.environ.get("HYOSAN_DEBUG"):
            traceback.print_exc()
        _say(
            f"hyosan: internal error: {type(exc).__name__}: {printable(str(exc))}\n"
            "  This is a bug in Hyosan, not in your story or save. "
            "Set HYOSAN_DEBUG=1 to see the details."
        )
        return 70


def _streams_usable() -> bool:
    """Stand in for closed standard streams: a closed input reads as empty (a game
    saves and ends), a closed error stream discards; a closed output is refused."""
    if sys.stderr is None:
        sys.stderr = io.StringIO()
    if sys.stdin is None:
        sys.stdin = io.StringIO("")
    if sys.stdout is None:
        _say("hyosan: error: the standard output is closed, so nothing could be shown")
        _say("  run the command with its output open, or sent to a file or /dev/null")
        return False
    return True


def _say(text: str) -> None:
    """Print to standard error; if even that fails, there is no one left to tell."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(text, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush of what
    could not be written does not print a traceback of its own."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _os_problem(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF):
        return f"cannot write the output: {reason}"
    return reason
