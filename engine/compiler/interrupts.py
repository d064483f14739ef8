"""Whole-story checks of interrupts: `$resume`, `$turned` and `on_turn` used where they work.

Owns: E062, E063 and E064. Play is diverted to an `on_turn` node only when a bitten
character's incubation runs out (the clock, at the start of a step) while they are with
the group; a scripted `turn:` turns a character on the spot and never diverts play
(`engine.runtime.rules.step`). From that:

- **E062**: a choice with `goto: $resume` in a node no `on_turn` node leads to (through
  gotos, conditions ignored). Outside an interrupt there is nothing to return to, and
  play would restart from the start node.
- **E063**: `$turned` in an effect that is not in an `on_turn` node's `do:` or one of its
  choices' `do:`, and not after a scripted `turn:` in the same list. Anywhere else it
  stands for nobody (it means who turned on this step or the step before).
- **E064**: an `on_turn` that can never fire. A character's own `on_turn` when nothing
  can turn them by the clock (they do not start bitten and no `bite:` names them), or
  when they are never with the group (they start separated or elsewhere and no
  `rejoin:` names them). The story's `infection.on_turn` when no character without an
  `on_turn` of their own can be turned by the clock while with the group.

All three are static: they read the compiled story, never play it.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine.compiler.context import Context
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Pos
from engine.runtime.effects import Bite, Effect, Move, Turn, walk_effects
from engine.runtime.graph import interrupt_nodes, reachable
from engine.runtime.model import Character, Choice, Story
from engine.runtime.world import RESUME, TURNED_TARGET, Place, Status

__all__ = ["check_interrupts"]


def check_interrupts(ctx: Context, story: Story, manifest: YMap, infection: YMap | None) -> None:
    """E062, E063 and E064 (see the module docstring)."""
    routes = interrupt_nodes(story)
    _check_resume(ctx, story, reachable(story, routes))
    _check_turned(ctx, story, set(routes))
    _check_on_turn(ctx, story, manifest, infection)


def _goto_pos(ctx: Context, choice: Choice) -> Pos:
    """Where the choice's `goto:` value is written (else the choice's id)."""
    raw = ctx.raw_nodes.get(choice.node)
    lists = [raw.body.get("choices")] if raw is not None else []
    lists += [
        owner.get(choice.node) for owner, _part, _pos in ctx.extra_choices.get(choice.node, ())
    ]
    for items in lists:
        if not isinstance(items, YList):
            continue
        for item in items:
            if isinstance(item, YMap) and item.get("id") == choice.id and "goto" in item:
                return item.at("goto")
    return choice.pos


def _check_resume(ctx: Context, story: Story, interrupt_region: frozenset[str]) -> None:
    for node in story.nodes.values():
        if node.id in interrupt_region:
            continue
        for choice in node.choices:
            if choice.goto != RESUME:
                continue
            why = (
                "no on_turn node leads here"
                if interrupt_nodes(story)
                else "the story has no on_turn node"
            )
            ctx.error(
                _goto_pos(ctx, choice),
                "E062",
                f'choice "{choice.id}" of node "{node.id}" goes to $resume, but {why}: '
                "there is no interrupt to return from, and play would restart from the start",
            )


def _lists(story: Story) -> Iterator[tuple[str, tuple[Effect, ...]]]:
    """(node id, an effect list) for every node's `do:` and every choice's `do:`."""
    for node in story.nodes.values():
        yield node.id, node.effects
        for choice in node.choices:
            yield node.id, choice.effects


def _turned_outside(effects: tuple[Effect, ...]) -> Iterator[Effect]:
    """The effects of a list that name `$turned` before any scripted `turn:` in it."""
    turned_yet = False
    for effect in walk_effects(effects):
        if getattr(effect, "who", None) == TURNED_TARGET and not turned_yet:
            yield effect
        if isinstance(effect, Turn) and effect.who != TURNED_TARGET:
            turned_yet = True


def _check_turned(ctx: Context, story: Story, routes: set[str]) -> None:
    for node_id, effects in _lists(story):
        if node_id in routes:
            continue
        for effect in _turned_outside(effects):
            ctx.error(
                effect.pos,
                "E063",
                f'"{effect.source.replace(" ", ": ", 1)}" in node "{node_id}", which is not an '
                "on_turn node: $turned stands for whoever just turned, and here nobody has",
            )


def _effects(story: Story) -> list[Effect]:
    return [e for _node, effects in _lists(story) for e in walk_effects(effects)]


def _bitten(story: Story, effects: list[Effect]) -> set[str]:
    """Characters the clock may turn: bitten at the start, or named by some `bite:`."""
    bitten = {c.id for c in story.cast.values() if c.status == Status.BITTEN}
    bitten |= {story.cast_ids[e.who] for e in effects if isinstance(e, Bite) and e.who >= 0}
    return bitten


def _with_group(story: Story, effects: list[Effect]) -> set[str]:
    """Characters who are ever with the group: they start there, or a `rejoin:` names them."""
    joined = {c.id for c in story.cast.values() if c.place == Place.GROUP}
    joined |= {
        story.cast_ids[e.who]
        for e in effects
        if isinstance(e, Move) and e.place == Place.GROUP and e.who >= 0
    }
    return joined


def _why_never(char: Character, bitten: set[str], joined: set[str], turns: list[Pos]) -> str:
    if char.id not in bitten:
        why = f"nothing bites {char.id}"
        if turns:
            why += (
                f' (the scripted "turn: {char.id}" at {turns[0]} turns them on the spot, '
                "without going to on_turn)"
            )
        return why
    return f"{char.id} is never with the group (they start {char.place} and nothing rejoins them)"


def _check_on_turn(ctx: Context, story: Story, manifest: YMap, infection: YMap | None) -> None:
    effects = _effects(story)
    bitten, joined = _bitten(story, effects), _with_group(story, effects)
    cast = manifest.get("cast")
    for char in story.cast.values():
        if char.on_turn is None or (char.id in bitten and char.id in joined):
            continue
        turns = [
            e.pos for e in effects if isinstance(e, Turn) and e.who == story.cast_index[char.id]
        ]
        entry = cast.get(char.id) if isinstance(cast, YMap) else None
        ctx.error(
            entry.at("on_turn") if isinstance(entry, YMap) else char.pos,
            "E064",
            f'{char.id}\'s on_turn "{char.on_turn}" can never fire: play goes there only '
            f"when a bite's incubation runs out while they are with the group, and "
            f"{_why_never(char, bitten, joined, turns)}",
            fix=None
            if char.id not in bitten
            else f"bring them back with `rejoin: {char.id}`, or remove the on_turn",
        )
    if story.on_turn is None or infection is None:
        return
    covered = [c for c in story.cast.values() if c.on_turn is None]
    if any(c.id in bitten and c.id in joined for c in covered):
        return
    if not bitten:
        why = "nothing in the story bites anyone"
    elif not any(c.id in bitten for c in covered):
        why = "every character a bite can reach has an on_turn of their own"
    else:
        why = "no one a bite can reach is ever with the group"
    ctx.error(
        infection.at("on_turn"),
        "E064",
        f'on_turn "{story.on_turn}" can never fire: play goes there only when a bite\'s '
        f"incubation runs out while the bitten character is with the group, and {why}",
        fix="bite a character with `bite:` (a scripted `turn:` never diverts play), or "
        "remove infection: on_turn",
    )
