"""Where the full-screen game's story pane is scrolled, and what the reader has seen.

Owns: the first line shown (`top`), where the current scene starts, and how far down
the reader has seen it, so the game knows whether text is still hidden below the
window (then the choices wait). Pure arithmetic over line counts: no prompt_toolkit.
"""

from __future__ import annotations

__all__ = ["Viewport"]


class Viewport:
    """The scroll of a pane of `length` lines in a window `height` lines tall."""

    def __init__(self) -> None:
        self.top = 0
        self.start = 0  # the current scene's first line
        self.seen = 0  # lines [0, seen) have been on screen since the scene began
        self.length = 0
        self.height = 0

    def show_scene(self, start: int) -> None:
        """A new scene begins at line `start`: show it from its top; nothing seen yet."""
        self.start = self.top = start
        self.seen = 0

    def fit(self, length: int, height: int) -> None:
        """New content or window size. A window that shrinks while the end of the text
        is shown keeps the end in view; the top never goes past what fills the window."""
        at_end = self.height > 0 and self.top + self.height >= self.length
        self.length, self.height = length, max(0, height)
        if at_end and self.seen >= self.length:
            self.top = max(0, length - self.height)
        self.top = max(0, min(self.top, length - self.height))

    def mark_seen(self) -> None:
        """The lines in the window now have been shown."""
        self.seen = max(self.seen, self.top + self.height)

    def hidden_below(self, height: int | None = None) -> int:
        """Lines of the scene below the window never shown yet (with `height`: if the
        window were that tall)."""
        bottom = self.top + (self.height if height is None else height)
        return max(0, self.length - max(self.seen, bottom))

    @property
    def below(self) -> int:
        """Lines below the window now (seen or not)."""
        return max(0, self.length - self.top - self.height)

    def scroll(self, lines: int) -> None:
        self.top = max(0, min(self.top + lines, self.length - self.height))

    def page(self, pages: int) -> None:
        """Scroll by whole windows, keeping one line of the last one to read on from."""
        self.scroll(pages * max(1, self.height - 1))

    def home(self) -> None:
        self.top = 0

    def end(self) -> None:
        self.top = max(0, self.length - self.height)
