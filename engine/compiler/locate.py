"""Where character N of a YAML scalar is in its file, even when the scalar is folded.

Owns: `locate`, which follows the source text of a plain, quoted or block scalar so that
an error at an offset inside a condition points at the exact line and column.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.diagnostics import Pos

__all__ = ["locate", "source_lines"]


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
