"""`hyosan replay SAVE`: show a saved run again, check it, or branch off from a step.

Modes: an interactive viewer on a terminal (n/p/enter/q, a number + enter jumps);
a transcript (`--plain`, `--format markdown`, or whenever stdout is not a terminal);
`--check` (silent, exit 1 when the replay differs in any way); `--branch-at N` (writes a
new save holding the first N steps and prints how to play on). Rendering lives here;
replaying lives in `engine/replay.py`, files in `engine/saves.py`.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from engine import BUNDLED_STORY
from engine.cli._options import add_story_arguments
from engine.compiler.loader import load_story
from engine.errors import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, UserError
from engine.replay import FinalView, ReplayResult, StepView, final_view, replay_save, step_views
from engine.runtime.model import Story
from engine.saves.files import default_saves_dir, read_save, resolve_save, slot_path, write_save
from engine.saves.format import SaveError, SaveFile, make_save

__all__ = ["add_arguments", "run"]

WIDTH = 78


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("save", metavar="SAVE", help="a save file, or a slot name in saves/")
    add_story_arguments(parser, positional=False)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="replay silently; exit 1 if anything differs from the save (for CI)",
    )
    mode.add_argument(
        "--branch-at",
        type=int,
        metavar="N",
        help="write a new save holding the first N steps, to play on from step N",
    )
    mode.add_argument("--plain", action="store_true", help="print the whole run as a transcript")
    parser.add_argument(
        "--format",
        choices=tuple(_RENDERERS),
        default="text",
        help="transcript format: text (default) or markdown (implies --plain)",
    )
    parser.add_argument(
        "--to",
        type=int,
        metavar="N",
        help="start the viewer at step N (with --plain: print steps 1 to N)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="with --branch-at: the new save file (default: SAVE-branch-N.yaml next to SAVE)",
    )


def run(args: argparse.Namespace) -> int:
    if args.out is not None and args.branch_at is None:
        raise UserError("--out only goes with --branch-at N", code=EXIT_USAGE)
    path = resolve_save(default_saves_dir(), args.save)
    save = read_save(path)
    story = load_story(args.story, args.branch)
    result = replay_save(story, save)
    if args.check:
        return _check(path, result)
    for warning in result.warnings:
        print(f"hyosan: warning: {path}: {warning}", file=sys.stderr)
    if args.branch_at is not None:
        return _branch(args, path, story, save, result)
    views = step_views(story, result.states)
    first = _first_screen(args.to, len(views))
    interactive = not args.plain and args.format == "text" and _is_terminal()
    if interactive:
        _interactive(story, save, path, result, views, first)
    else:
        last = len(views) if args.to is None else args.to
        _transcript(args.format, story, save, path, result, views[:last], args.to is None)
    if result.divergence is not None:
        _report_divergence(args, path, result)
        return EXIT_PROBLEM
    return EXIT_OK


def _is_terminal() -> bool:
    return sys.stdout.isatty() and sys.stdin.isatty()


def _first_screen(to: int | None, steps: int) -> int:
    if to is None:
        return 0
    if not 1 <= to <= steps:
        span = f"steps 1 to {steps}" if steps else "no steps"
        raise UserError(f"--to {to}: this run has {span}", code=EXIT_USAGE)
    return to - 1


# --- --check ---


def _check(path: Path, result: ReplayResult) -> int:
    if result.is_exact:
        return EXIT_OK
    for warning in result.warnings:
        print(f"hyosan: {path}: {warning}", file=sys.stderr)
    if result.divergence is not None:
        print(f"hyosan: {path}: {result.divergence.describe()}", file=sys.stderr)
    return EXIT_PROBLEM


def _report_divergence(args: argparse.Namespace, path: Path, result: ReplayResult) -> None:
    if result.divergence is None:
        return
    matched = result.matched_steps
    print(f"hyosan: error: {path}: {result.divergence.describe()}", file=sys.stderr)
    print(
        f"  the first {matched} step{'s' * (matched != 1)} still match the story; "
        f"to keep them and play on:\n    {_command(args, 'replay', path, '--branch-at', matched)}",
        file=sys.stderr,
    )


def _command(args: argparse.Namespace, name: str, *words: object) -> str:
    parts = ["hyosan", name, *(str(w) for w in words)]
    if Path(args.story).resolve() != BUNDLED_STORY.resolve():
        parts += ["--story", str(args.story)]
    for branch in args.branch:
        parts += ["--branch", str(branch)]
    return shlex.join(parts)


# --- --branch-at ---


def _branch(
    args: argparse.Namespace, path: Path, story: Story, save: SaveFile, result: ReplayResult
) -> int:
    at = args.branch_at
    if at < 0 or at > len(save.steps):
        raise UserError(
            f"--branch-at {at}: this run has steps 0 to {len(save.steps)}", code=EXIT_USAGE
        )
    if at > result.matched_steps:
        reason = result.divergence.reason if result.divergence else "it diverges"
        raise SaveError(
            path,
            f"cannot branch at step {at}: the story no longer replays past step "
            f"{result.matched_steps} ({reason})",
            hint=f"branch at {result.matched_steps} or earlier",
        )
    out = args.out if args.out is not None else _free_name(path, at)
    if out.exists():
        raise SaveError(out, "already exists; a branch never overwrites a file", hint="--out PATH")
    slot = out.name.removesuffix(".yaml")
    branch = make_save(story, save.seed, result.states[: at + 1], slot if _is_slot(slot) else None)
    write_save(out, branch)
    print(f"Wrote {out}: the first {at} steps of {path} (the original is unchanged).")
    print("Play on from there with:")
    print(f"  {_command(args, 'play', '--load', out)}")
    return EXIT_OK


def _free_name(path: Path, at: int) -> Path:
    stem = path.name.removesuffix(".yaml")
    candidate = path.with_name(f"{stem}-branch-{at}.yaml")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{stem}-branch-{at}-{number}.yaml")
        number += 1
    return candidate


def _is_slot(name: str) -> bool:
    try:
        slot_path(Path("."), name)
    except SaveError:
        return False
    return True


# --- rendering ---


def _wrap(text: str, width: int, first: str = "", rest: str | None = None) -> str:
    """Paragraphs (blank-line separated) filled to `width`, each line indented."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "\n\n".join(
        textwrap.fill(
            " ".join(p.split()),
            width,
            initial_indent=first,
            subsequent_indent=first if rest is None else rest,
            break_on_hyphens=False,  # "Nam-ra" stays whole
        )
        for p in paragraphs
    )


def _summary(save: SaveFile, result: ReplayResult) -> str:
    steps = len(save.steps)
    ending = f"ending: {save.ending}" if save.ending else "no ending yet"
    return f"seed {save.seed}, {steps} step{'s' * (steps != 1)}, {ending}"


def _text_header(story: Story, save: SaveFile, path: Path, result: ReplayResult) -> str:
    return f"Replay of {path}: {story.title}\n({_summary(save, result)})"


def _episode(view: StepView) -> str:
    title = view.episode_title or ""
    return title if title.startswith("Episode") else f"Episode {view.episode}: {title}"


def _text_step(view: StepView, total: int, width: int) -> str:
    lines = []
    if view.episode_title:
        lines += [f"== {_episode(view)} ==", ""]
    lines.append(f"Step {view.number} of {total} ({view.node})")
    if view.turning_point:
        lines.append(_wrap(f"Turning point: {view.turning_point}", width))
    lines += ["", _wrap(view.text, width), ""]
    for choice_id, text, taken in view.choices:
        lines.append(_wrap(f"{text} [{choice_id}]", width, "  > " if taken else "    ", "    "))
    lines.append(_wrap(f"You chose: {view.choice_text}", width))
    for change in view.changes:
        lines.append(f"  * {change}")
    return "\n".join(lines)


def _text_final(final: FinalView, width: int) -> str:
    title = f"The end: {final.ending}" if final.ending else f"The run stops here ({final.node})"
    lines = [f"== {title} ==", "", _wrap(final.text, width)]
    if final.summary:
        lines += ["", _wrap(final.summary, width)]
    lines += ["", _wrap(f"Survivors ({len(final.survivors)}): {_names(final.survivors)}", width)]
    if final.lost:
        lines.append(_wrap(f"Dead or turned: {_names(final.lost)}", width))
    return "\n".join(lines)


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "none"


def _md_header(story: Story, save: SaveFile, path: Path, result: ReplayResult) -> str:
    return f"# Replay: {story.title}\n\n`{path}`: {_summary(save, result)}"


def _md_step(view: StepView, total: int, width: int) -> str:
    lines = []
    if view.episode_title:
        lines += [f"## {_episode(view)}", ""]
    lines += [f"### Step {view.number} of {total} (`{view.node}`)", ""]
    if view.turning_point:
        lines += [f"*Turning point: {view.turning_point}*", ""]
    lines += [_wrap(view.text, width), ""]
    for choice_id, text, taken in view.choices:
        lines.append(
            f"- **{text}** (`{choice_id}`, chosen)" if taken else f"- {text} (`{choice_id}`)"
        )
    if view.changes:
        lines += ["", *(f"> {change}  " for change in view.changes)]
    return "\n".join(lines)


