"""The full-screen game laid out for a window size, as data: no prompt_toolkit.

Owns: what the player is looking at besides the game itself (the highlighted choice, an
open panel, the message, the status bar's names, the scroll of the story pane and of a
panel), what a command's reply changes in it (`ScreenModel.show`), and `lay_out`, which
turns it into a `Frame`: every part's lines and height for `rows` x `columns`. Since
every height is computed here, the game knows what the reader can see: while the scene
goes on below the window (or would be pushed up unseen by the menu), the menu is one
line saying so, and the choices wait. `engine.ui.terminal` draws frames and reads keys.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from engine.ui import screen
from engine.ui.commands import Game, Reply
from engine.ui.guard import shown
from engine.ui.panes import Line, Scrollback, story_pane
from engine.ui.reply import LOAD_HINT, LOAD_HINT_KEYS
from engine.ui.viewport import Viewport

__all__ = ["PANEL_KEYS", "Frame", "ScreenModel", "more_lines", "rule_line", "text_width"]

_MAX_TEXT_WIDTH = 100
_MAX_MENU = 12
PANEL_KEYS = {"help": "?", "roster": "r", "inventory": "i", "compare": "c"}


def text_width(columns: int) -> int:
    """The story's text width in a window `columns` wide."""
    return max(20, min(columns - 4, _MAX_TEXT_WIDTH))


@dataclass
class Frame:
    """One screenful, laid out: every part's lines and height."""

    lines: list[Line]  # the whole story pane (the view says which part shows)
    status: list[Line]
    message: list[Line]
    menu: list[Line]
    menu_height: int
    text_height: int
    gated: bool  # the scene goes on below: the menu says so and the choices wait
    view: Viewport
    filler: int = 0  # empty rows above the status bar when the text is short


