"""Where character N of a YAML scalar is in its file, even when the scalar is folded.

Owns: `locate`, which follows the source text of a plain, quoted or block scalar so that
an error at an offset inside a condition points at the exact line and column; and the
"quote it" fixes for text YAML misread because it was not quoted (a `: ` or `, ` inside
plain text, a word YAML reads as true or false).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.compiler.ytree import YMap
from engine.diagnostics import Pos

__all__ = ["COLON_IN_TEXT", "locate", "quote_bool_hint", "source_lines", "split_text_hint"]


def source_lines(source: bytes) -> list[str]:
    """The lines of a file's bytes, as `locate` reads them (decode once per file: a file
    of many faulty conditions must not be decoded again for each)."""
    return source.decode("utf-8", "replace").splitlines() or [""]


def locate(lines: Sequence[str], pos: Pos, style: str | None, value: str, offset: int) -> Pos:
    """The file position of character `offset` of a scalar `value` that starts at `pos`,
    in a file of `lines` (`source_lines`).

    Follows the source text, so a condition folded over several lines (a plain, quoted
    or block scalar) still points at the offending character. Falls back to the start
    of the scalar when the text cannot be followed.
    """
    row, col = pos.line - 1, pos.col - 1
    if style in ("'", '"'):
        col += 1
    elif style in ("|", ">"):
        row += 1
        col = len(lines[row]) - len(lines[row].lstrip()) if row < len(lines) else 0

    def next_line() -> tuple[int, int]:
        if row + 1 >= len(lines):
            return row, col
        text = lines[row + 1]
        return row + 1, len(text) - len(text.lstrip())

    for char in value[:offset]:
        if row >= len(lines):
            return pos
        here = lines[row][col] if col < len(lines[row]) else "\n"
        while here in " \t" and char not in " \t":
            col += 1
            here = lines[row][col] if col < len(lines[row]) else "\n"
        if here == "\n" and char in " \n":
            row, col = next_line()
        elif here == char:
            col += 1
        else:
            return pos
    if row < len(lines) and col >= len(lines[row].rstrip()):
        row, col = next_line()
    if row < len(lines):
        text = lines[row]
        while col < len(text) and text[col] in " \t":
            col += 1
    return Pos(pos.path, row + 1, col + 1)


_WORD = re.compile(r"[A-Za-z]+")


def quote_bool_hint(lines: Sequence[str], pos: Pos, key: str) -> str:
    """The fix for a text value YAML read as true or false (`id: on`, `if: false`): quote
    the word as it is written at `pos`."""
    row = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    found = _WORD.match(row[pos.col - 1 :])
    word = found.group(0) if found else "on"
    return (
        f'quote it: {key}: "{word}" (unquoted, YAML reads {word} as a true-or-false value, '
        "as it reads yes, no, on, off, true and false)"
    )


def split_text_hint(m: YMap, key: str) -> str | None:
    """The fix for an unknown `key` that is really the rest of the unquoted text before
    it, on the same line: `{text: Wait, then go}` reads as keys `text` and `then go`."""
    keys = list(m)
    at = keys.index(key) if key in m else 0
    if at == 0:
        return None
    before = keys[at - 1]
    value = m[before]
    if not isinstance(value, str) or m.val_style.get(before):  # "" or None: plain
        return None
    if m.val_pos.get(before, m.pos).line != m.key_pos[key].line:
        return None
    rest = key if m[key] is None else f"{key}: {m[key]}"
    return (
        f'if "{key}" is part of the {before} before it, quote that text: {before}: '
        f'"{value}, {rest}" (unquoted, ", " ends a value inside {{...}} and ": " starts a key)'
    )


COLON_IN_TEXT = (
    'a ": " inside unquoted text starts a new key: put the whole text in quotes '
    '(text: "She said: run."), or write it as a block (text: |)'
)
