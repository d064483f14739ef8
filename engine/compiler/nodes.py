"""Nodes: the scenes of a story, with their text, choices, effects, turning points, endings.

Owns: building each runtime `Node` from its raw YAML (merging the choices branch files
add with `add_choices:`), checking choice ids, gotos (with a did-you-mean over node ids),
duplicate choices, text pieces, turning points and endings. Functions over a `Context`;
problems are reported, never raised.
"""

from __future__ import annotations

import re
from typing import Any

from engine.compiler import spec
from engine.compiler.choices import choice_extras, text_template
from engine.compiler.context import Context, RawNode
from engine.compiler.effects import compile_effects
from engine.compiler.template import compile_template
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Pos, did_you_mean
from engine.runtime.model import Choice, Ending, Node, TextPiece, TurningPoint, frozen
from engine.runtime.world import RESUME

__all__ = ["build_node"]

_NODE_ID = re.compile(spec.NODE_ID)


def _text(ctx: Context, body: YMap, node_id: str) -> str | tuple[TextPiece, ...]:
    text = body.get("text", "")
    if not isinstance(text, str | YList):
        return ""  # keys() has reported the wrong type
    if isinstance(text, str):
        if not text.strip() and "text" in body:
            ctx.error(body.at("text"), "E013", f"node {node_id}: the text is empty")
        return text
    pieces: list[TextPiece] = []
    for index, (piece, pos) in enumerate(zip(text, text.item_pos, strict=True)):
        if isinstance(piece, str):
            style = text.item_style[index]
            pieces.append(TextPiece(piece, None, compile_template(ctx, piece, pos, style)))
        elif isinstance(piece, YMap) and ctx.keys(piece, spec.TEXT_PIECE, "a text piece"):
            cond = ctx.compile_condition(piece["if"], piece, "if") if "if" in piece else None
            pieces.append(TextPiece(piece["text"], cond, text_template(ctx, piece, "text")))
        elif not isinstance(piece, YMap):
            ctx.error(pos, "E012", "a text piece is a string or {if: ..., text: ...}")
    return tuple(pieces)


def _choice(ctx: Context, raw: Any, pos: Pos, node_id: str, added: bool = False) -> Choice | None:
    if not isinstance(raw, YMap):
        ctx.error(pos, "E012", "a choice is a mapping with id, text and goto")
        return None
    if not ctx.keys(raw, spec.CHOICE, "a choice"):
        ctx.broken_nodes.add(node_id)
        if isinstance(raw.get("goto"), str):
            ctx.hinted_targets.add(raw["goto"])
        return None
    if not _NODE_ID.match(raw["id"]):
        message = f'choice id "{raw["id"]}" may hold only letters, digits, _ - .'
        ctx.error(raw.at("id"), "E013", message)
        return None
    goto = raw["goto"]
    if goto != RESUME and goto not in ctx.raw_nodes and not ctx.incomplete:
        suggestion = did_you_mean(goto, ctx.raw_nodes)
        if suggestion is not None:
            ctx.hinted_targets.add(suggestion[1:-1])  # where it probably meant to go
        message = f'choice "{raw["id"]}" goes to unknown node "{goto}"'
        ctx.error(raw.at("goto"), "E030", message, suggestion)
    cond = ctx.compile_condition(raw["if"], raw, "if") if "if" in raw else None
    effects = compile_effects(ctx, raw["do"], raw, "do") if "do" in raw else ()
    canon = raw.get("canon") is True
    return Choice(
        raw["id"],
        raw["text"],
        cond,
        effects,
        goto,
        node_id,
        raw.key_pos["id"],
        canon,
        added,
        **choice_extras(ctx, raw),
    )


def _raw_choices(ctx: Context, body: YMap, node_id: str) -> list[tuple[Any, Pos, bool]]:
    """The node's own choices, then those branch files add (flagged True)."""
    raws: list[tuple[Any, Pos, bool]] = []
    if isinstance(body.get("choices"), YList):
        own = body["choices"]
        raws += [(raw, pos, False) for raw, pos in zip(own, own.item_pos, strict=True)]
    for owner, _part, pos in ctx.extra_choices.get(node_id, ()):
        added = owner[node_id]
        if not isinstance(added, YList):
            ctx.error(pos, "E012", "add_choices: each node takes a list of choices")
            continue
        raws += [(raw, pos, True) for raw, pos in zip(added, added.item_pos, strict=True)]
    return raws


def _choices(ctx: Context, body: YMap, node_id: str) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    seen: dict[str, Pos] = {}
    for raw, pos, added in _raw_choices(ctx, body, node_id):
        choice = _choice(ctx, raw, pos, node_id, added)
        if choice is None:
            continue
        if choice.id in seen:
            code = "E056" if pos.path != seen[choice.id].path else "E020"
            ctx.error(
                choice.pos,
                code,
                f'choice "{choice.id}" is already defined in node "{node_id}" at {seen[choice.id]}',
            )
            continue
        seen[choice.id] = choice.pos
        choices.append(choice)
    return tuple(choices)


def _turning_point(ctx: Context, body: YMap, choices: tuple[Choice, ...]) -> TurningPoint | None:
    tp = body["turning_point"]
    if not isinstance(tp, YMap) or not ctx.keys(tp, spec.TURNING_POINT, "a turning point"):
        return None
    ids = [c.id for c in choices]
    dropped = len(choices) < len(body.get("choices") or ())  # reported: may be the canon one
    if tp["canon"] not in ids and not dropped:
        ctx.error(
            tp.at("canon"),
            "E050",
            f'turning point {tp["id"]}: canon choice "{tp["canon"]}" is not a choice of this node',
            did_you_mean(tp["canon"], ids),
        )
    return TurningPoint(tp["id"], tp["title"], tp["canon"], tp["in_the_show"], tp.pos)


def _ending(ctx: Context, body: YMap) -> Ending | None:
    end = body["ending"]
    if not isinstance(end, YMap) or not ctx.keys(end, spec.ENDING, "an ending"):
        return None
    return Ending(end["id"], end["title"], end.get("summary", ""), end.pos)


def build_node(ctx: Context, node_id: str, raw: RawNode) -> Node:
    """The runtime node `node_id`, built from its raw YAML and any added choices."""
    body = raw.body
    ctx.keys(body, spec.NODE, f"node {node_id}", where=raw.pos)
    text = _text(ctx, body, node_id)
    choices = _choices(ctx, body, node_id)
    effects = compile_effects(ctx, body["do"], body, "do") if "do" in body else ()
    turning = _turning_point(ctx, body, choices) if "turning_point" in body else None
    ending = _ending(ctx, body) if "ending" in body else None
    return Node(
        node_id,
        raw.file.episode,
        text,
        choices,
        effects,
        turning,
        ending,
        raw.pos,
        frozen({c.id: c for c in choices}),
        all(c.plain for c in choices),
        text_template(ctx, body, "text") if isinstance(text, str) else None,
    )