def _md_final(final: FinalView, width: int) -> str:
    title = f"The end: {final.ending}" if final.ending else f"The run stops here (`{final.node}`)"
    lines = [f"## {title}", "", _wrap(final.text, width)]
    if final.summary:
        lines += ["", f"*{final.summary}*"]
    lines += ["", f"**Survivors ({len(final.survivors)}):** {_names(final.survivors)}"]
    if final.lost:
        lines += ["", f"**Dead or turned:** {_names(final.lost)}"]
    return "\n".join(lines)


class _Renderer(NamedTuple):
    header: Callable[[Story, SaveFile, Path, ReplayResult], str]
    step: Callable[[StepView, int, int], str]
    final: Callable[[FinalView, int], str]


_RENDERERS: dict[str, _Renderer] = {
    "text": _Renderer(_text_header, _text_step, _text_final),
    "markdown": _Renderer(_md_header, _md_step, _md_final),
}


def _transcript(
    name: str,
    story: Story,
    save: SaveFile,
    path: Path,
    result: ReplayResult,
    views: list[StepView],
    with_final: bool,
) -> None:
    render = _RENDERERS[name]
    total = result.matched_steps
    parts = [render.header(story, save, path, result)]
    parts += [render.step(view, total, WIDTH) for view in views]
    if with_final and result.divergence is None:
        parts.append(render.final(final_view(story, result.states[-1]), WIDTH))
    print("\n\n".join(parts))


# --- the interactive viewer ---


class Pager:
    """Which screen is shown (0-based; the last one is the final screen), driven by keys.

    Pure, so the key handling is tested without a terminal.
    """

    def __init__(self, screens: int, position: int = 0) -> None:
        self.screens = screens
        self.position = position
        self.typed = ""

    def press(self, key: str) -> bool:
        """Handle one key; False when the viewer should close."""
        if key in ("q", "Q", "\x04", "\x1b"):
            return False
        if key.isdigit():
            self.typed += key
        elif key in ("\x7f", "\b"):
            self.typed = self.typed[:-1]
        elif key in ("\r", "\n") and self.typed:
            self.position = min(max(int(self.typed), 1), self.screens) - 1
            self.typed = ""
        elif key in ("n", "N", " ", "\r", "\n", "right"):
            self.position = min(self.position + 1, self.screens - 1)
        elif key in ("p", "P", "left"):
            self.position = max(self.position - 1, 0)
        return True


def _interactive(
    story: Story,
    save: SaveFile,
    path: Path,
    result: ReplayResult,
    views: list[StepView],
    first: int,
) -> None:
    width = min(WIDTH, max(40, _terminal_width() - 2))
    screens = [_text_step(view, len(views), width) for view in views]
    if result.divergence is None:
        screens.append(_text_final(final_view(story, result.states[-1]), width))
    header = _text_header(story, save, path, result)
    header += "".join(f"\nwarning: {w}" for w in result.warnings)  # the screen clears stderr
    pager = Pager(len(screens), first)
    read_key = _key_reader()
    while True:
        shown = min(pager.position + 1, len(views))
        status = f"[step {shown}/{len(views)}] n/enter next, p previous, number+enter jump, q quit"
        if pager.typed:
            status += f"  go to: {pager.typed}"
        print(f"\x1b[H\x1b[2J{header}\n\n{screens[pager.position]}\n\n{status}", flush=True)
        if not pager.press(read_key()):
            return


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return WIDTH


_ARROWS = {b"\x1b[C": "right", b"\x1b[D": "left", b"\x1bOC": "right", b"\x1bOD": "left"}


def _key_reader() -> Callable[[], str]:
    """One key at a time from the terminal (cbreak mode); whole lines where that is missing."""
    try:
        import termios
        import tty
    except ImportError:  # not POSIX: fall back to lines
        return lambda: sys.stdin.readline()[:1] or "q"
    pending: list[str] = []  # keys typed faster than they are handled arrive together

    def read_key() -> str:
        if pending:
            return pending.pop(0)
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            data = os.read(fd, 32)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if not data:
            return "q"
        if data in _ARROWS:
            return _ARROWS[data]
        if data.startswith(b"\x1b") and len(data) > 1:
            return ""  # another special key: ignored
        pending.extend(data.decode("latin-1"))
        return pending.pop(0)

    return read_key