class ScreenModel:
    """The state of the full screen apart from the game, and its layout."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self.selected = self.undone_choice()  # the first choice that can be taken
        self.panel: tuple[str, str] | None = None  # (title, text) shown instead of the scene
        self.panel_name = ""  # the command that opened it: its key closes it
        self.message = ""
        self.message_is_error = False
        self.first_scene = True
        self.show_names = False  # the status bar: counts, or (Tab) every name
        self.command_mode = False
        self.history = Scrollback()
        self.scene_view = Viewport()
        self.panel_view = Viewport()
        self.new_scene = True  # the next layout shows the current scene from its top
        self.redraw_soon = False  # the menu has just opened: draw again
        self.holding = False  # the whole scene is shown; the menu waits for a key
        self.read_before = False  # the next scene was read before (an undo goes back to it)
        self.message_is_read_on = False  # the message asks to read on first
        self._laid_out_width = 0

    def say(self, message: str, error: bool = False) -> None:
        self.message, self.message_is_error = shown(message).replace("\n", " "), error
        self.message_is_read_on = False

    def show(self, reply: Reply) -> None:
        """Show what a command did (leaving is the front end's)."""
        if reply.title or reply.panel:
            self.panel = (reply.title, reply.panel)
            self.panel_view = Viewport()
        if reply.moved:
            self.panel, self.panel_name = None, ""
            self.first_scene = False
            self.new_scene = True
            self.selected = self.undone_choice()
        if reply.menu:
            self.selected = 0
        if reply.message == LOAD_HINT:  # the keys of the full screen, not line mode's
            self.say(LOAD_HINT_KEYS)
            return
        self.say(reply.message, reply.error)

    def wait_message(self, unread: int) -> str:
        """What a number says while the choices wait."""
        if self.panel is not None:
            return "The scene goes on below: Esc goes back to read it, then choose."
        if unread:
            return f"Read on first: Space or PgDn ({more_lines(unread)})."
        return "Space or Enter shows the choices."

    def unknown_key_message(self, pressed: str, gated: bool) -> str:
        name = pressed if len(pressed) == 1 and pressed.isprintable() else str(pressed)
        hint = "Space reads on, then you choose; ? lists the keys." if gated else ""
        return f"The key “{name}” does nothing here. {hint or self.game.hint()}"

    def toggle_names(self) -> None:
        self.show_names = not self.show_names
        self.say("Tab hides the names." if self.show_names else "")

    def escape(self) -> None:
        """Esc: close the panel or the load menu."""
        if self.panel is not None:
            self.panel, self.panel_name = None, ""
        elif self.game.submenu:
            self.game.close_submenu()
        self.say("")

    def lay_out(self, rows: int, columns: int) -> Frame:
        game = self.game
        width = text_width(columns)
        game.width = width
        close_key = PANEL_KEYS.get(self.panel_name, "")
        pane = story_pane(game, self.panel, width, self.first_scene, self.history, close_key)
        if self.new_scene or width != self._laid_out_width:  # a resize re-wraps: from the top
            read = not self.new_scene and self.scene_view.hidden_below() == 0
            read, self.read_before = read or self.read_before, False
            self.scene_view.show_scene(pane.start)
            self.scene_view.seen = len(pane.lines) if read else 0  # what was read stays read
            self.new_scene, self._laid_out_width = False, width
        view = self.panel_view if self.panel is not None else self.scene_view
        status = self.status_lines(columns)[: max(1, rows // 3)]
        message = self.message_lines(columns, gated=False)
        room = max(1, rows - len(status) - len(message) - (1 if self.command_mode else 0) - 1)
        menu_height = min(_MAX_MENU, max(1, room - max(2, room // 3)))
        menu = self.menu_lines(width, menu_height)
        menu_height = min(menu_height, len(menu))
        gateable = not (game.offer or game.submenu or game.session.is_over)
        if self.panel is not None:  # the scene's choices wait under a panel too
            gated = gateable and (self.scene_view.hidden_below() > 0 or self.holding)
            view.fit(len(pane.lines), room - (1 if gated else menu_height))
            if gated:
                menu, menu_height = [panel_gate_line(width)], 1
        else:
            gated = self._gate(len(pane.lines), room, menu_height, gateable)
            if gated:
                menu, menu_height = [gate_line(view, width)], 1
        if gated:
            message = self.message_lines(columns, gated=True)
        view.mark_seen()
        text_height = min(room - menu_height, max(1, len(pane.lines) - view.top))
        filler = room - menu_height - text_height  # a short text: the menu follows it
        frame = Frame(pane.lines, status, message, menu, menu_height, text_height, gated, view)
        frame.filler = filler
        return frame

    def _gate(self, length: int, room: int, menu_height: int, gateable: bool) -> bool:
        """Fit the scene's view; True when the choices must wait: the scene goes on below
        the window, or (`holding`) it is all on screen but opening the menu would push
        its first lines up unseen, so it waits for the reader to ask (Space)."""
        view = self.scene_view
        too_long = length - view.start > room - menu_height
        if self.holding and not (gateable and too_long):
            self.holding = False
        view.fit(length, room - menu_height)
        if not gateable or (view.hidden_below() == 0 and not self.holding):
            return False
        if self.holding and view.top > view.start:  # not moved down by the menu's room
            view.top = view.start
        view.fit(length, room - 1)
        view.mark_seen()
        if view.hidden_below(room - menu_height) == 0:  # all of it has been on screen
            if view.top > view.start:  # the reader read on to the end: open the menu now
                self.redraw_soon = True
            else:  # shown from its top: opening now would hide its first lines
                self.holding = True
        return True

    def read_on(self) -> None:
        """The reader asked for more of the scene (Space, PgDn, End, the wheel)."""
        self.holding = False
        if self.message_is_read_on:
            self.say("")

    def menu_lines(self, width: int, height: int) -> list[Line]:
        """The menu in at most `height` lines. When the labels do not all fit wrapped,
        each is cut to one line but the highlighted one; when even that is too long, the
        lines around the highlight, with a mark for the choices above and below."""
        game = self.game
        items = game.menu()
        self.selected = min(self.selected, max(0, len(items) - 1))
        title = "" if game.offer is not None else game.menu_title()  # the pane says it
        head: list[Line] = [[("class:choice.title", f" {t}")] for t in textwrap.wrap(title, width)]
        for short in (False, True):
            out, spans = list(head), []
            for number, item in enumerate(items, start=1):
                is_selected = number - 1 == self.selected
                style = "class:choice.disabled" if item.locked else "class:choice"
                style = "class:choice.selected" if is_selected else style
                marker = "▸" if is_selected else " "
                lines = textwrap.wrap(item.label, max(10, width - 6)) or [""]
                if short and not is_selected and len(lines) > 1:
                    lines = [textwrap.shorten(item.label, max(10, width - 6), placeholder="…")]
                spans.append((len(out), len(out) + len(lines)))
                out.append([(style, f"{marker}{number:>2}. {lines[0]}")])
                out += [[(style, f"     {rest}")] for rest in lines[1:]]
            if len(out) <= height:
                return out
        # Too long even cut: the title stays (a question must be read), then the choices
        # around the highlighted one.
        kept = head[: max(1, height - 3)] if height > 3 else []
        if len(kept) < len(head) and kept:
            rest = " ".join(textwrap.wrap(title, width)[len(kept) - 1 :])
            kept[-1] = [
                ("class:choice.title", " " + textwrap.shorten(rest, width, placeholder="…"))
            ]
        body = out[len(head) :]
        span = spans[self.selected] if spans else (len(head), len(head) + 1)
        span = (span[0] - len(head), span[1] - len(head))
        return kept + _around(body, span, height - len(kept))

    def message_lines(self, columns: int, gated: bool) -> list[Line]:
        """The message (up to 4 lines), or one line saying what to press."""
        width = max(10, columns - 2)
        if self.message:
            style = "class:message.error" if self.message_is_error else "class:message"
            return [[(style, " " + line)] for line in textwrap.wrap(self.message, width)[:4]]
        count = len(self.game.menu())
        numbers = "1" if count == 1 else f"1-{count}"
        hint = f"↑↓ Enter or {numbers} to choose · PgUp: earlier scenes · ? help · q quit"
        if columns < 80 or self.game.offer is not None:  # the offer has no scrollback
            hint = f"{numbers} or ↑↓ Enter · ? help · q quit"
        if gated:
            hint = "Space reads on · ? help · q quit"
            if self.holding:
                hint = "Space: the choices · ? help · q quit"
        return [[("class:rule", " " + textwrap.shorten(hint, width, placeholder="…"))]]

    def status_lines(self, columns: int) -> list[Line]:
        session = self.game.session
        if self.game.offer is not None:  # the run offered is not the one under it
            return [[("class:status.episode", " " + session.story.title[: columns - 2])]]
        fragments = screen.status_fragments(session.story, session.state, self.show_names)
        if columns < 60:  # "Ep 3": the compact bar fits one line of a small window
            fragments[0] = (fragments[0][0], fragments[0][1].replace("Episode", "Ep"))
        if not self.show_names and columns >= 70:
            fragments.append(("class:status.sep", "  · Tab: names"))
        return [[("", " "), *line] for line in screen.flow(fragments, max(10, columns - 2))]

    def undone_choice(self) -> int:
        """After an undo, the choice undone is highlighted (Enter takes it again); else
        the first choice that can be taken (not one greyed out)."""
        redo = self.game.session.redo_stack
        items = self.game.menu()
        lines = [item.line for item in items]
        wanted = f"choose {redo[-1]}" if redo else None
        if wanted in lines:
            return lines.index(wanted)
        return next((n for n, item in enumerate(items) if not item.locked), 0)


def more_lines(count: int) -> str:
    return f"{count} more line{'s' if count != 1 else ''}"


def gate_line(view: Viewport, width: int) -> Line:
    """The menu while the scene goes on below the window (or, all on screen, waits for
    the reader to ask for the choices)."""
    count = view.hidden_below()
    if count == 0:
        text = "▼ The choices come next: Space or Enter shows them."
        if len(text) > width:
            text = "▼ Space: the choices"
    else:
        text = f"▼ The scene goes on below ({more_lines(count)}): Space or PgDn reads on."
        if len(text) > width:
            text = f"▼ Read on with Space ({more_lines(count)})"
    return [("class:choice.locked", " " + text[:width])]


def panel_gate_line(width: int) -> Line:
    """The menu under a panel opened before the scene was read to its end."""
    text = "▼ The scene goes on: Esc goes back to read it, then choose."
    if len(text) > width:
        text = "▼ Esc: back to the scene"
    return [("class:choice.locked", " " + text[:width])]


def rule_line(view: Viewport, columns: int, below: bool = True) -> Line:
    """The line under the story pane: what lies above and below the window (not below,
    without `below`: the menu's gate line says it, counting what is still unread)."""
    parts = []
    if view.top > 0:
        parts.append("▲ PgUp: earlier" if columns >= 60 else "▲ PgUp")
    if view.below > 0 and below:
        parts.append(f"▼ {more_lines(view.below)} below: Space")
    label = (" " + " · ".join(parts) + " ") if parts else ""
    return [("class:rule", ("──" + label).ljust(columns, "─")[:columns])]


def _around(lines: list[Line], selected: tuple[int, int], height: int) -> list[Line]:
    """`height` lines of `lines` from just above the `selected` range; the first and last
    line become a mark when choices are hidden above or below."""
    if height < 3:  # no room for marks: the highlighted line itself
        top = max(0, min(selected[0], len(lines) - height))
        return lines[top : top + height]
    top = max(0, min(selected[0] - 1, len(lines) - height))
    shown = lines[top : top + height]
    if top > 0:
        shown[0] = [("class:choice.locked", "  ▲ more choices above: ↑")]
    if top + height < len(lines):
        shown[-1] = [("class:choice.locked", "  ▼ more choices below: ↓")]
    return shown
