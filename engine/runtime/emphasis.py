"""Emphasis marks in story text: `*words*` and `_words_`, `\\*` and `\\_` for the marks
themselves.

Owns: where the marks are (`runs`: the text cut into plain and emphasised runs, marks
removed, escapes undone) and the text without them (`unmarked`). The full-screen game
shows the emphasised runs in italics (`engine.ui.prose`); line mode and text transcripts
(`engine.report.replay`) show the words alone. Pure text: no state, no I/O.
"""

from __future__ import annotations

import re

__all__ = ["runs", "unmarked"]

# `*words*`: the marks touch the words. `_words_`: also at word edges only, so
# snake_case and names with underscores stay as they are. A backslash escapes a mark.
_MARKED = re.compile(
    r"(?<!\\)\*(?=\S)(?P<star>.+?)(?<=[^\s\\])\*"
    r"|(?<![\w\\])_(?=\S)(?P<under>.+?)(?<=[^\s\\])_(?!\w)"
)
_ESCAPED = re.compile(r"\\([*_])")


def runs(text: str) -> list[tuple[bool, str]]:
    """`text` as (emphasised, words) runs in order, marks removed and escapes undone;
    no run is empty."""
    out: list[tuple[bool, str]] = []
    at = 0
    for match in _MARKED.finditer(text):
        if match.start() > at:
            out.append((False, _ESCAPED.sub(r"\1", text[at : match.start()])))
        inner = match.group("star") if match.group("star") is not None else match.group("under")
        out.append((True, _ESCAPED.sub(r"\1", inner)))
        at = match.end()
    if at < len(text):
        out.append((False, _ESCAPED.sub(r"\1", text[at:])))
    return [run for run in out if run[1]]


def unmarked(text: str) -> str:
    """`text` without emphasis marks: the words as a reader sees them in plain text."""
    return "".join(words for _, words in runs(text))
