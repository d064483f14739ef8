"""Errors a user can cause (as opposed to engine bugs), with the exit code each one means."""

from __future__ import annotations

__all__ = ["EXIT_OK", "EXIT_PROBLEM", "EXIT_USAGE", "UserError"]

EXIT_OK = 0
EXIT_PROBLEM = 1  # a story, save or file the user gave is wrong
EXIT_USAGE = 2  # the command line itself is wrong


class UserError(Exception):
    """A problem the user can fix; `cli.py` prints the message and exits with `code`."""

    def __init__(self, message: str, code: int = EXIT_PROBLEM, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint
