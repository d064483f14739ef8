"""The replay viewer's pager: which step and which lines of it are shown, what each key
does to that, and the status line that says so. Pure (no terminal), so it is tested
without one; `engine/ui/replay_viewer.py` draws it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prompt_toolkit.utils import get_cwidth

__all__ = ["KEYS_HELP", "KEYS_HINT", "MOVES", "Pager", "scroll_label", "status_line"]

# The keys the status line names, from all of them to the fewest: the first that fits
# the window is shown (the whole list is always a `?` away).
_HINTS: tuple[tuple[str, ...], ...] = (
    ("n next", "p previous", "Space more", "PgUp back", "a number, Enter: go to", "q quit"),
    ("n next", "p prev", "Space more", "PgUp back", "a number, Enter: go to", "q quit"),
    ("n next", "p previous", "Space more", "PgUp back", "q quit", "? all keys"),
    ("n next", "p prev", "Space more", "PgUp back", "q quit", "? all keys"),
    ("n next", "p prev", "Space more", "q quit", "? keys"),
    ("n next", "p prev", "q quit", "? keys"),
    ("n next", "p prev", "q quit"),
    ("q quit",),
    (),
)
_TYPED_HINTS: tuple[tuple[str, ...], ...] = (
    ("Enter goes", "Backspace edits", "Esc cancels"),
    ("Enter goes", "Esc cancels"),
    ("Enter goes",),
    (),
)
KEYS_HINT = " · ".join(_HINTS[0])
KEYS_HELP = (
    "Keys: n or → next step · p or ← previous · Space, PgDn and PgUp page · ↑ ↓ a line · "
    "Home, End the first and last · a number then Enter: that step · q or Esc quits."
)
_MAX_TYPED = 6  # digits: more cannot be a step number
_DIGITS = "0123456789"


class Pager:
    """Which screen is shown (0-based; the last one comes after the last step), how far
    it is scrolled (`top`, its first line shown) and the step number being typed.

    `lengths` holds each screen's line count and `height` how many lines fit; the viewer
    refits both on every redraw, as a resize changes them.
    """

    def __init__(self, lengths: Sequence[int], position: int = 0, height: int = 20) -> None:
        self.lengths = list(lengths) or [0]
        self.height = max(1, height)
        self.position = min(max(position, 0), len(self.lengths) - 1)
        self.top = 0
        self.typed = ""

    @property
    def screens(self) -> int:
        return len(self.lengths)

    @property
    def bottom(self) -> int:
        """The largest `top`: the screen's last line is then on the last row."""
        return max(0, self.lengths[self.position] - self.height)

    @property
    def at_end(self) -> bool:
        """True when the current screen's last line is visible."""
        return self.top >= self.bottom

    def fit(self, lengths: Sequence[int], height: int) -> None:
        """New line counts and a new height (a redraw, maybe after a resize)."""
        self.lengths = list(lengths) or [0]
        self.height = max(1, height)
        self.position = min(self.position, len(self.lengths) - 1)
        self.top = min(self.top, self.bottom)

    def press(self, key: str) -> bool:
        """Handle one key (a prompt_toolkit key name; "space" for the space bar).
        False when the viewer should close."""
        if key in ("q", "Q", "c-c", "c-d") or (key == "escape" and not self.typed):
            return False
        if len(key) == 1 and key in _DIGITS:  # ASCII only: int('²') would fail
            self.typed = (self.typed + key)[:_MAX_TYPED]
        elif key in ("backspace", "escape"):
            self.typed = self.typed[:-1] if key == "backspace" else ""
        elif key == "enter" and self.typed:
            number, self.typed = int(self.typed), ""
            self.go(number - 1)
        elif key in MOVES:
            self.typed = ""
            MOVES[key](self)
        return True

    def go(self, index: int) -> None:
        """Show screen `index` (clamped to the run) from its first line."""
        index = min(max(index, 0), self.screens - 1)
        if index != self.position:
            self.position, self.top = index, 0

    def next(self) -> None:
        self.go(self.position + 1)

    def previous(self) -> None:
        self.go(self.position - 1)

    def first(self) -> None:
        self.go(0)
        self.top = 0

    def last(self) -> None:
        self.go(self.screens - 1)
        self.top = 0

    def page_down(self) -> None:
        """Scroll one page on; at the screen's end, go to the next screen."""
        if self.at_end:
            self.go(self.position + 1)
        else:
            self.top = min(self.top + self._page(), self.bottom)

    def page_up(self) -> None:
        """Scroll one page back; at the screen's top, show the end of the previous one."""
        if self.top > 0:
            self.top = max(0, self.top - self._page())
        elif self.position > 0:
            self.position -= 1
            self.top = self.bottom

    def line_down(self) -> None:
        self.top = min(self.top + 1, self.bottom)

    def line_up(self) -> None:
        self.top = max(0, self.top - 1)

    def _page(self) -> int:
        return max(1, self.height - 1)  # one line stays, to read on from


MOVES: dict[str, Callable[[Pager], None]] = {
    **dict.fromkeys(("n", "N", "right"), Pager.next),  # Enter only ends a typed number
    **dict.fromkeys(("p", "P", "left"), Pager.previous),
    **dict.fromkeys(("space", "pagedown"), Pager.page_down),
    "pageup": Pager.page_up,
    "down": Pager.line_down,
    "up": Pager.line_up,
    "home": Pager.first,
    "end": Pager.last,
}


def status_line(pager: Pager, steps: int, last: str, width: int = 0) -> str:
    """The bottom line: where the viewer is and what the keys do, or the number typed.

    `steps` is how many steps the run has; `last` names the screen after them. With a
    `width`, the line fits in that many columns: fewer and shorter key hints as it
    shrinks, and at the very least where the reader is, cut short. It never wraps.
    """
    if pager.typed:
        where, variants = f"go to step {pager.typed}", _TYPED_HINTS
    else:
        where = f"step {pager.position + 1}/{steps}" if pager.position < steps else last
        variants = _HINTS
    for hints in variants:
        line = " · ".join((where, *hints))
        if width <= 0 or get_cwidth(line) <= width:
            return line
    return _cut(where, width)


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` columns, ending in "…" when cut."""
    if get_cwidth(text) <= width:
        return text
    out, used = "", 1
    for char in text:
        used += get_cwidth(char)
        if used > width:
            break
        out += char
    return out + "…" if width > 0 else ""


def scroll_label(pager: Pager) -> str:
    """Which lines of a screen too long for the window are shown; "" when it all fits."""
    length = pager.lengths[pager.position]
    if length <= pager.height:
        return ""
    shown = min(pager.top + pager.height, length)
    more = " ▼ Space for more" if shown < length else ""
    return f"lines {pager.top + 1}-{shown} of {length}{more}"
