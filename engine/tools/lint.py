"""Warnings about a story's weak spots, as diagnostics `hyosan check` prints.

Owns: W103 (a write-only flag), W104 (a write-only counter), W105 (a chain of more
than `LONG_CHAIN` single-option nodes in a row) and W106 (a bite always resolved by
script), built from what `engine.tools.weak_spots` already finds (`write_only`,
`decision_nodes`, `single_option_chains`, `bite_sites`), with the position of the flag's
or counter's declaration, of the chain's first node or of the `bite:`. Reads the compiled
story only; never plays it.

W106 is the part of `hyosan consequences`' "bites always resolved by script" that the
text alone shows (`BiteSite.clock_path is None`): on every path of the node graph after
the bite, a `turn:`, `kill:` or `cure:` of the bitten character, or an ending, comes
before the incubation runs out, so the infection clock never decides. (The report's
other part, a complete exploration in which the clock never turned the character, needs
play, which `hyosan check` does not do.)
"""

from __future__ import annotations

from engine.diagnostics import Diagnostic, Pos
from engine.runtime.effects import Bite, walk_effects
from engine.runtime.model import Story
from engine.tools.weak_spots import (
    BiteSite,
    bite_sites,
    decision_nodes,
    single_option_chains,
    write_only,
)

__all__ = ["LONG_CHAIN", "weak_spot_warnings"]

LONG_CHAIN = 5  # W105 for more single-option nodes in a row than this
_SHOWN = 3  # places named in a message


def _listed(places: tuple[str, ...]) -> str:
    shown = ", ".join(places[:_SHOWN])
    more = len(places) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def weak_spot_warnings(story: Story) -> list[Diagnostic]:
    """W103, W104, W105 and W106 for `story`, in story order."""
    out: list[Diagnostic] = []
    for written in write_only(story):
        if written.kind == "flag":
            pos, code = story.flags[written.name].pos, "W103"
        else:
            pos, code = story.counters[written.name].pos, "W104"
        verb = "set" if written.kind == "flag" else "changed"
        out.append(
            Diagnostic(
                pos,
                code,
                f'{written.kind} "{written.name}" is {verb} ({_listed(written.places)}) but no '
                "condition or text piece ever reads it: it changes nothing",
            )
        )
    for chain in single_option_chains(story, decision_nodes(story)):
        if len(chain) <= LONG_CHAIN:
            break  # longest first
        first = story.nodes[chain[0]]
        out.append(
            Diagnostic(
                first.pos,
                "W105",
                f"{len(chain)} nodes in a row offer a single choice ({chain[0]} > ... > "
                f"{chain[-1]}): more than {LONG_CHAIN} and the player is only turning pages",
            )
        )
    seen: set[Pos] = set()
    for site in bite_sites(story):
        if site.clock_path is not None:
            continue
        pos = _bite_pos(story, site)
        if pos in seen:
            continue  # the same bite: one warning
        seen.add(pos)
        steps = f"{site.incubation} step{'s' if site.incubation != 1 else ''}"
        out.append(
            Diagnostic(
                pos,
                "W106",
                f'the bite of "{site.who}" at {site.place} is always resolved by script: every '
                f"path turns, kills or cures {site.who}, or ends the story, within the "
                f"incubation of {steps}, so the infection clock never decides",
            )
        )
    return out


def _bite_pos(story: Story, site: BiteSite) -> Pos:
    """Where the site's `bite:` is written (the node's, when it cannot be found)."""
    node = story.nodes[site.node]
    effects = node.effects if site.choice is None else node.choice_map[site.choice].effects
    who = story.cast_ids.index(site.who)
    for effect in walk_effects(effects):
        if isinstance(effect, Bite) and effect.who == who:
            return effect.pos
    return node.pos
