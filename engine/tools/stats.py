"""Counting a story the way the README reports it: nodes, choices, endings, words."""

from __future__ import annotations

import re
from typing import NamedTuple

from engine.runtime.model import Node, Story

__all__ = ["StoryStats", "node_words", "story_stats"]

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")


class StoryStats(NamedTuple):
    nodes: int
    choices: int
    turning_points: int
    endings: int
    episodes: int
    words: int


def node_words(node: Node) -> int:
    """Words of prose in a node, every conditional piece counted once."""
    texts = [node.text] if isinstance(node.text, str) else [p.text for p in node.text]
    return sum(len(_WORD.findall(t)) for t in texts)


def story_stats(story: Story) -> StoryStats:
    nodes = story.nodes.values()
    return StoryStats(
        nodes=len(story.nodes),
        choices=sum(len(n.choices) for n in nodes),
        turning_points=sum(1 for n in nodes if n.turning_point),
        endings=sum(1 for n in nodes if n.ending),
        episodes=len(story.episodes),
        words=sum(node_words(n) for n in nodes),
    )
