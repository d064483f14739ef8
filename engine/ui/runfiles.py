"""What the player is told about where runs are kept, as plain data for `commands.py`.

Owns: the list of saved games the load command offers (the saves folder, then the old
project folder), the lines printed on the way out (where the run is, the command that
brings it back), and the texts of the questions asked before a save is replaced. Returns
strings and (label, line) pairs; `commands.Game` turns them into menu items and replies.
No terminal code and no printing; it writes nothing itself (the way out asks the session
to write what is unwritten).
"""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path

from engine.saves.files import is_slot_name, list_slots, slot_path
from engine.saves.format import SaveError
from engine.session import Session
from engine.ui import screen

__all__ = [
    "ANSWER_HINT",
    "cut_question",
    "farewell",
    "resume_command",
    "save_question",
    "saves_menu",
    "slot_label",
]

Item = tuple[str, str]  # (what the player reads, the line it stands for)
ANSWER_HINT = "y: yes · n, Enter or Esc: no · nothing else happens until you answer."


def resume_command(program: list[str], resume_args: list[str], target: str) -> str:
    """The command that brings the run back, as the shell would take it."""
    return shlex.join([*program, "play", *resume_args, "--load", target])


def farewell(session: Session, program: list[str], resume_args: list[str]) -> list[str]:
    """Write what is unwritten; the lines to print on the way out."""
    where = session.flush()
    lines = session.take_notes()
    if session.dirty and session.autosave_error:
        return [*lines, f"Could not save your run: {session.autosave_error}"]
    target = session.resume_target()
    if session.autosave_error:
        lines.append(f"The autosave was not updated: {session.autosave_error}")
    if where is not None and target is not None:
        return [
            *lines,
            f"Your run is saved in {where}.",
            f"To resume: {resume_command(program, resume_args, target)}",
        ]
    lines.append("Nothing to save: no choice was made in this game.")
    left = session.left[-1] if session.left else None
    place = (left.path or left.source) if left is not None else None
    if place is not None:
        back = _target(session.saves_dir, place)
        lines.append(f"Your previous run is saved in {place}.")
        lines.append(f"To resume it: {resume_command(program, resume_args, back)}")
    return lines


def _target(folder: Path, path: Path) -> str:
    return path.stem if path.parent == folder and is_slot_name(path.stem) else str(path)


def slot_label(folder: Path, path: Path | str) -> str:
    """How a save file is named to `load`: its slot name in `folder`, else its path."""
    path = Path(path)
    if is_slot_name(path.stem) and slot_path(folder, path.stem) == path:
        return path.stem
    return str(path)


def saves_menu(session: Session, now: datetime | None) -> tuple[str, list[Item]] | str:
    """The saved games to pick from, newest first: (title, items); or, when there are
    none, the message saying so. This story's saves in the project's old folder come
    after, marked."""
    folder = session.saves_dir
    items = _items(session, folder, now, "")
    if session.fallback is not None:
        taken = {label for label, _ in items}
        old = _items(session, session.fallback, now, " · old saves folder", old=True)
        items += [item for item in old if item[0] not in taken]
    if not items:
        return f"No saved games in {folder}."
    return f"SAVED GAMES in {folder}", items


def _items(
    session: Session, folder: Path, now: datetime | None, mark: str, old: bool = False
) -> list[Item]:
    try:
        slots = list_slots(folder)
    except OSError:
        slots = []
    items = []
    for path, save in slots:
        target = str(path) if old else slot_label(folder, path)
        name = path.stem if old else target
        if old and (isinstance(save, SaveError) or save.story_id != session.story.id):
            continue  # the old folder held every story's saves: show this story's only
        if isinstance(save, SaveError):
            items.append((f"{name} · cannot be read: {save.message}{mark}", f"load {target}"))
            continue
        story = "" if save.story_id == session.story.id else f" · story {save.story_id}"
        desc = screen.describe_save(save, now)
        date = save.updated[:16].replace("T", " ")
        items.append((f"{name} · {desc} ({date}){story}{mark}", f"load {target}"))
    return items


def cut_question(session: Session, cut: int) -> tuple[str, list[Item]]:
    """The question asked before a choice replaces saved steps of the run (after an
    undo): the title and the answers (no, yes: replace, keep both)."""
    turn = session.turn
    name = session.slot or "this run"
    steps = f"turn {turn + 1}" if cut == 1 else f"turns {turn + 1}-{turn + cut}"
    title = f"Really play on from turn {turn + 1}? This replaces {steps} of your saved run. (y/N)"
    return title, [
        ("No: stay here (redo goes on as before)", "no"),
        (f"Yes: replace {steps} (the old run is kept as {name}.bak.yaml)", "yes"),
        (f"Keep both: “{name}” stays whole, and this run goes on in a new file", "keep"),
    ]


def save_question(slot: str, other: str) -> tuple[str, list[Item]]:
    """The question asked before `save SLOT` replaces a save holding `other`."""
    title = f"Really replace the save “{slot}”? (y/N)"
    return title, [
        (f"No: keep it (it holds {other}; save NAME saves under another name)", "no"),
        (f"Yes: replace it (the old one is kept as {slot}.bak.yaml)", "yes"),
    ]
