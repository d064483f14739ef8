"""Story prose as the games show it: emphasis marks, and wrapping that keeps them.

Owns: the emphasis a story's text may carry (`*words*` or `_words_`, shown in italics by
the full-screen game and as plain words in line mode; `\\*` and `\\_` are a literal
asterisk and underscore) and wrapping a paragraph to a width while keeping which
characters are emphasised. Where the marks are is `engine.runtime.emphasis` (text
transcripts use it too). Pure text: no prompt_toolkit, no printing.
"""

from __future__ import annotations

from engine.runtime.emphasis import runs, unmarked

__all__ = ["EMPHASIS", "Span", "paragraphs", "plain", "spans", "styled_lines"]

EMPHASIS = "class:emphasis"

Span = tuple[str, str]  # (style, text): "" or EMPHASIS


def spans(text: str) -> list[Span]:
    """`text` split into plain and emphasised runs, marks removed and escapes undone."""
    return [(EMPHASIS if emphasised else "", words) for emphasised, words in runs(text)]


def plain(text: str) -> str:
    """`text` without emphasis marks (line mode, transcripts, screen readers)."""
    return unmarked(text)


def styled_lines(text: str, width: int) -> list[list[Span]]:
    """Paragraphs (split at blank lines) wrapped at word boundaries to `width` columns,
    a blank line between paragraphs, each line a list of (style, text) spans."""
    lines: list[list[Span]] = []
    for paragraph in paragraphs(text):
        if lines:
            lines.append([])
        parts = spans(paragraph)
        if all(style == "" for style, _ in parts):  # no emphasis: wrap whole words, fast
            rows = _wrap_words("".join(text for _, text in parts), max(1, width))
            lines.extend([("", row)] if row else [] for row in rows)
        else:
            lines.extend(_wrap(parts, max(1, width)))
    return lines


def _wrap_words(text: str, width: int) -> list[str]:
    """`_wrap` for text without emphasis, a word at a time (the same lines, in a
    fraction of the time: a resize re-wraps every scene of a long run)."""
    rows: list[str] = []
    row = ""
    for word in text.split():
        while len(word) > width:  # a word wider than the window: cut it
            if row:
                rows.append(row)
                row = ""
            rows.append(word[:width])
            word = word[width:]
        if row and len(row) + 1 + len(word) > width:
            rows.append(row)
            row = ""
        row = f"{row} {word}" if row else word
    if row or not rows:
        rows.append(row)
    return rows


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blank lines part them), each joined into one line."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def _wrap(parts: list[Span], width: int) -> list[list[Span]]:
    """Greedy word wrap over styled characters; a word longer than a line is cut."""
    chars = [(style, ch) for style, text in parts for ch in text]
    words: list[list[tuple[str, str]]] = []
    word: list[tuple[str, str]] = []
    for style, ch in chars:
        if ch.isspace():
            if word:
                words.append(word)
                word = []
        else:
            word.append((style, ch))
    if word:
        words.append(word)
    rows: list[list[tuple[str, str]]] = []
    row: list[tuple[str, str]] = []
    for word in words:
        while len(word) > width:  # a word wider than the window: cut it
            if row:
                rows.append(row)
                row = []
            rows.append(word[:width])
            word = word[width:]
        if row and len(row) + 1 + len(word) > width:
            rows.append(row)
            row = []
        if row:
            row.append((row[-1][0] if row[-1][0] == word[0][0] else "", " "))
        row.extend(word)
    if row or not rows:
        rows.append(row)
    return [_merge(r) for r in rows]


def _merge(row: list[tuple[str, str]]) -> list[Span]:
    out: list[Span] = []
    for style, ch in row:
        if out and out[-1][0] == style:
            out[-1] = (style, out[-1][1] + ch)
        else:
            out.append((style, ch))
    return out
