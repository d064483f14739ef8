"""The choice ledger in words: what simulated players chose, and whom they saved.

Owns: the lines the game shows at the end of an episode (`episode_lines`: at each
turning point the player passed, their choice and the canon's, with the share of
simulated players who chose the same) and on the ending screen (`ending_lines`: the
share of runs that saved each character and that reached the player's ending), and the
whole ledger for `hyosan ledger` as text, Markdown or JSON data. The game's two
functions take the ledger from `engine.tools.ledger.ledger_for` (memory, else the
cache, else computed once); everything else takes a `Ledger`. Returns strings or dicts;
no printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.export.graph import node_title, percent
from engine.runtime.model import Node, Story
from engine.tools.ledger import Ledger, PlayerModel, ledger_for

__all__ = [
    "ending_lines",
    "episode_lines",
    "ledger_json",
    "ledger_markdown",
    "ledger_text",
    "model_text",
    "percent",
]

_BAR = 20


def _label(story: Story) -> str:
    return story.canon.label if story.canon is not None else "the canon"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def model_text(model: PlayerModel, label: str = "the show") -> str:
    """The player model in one sentence."""
    return (
        f"At a turning point a simulated player takes {label}'s choice "
        f"{percent(model.canon_follow)} of the time; otherwise each choice weighs "
        f"{model.care:g}x more per character it keeps alive and with the group (and "
        f"{model.care:g}x less per character it loses), looking one step ahead; choices "
        "equal in that are picked uniformly (docs/ledger.md)."
    )


def episode_lines(story: Story, steps: Sequence[tuple[str, str]], episode: int) -> list[str]:
    """For each turning point of `episode` that `steps` passed: the player's choice and the
    canon's, with the share of simulated players who chose each. [] when there is none."""
    passed = [
        (story.nodes[n], c)
        for n, c in steps
        if n in story.nodes
        and story.nodes[n].turning_point is not None
        and story.nodes[n].episode == episode
        and c in story.nodes[n].choice_map
    ]
    if not passed:
        return []
    ledger = ledger_for(story)
    lines: list[str] = []
    for node, choice_id in passed:
        point = node.turning_point
        assert point is not None
        share = ledger.share(node.id, choice_id)
        mine = node.choice_map[choice_id].text
        same = (
            f"{percent(share)} of simulated players chose the same"
            if share is not None
            else "no simulated player reached this point"
        )
        lines.append(f"{point.title}: you chose “{mine}” ({same})")
        canon = node.choice_map.get(point.canon)
        if story.canon is None or canon is None:
            continue
        if canon.id == choice_id:
            lines.append(f"  {_capital(_label(story))} chose the same.")
        else:
            theirs = ledger.share(node.id, canon.id)
            lines.append(
                f"  {_capital(_label(story))} chose “{canon.text}”"
                + (f" ({percent(theirs)} of simulated players)." if theirs is not None else ".")
            )
    return lines


def _ending_of(story: Story, steps: Sequence[tuple[str, str]]) -> Node | None:
    if not steps:
        return None
    node_id, choice_id = steps[-1]
    node = story.nodes.get(node_id)
    choice = node.choice_map.get(choice_id) if node is not None else None
    target = story.nodes.get(choice.goto) if choice is not None else None
    return target if target is not None and target.ending is not None else None


def ending_lines(story: Story, steps: Sequence[tuple[str, str]]) -> list[str]:
    """The share of simulated runs that reached the player's ending and that saved each
    character ("31% of runs saved Gyeong-su"). [] when no simulated run finished."""
    ledger = ledger_for(story)
    if not ledger.finished:
        return []
    lines: list[str] = []
    ending = _ending_of(story, steps)
    if ending is not None and ending.ending is not None:
        share = ledger.ending_share(ending.ending.id) or 0.0
        lines.append(f"{percent(share)} of runs reached your ending, “{ending.ending.title}”.")
    for cid in story.cast_ids:
        share = ledger.alive_share(cid) or 0.0
        lines.append(f"{percent(share)} of runs saved {story.cast[cid].name}.")
    return lines


def _bar(share: float) -> str:
    return "#" * round(share * _BAR)


def _decision_rows(story: Story, ledger: Ledger, node: Node) -> list[tuple[str, str, float, bool]]:
    """(choice id, text, share, taken by the canon) for every choice of a decided node."""
    point = node.turning_point
    counts = ledger.decisions.get(node.id, {})
    total = sum(counts.values()) or 1
    return [
        (c.id, c.text, counts.get(c.id, 0) / total, point is not None and c.id == point.canon)
        for c in node.choices
    ]


def _decided(story: Story, ledger: Ledger, points: bool) -> list[Node]:
    """The nodes where simulated players decided something: turning points, or the
    others with more than one choice (an only choice is always 100%)."""
    nodes = [story.nodes[n] for n in ledger.decisions if n in story.nodes]
    if points:
        return [n for n in nodes if n.turning_point is not None]
    return [n for n in nodes if n.turning_point is None and len(n.choices) > 1]


def _sections(story: Story, ledger: Ledger) -> list[tuple[str, bool]]:
    """The headings of the decisions that have any: turning points first."""
    points, others = _decided(story, ledger, True), _decided(story, ledger, False)
    sections = [("Turning points", True)] if points else []
    if others:
        sections.append(("Other decisions" if points else "Decisions", False))
    return sections


