"""Replay reports: a replayed run as a text or markdown transcript, and the viewer's screens.

Owns: the text and markdown renderers of a replay (header, one step, the final screen;
the text shows the story's emphasised words without their `*` / `_` marks, as line mode
does, the markdown keeps them),
`transcript` (the whole run as one string, what `hyosan replay --plain` prints), and
`viewer_screens` (the same step texts, one per screen, that `engine/ui/replay_viewer.py`
shows). Pure: returns strings; no printing, no terminal, no files. Replaying itself lives
in `engine/replay.py`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from engine.replay import FinalView, ReplayResult, StepView, final_view
from engine.runtime.emphasis import unmarked
from engine.runtime.model import Story
from engine.saves.format import SaveFile

__all__ = [
    "FORMATS",
    "WIDTH",
    "Renderer",
    "last_screen_label",
    "markdown_final",
    "markdown_header",
    "markdown_step",
    "text_final",
    "text_header",
    "text_step",
    "transcript",
    "viewer_screens",
    "wrap",
]

WIDTH = 78


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> str:
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


def _summary(save: SaveFile) -> str:
    steps = len(save.steps)
    ending = f"ending: {save.ending}" if save.ending else "no ending yet"
    return f"seed {save.seed}, {steps} step{'s' * (steps != 1)}, {ending}"


def _episode(view: StepView) -> str:
    title = view.episode_title or ""
    return title if title.startswith("Episode") else f"Episode {view.episode}: {title}"


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "none"


# --- text ---


def text_header(story: Story, save: SaveFile, path: Path, result: ReplayResult) -> str:
    """'Replay of PATH: TITLE' and the save's seed, step count and ending."""
    return f"Replay of {path}: {story.title}\n({_summary(save)})"


def text_step(view: StepView, total: int, width: int) -> str:
    """One step: the scene, the choices offered (the one taken marked `>`), the changes."""
    lines = []
    if view.episode_title:
        lines += [f"== {_episode(view)} ==", ""]
    lines.append(f"Step {view.number} of {total} ({view.node})")
    if view.turning_point:
        lines.append(wrap(f"Turning point: {unmarked(view.turning_point)}", width))
    lines += ["", wrap(unmarked(view.text), width), ""]
    for choice_id, text, taken in view.choices:
        shown = f"{unmarked(text)} [{choice_id}]"
        lines.append(wrap(shown, width, "  > " if taken else "    ", "    "))
    lines.append(wrap(f"You chose: {unmarked(view.choice_text)}", width))
    for change in view.changes:
        lines.append(f"  * {change}")
    return "\n".join(lines)


def text_final(final: FinalView, width: int) -> str:
    """Where the run ends: the last scene, the ending if reached, who survived."""
    title = f"The end: {final.ending}" if final.ending else f"The run stops here ({final.node})"
    lines = [f"== {title} ==", "", wrap(unmarked(final.text), width)]
    if final.summary:
        lines += ["", wrap(unmarked(final.summary), width)]
    lines += ["", wrap(f"Survivors ({len(final.survivors)}): {_names(final.survivors)}", width)]
    if final.lost:
        lines.append(wrap(f"Dead or turned: {_names(final.lost)}", width))
    return "\n".join(lines)


# --- markdown ---


def markdown_header(story: Story, save: SaveFile, path: Path, result: ReplayResult) -> str:
    """The transcript's title and the save's seed, step count and ending."""
    return f"# Replay: {story.title}\n\n`{path}`: {_summary(save)}"


def markdown_step(view: StepView, total: int, width: int) -> str:
    """One step as markdown: headings, the scene, the choices as a list, the changes."""
    lines = []
    if view.episode_title:
        lines += [f"## {_episode(view)}", ""]
    lines += [f"### Step {view.number} of {total} (`{view.node}`)", ""]
    if view.turning_point:
        lines += [f"*Turning point: {view.turning_point}*", ""]
    lines += [wrap(view.text, width), ""]
    for choice_id, text, taken in view.choices:
        lines.append(
            f"- **{text}** (`{choice_id}`, chosen)" if taken else f"- {text} (`{choice_id}`)"
        )
    if view.changes:
        lines += ["", *(f"> {change}  " for change in view.changes)]
    return "\n".join(lines)


def markdown_final(final: FinalView, width: int) -> str:
    """Where the run ends, as markdown."""
    title = f"The end: {final.ending}" if final.ending else f"The run stops here (`{final.node}`)"
    lines = [f"## {title}", "", wrap(final.text, width)]
    if final.summary:
        lines += ["", f"*{final.summary}*"]
    lines += ["", f"**Survivors ({len(final.survivors)}):** {_names(final.survivors)}"]
    if final.lost:
        lines += ["", f"**Dead or turned:** {_names(final.lost)}"]
    return "\n".join(lines)


# --- whole runs ---


class Renderer(NamedTuple):
    """The three pieces of a transcript in one format."""

    header: Callable[[Story, SaveFile, Path, ReplayResult], str]
    step: Callable[[StepView, int, int], str]
    final: Callable[[FinalView, int], str]


_RENDERERS: dict[str, Renderer] = {
    "text": Renderer(text_header, text_step, text_final),
    "markdown": Renderer(markdown_header, markdown_step, markdown_final),
}
FORMATS = tuple(_RENDERERS)


def transcript(
    name: str,
    story: Story,
    save: SaveFile,
    path: Path,
    result: ReplayResult,
    views: Sequence[StepView],
    with_final: bool,
    width: int = WIDTH,
) -> str:
    """The run in format `name` (one of FORMATS): the header, each of `views`, and the
    final screen when `with_final` and the whole save replayed."""
    render = _RENDERERS[name]
    total = result.matched_steps
    parts = [render.header(story, save, path, result)]
    parts += [render.step(view, total, width) for view in views]
    if with_final and result.divergence is None:
        parts.append(render.final(final_view(story, result.states[-1]), width))
    return "\n\n".join(parts)


def viewer_screens(
    story: Story, result: ReplayResult, views: Sequence[StepView], width: int
) -> list[str]:
    """One text per screen of the viewer: each step, then the final screen (or, when the
    save no longer replays to its end, where and why it stops)."""
    screens = [text_step(view, len(views), width) for view in views]
    if result.divergence is None:
        screens.append(text_final(final_view(story, result.states[-1]), width))
    else:
        stop = f"== The replay stops after step {result.matched_steps} =="
        screens.append(f"{stop}\n\n{wrap(result.divergence.describe(), width)}")
    return screens


def last_screen_label(story: Story, result: ReplayResult) -> str:
    """What the viewer's status line calls the screen after the last step."""
    if result.divergence is not None:
        return "the replay stops here"
    return "the end" if final_view(story, result.states[-1]).ending else "where the run stops"
