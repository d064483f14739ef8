"""Every limit on what a story file may hold, in one place (docs/format.md lists them).

Owns: the numbers that keep a hostile or runaway input from costing unbounded time or
memory. Each is checked while the input is read, before anything larger is built: the
file's size while reading its bytes, the YAML values and nesting while the parser's
events arrive, a condition's length, nesting and number literals before it is parsed.
Every limit passed is a diagnostic, never an exception.
"""

from __future__ import annotations

__all__ = [
    "MAX_CONDITION_DEPTH",
    "MAX_CONDITION_LENGTH",
    "MAX_DEPTH",
    "MAX_EPISODE_FILES",
    "MAX_FILE_BYTES",
    "MAX_NUMBER_DIGITS",
    "MAX_SUGGESTION_WORK",
    "MAX_VALUES",
]

MAX_FILE_BYTES = 16 * 1024 * 1024  # E004: a story file's size, counted while reading it
MAX_DEPTH = 64  # E005: mappings and lists nested in one another
MAX_VALUES = 500_000  # E005: values in one file (keys included), aliases expanded
MAX_EPISODE_FILES = 10_000  # E054: entries of the manifest's episodes: list
MAX_CONDITION_LENGTH = 2_000  # E040: characters in one condition
MAX_CONDITION_DEPTH = 32  # E040: parentheses, `not`s and calls nested in one condition
MAX_NUMBER_DIGITS = 15  # E040: digits in a number literal inside a condition
# Did-you-mean compares a misspelled id with every declared one: one check compares at
# most this many in all, then suggests nothing more (thousands of unknown gotos in a
# story of thousands of nodes took minutes).
MAX_SUGGESTION_WORK = 300_000