def ledger_text(story: Story, ledger: Ledger) -> str:
    """The whole ledger for a terminal: model, turning points, endings, characters, and
    every other decision."""
    label = _label(story)
    out = [
        f"The choice ledger of {story.title}: {ledger.runs:,} simulated runs (seed "
        f"{ledger.seed}), {ledger.finished:,} reached an ending.",
        model_text(ledger.model, label),
    ]
    for heading, points in _sections(story, ledger):
        nodes = _decided(story, ledger, points)
        out += ["", f"{heading}:"]
        for node in nodes:
            title = f"{node.turning_point.id}: " if node.turning_point else ""
            reached = ledger.reached.get(node.id, 0)
            out.append(f"  {title}{node_title(story, node.id)} ({node.id}, {reached:,} runs)")
            for cid, text, share, canon in _decision_rows(story, ledger, node):
                mark = f"  [{label}]" if canon else ""
                out.append(f"    {percent(share):>5} {_bar(share):<{_BAR}} {cid}: {text}{mark}")
    if ledger.finished:
        out += ["", "Endings (share of finished runs):"]
        for node in story.endings():
            assert node.ending is not None
            share = ledger.ending_share(node.ending.id) or 0.0
            mark = f"  [{label}]" if node.ending.id == story.canon_ending else ""
            out.append(f"    {percent(share):>5} {_bar(share):<{_BAR}} {node.ending.title}{mark}")
        out += ["", "Alive at the end (share of finished runs):"]
        for cid in story.cast_ids:
            share = ledger.alive_share(cid) or 0.0
            out.append(f"    {percent(share):>5} {_bar(share):<{_BAR}} {story.cast[cid].name}")
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def ledger_markdown(story: Story, ledger: Ledger) -> str:
    """The whole ledger as Markdown: a table per decision, endings and characters."""
    label = _label(story)
    out = [
        f"# The choice ledger of {_cell(story.title)}",
        "",
        f"{ledger.runs:,} simulated runs (seed {ledger.seed}), {ledger.finished:,} reached "
        "an ending.",
        "",
        model_text(ledger.model, label),
    ]
    for heading, points in _sections(story, ledger):
        nodes = _decided(story, ledger, points)
        out += ["", f"## {heading}"]
        for node in nodes:
            title = f"{node.turning_point.id}: " if node.turning_point else ""
            reached = ledger.reached.get(node.id, 0)
            out += [
                "",
                f"### {_cell(title + node_title(story, node.id))}",
                "",
                f"`{node.id}`, reached by {reached:,} runs.",
                "",
                "| share | choice | text |",
                "|---:|---|---|",
            ]
            for cid, text, share, canon in _decision_rows(story, ledger, node):
                mark = f" ({label})" if canon else ""
                out.append(f"| {percent(share)} | `{cid}`{mark} | {_cell(text)} |")
    if ledger.finished:
        out += ["", "## Endings", "", "| share | ending |", "|---:|---|"]
        for node in story.endings():
            assert node.ending is not None
            share = ledger.ending_share(node.ending.id) or 0.0
            mark = f" ({label})" if node.ending.id == story.canon_ending else ""
            out.append(f"| {percent(share)} | {_cell(node.ending.title)}{mark} |")
        out += ["", "## Alive at the end", "", "| share | character |", "|---:|---|"]
        for cid in story.cast_ids:
            share = ledger.alive_share(cid) or 0.0
            out.append(f"| {percent(share)} | {_cell(story.cast[cid].name)} |")
    return "\n".join(out) + "\n"


def ledger_json(story: Story, ledger: Ledger) -> dict[str, Any]:
    """The whole ledger as JSON data: counts and shares (0 to 1, not rounded)."""
    decisions = []
    for node_id, counts in ledger.decisions.items():
        node = story.nodes.get(node_id)
        if node is None:
            continue
        total = sum(counts.values())
        point = node.turning_point
        decisions.append(
            {
                "node": node_id,
                "title": node_title(story, node_id),
                "turning_point": point.id if point is not None else None,
                "reached": ledger.reached.get(node_id, 0),
                "decisions": total,
                "choices": [
                    {
                        "choice": c.id,
                        "text": c.text,
                        "count": counts.get(c.id, 0),
                        "share": counts.get(c.id, 0) / total if total else 0.0,
                        "canon": point is not None and c.id == point.canon,
                    }
                    for c in node.choices
                ],
            }
        )
    return {
        "story": story.id,
        "digest": ledger.digest,
        "seed": ledger.seed,
        "runs": ledger.runs,
        "finished": ledger.finished,
        "model": {
            "canon_follow": ledger.model.canon_follow,
            "care": ledger.model.care,
            "max_swing": ledger.model.max_swing,
            "max_steps": ledger.model.max_steps,
        },
        "decisions": decisions,
        "endings": [
            {
                "ending": n.ending.id,
                "title": n.ending.title,
                "count": ledger.endings.get(n.ending.id, 0),
                "share": ledger.ending_share(n.ending.id) or 0.0,
                "canon": n.ending.id == story.canon_ending,
            }
            for n in story.endings()
            if n.ending is not None
        ],
        "characters": [
            {
                "character": cid,
                "name": story.cast[cid].name,
                "alive": ledger.alive.get(cid, 0),
                "share": ledger.alive_share(cid) or 0.0,
            }
            for cid in story.cast_ids
        ],
    }
