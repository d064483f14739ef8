"""A parsed story file costs a small, flat amount of memory per node.

The positioned trees are what a large story's check holds at its peak (bench/RESULTS.md
3c and 3e), so their size per node is held here: every object a parsed tree reaches,
each counted once (`sys.getsizeof`), on story files made like the synthetic benchmark's
(a text and three choices a node).
"""

from __future__ import annotations

import sys

from engine.compiler.yamlread import parse_text
from engine.diagnostics import Diagnostics

# Each node below holds 17 keys and values and 3 list items. Before places were packed
# (one position tuple per key and per value, three dicts per mapping) a node held
# 6,280 bytes; packed, 3,340.
MAX_BYTES_PER_NODE = 4_000


def episode(nodes: int) -> str:
    lines = ["episode: 1", "title: Part 1", "nodes:"]
    for i in range(nodes):
        lines += [
            f"  n{i}:",
            f"    text: Node {i} opens on a road that runs past the old mill and the river.",
            "    choices:",
        ]
        for c in range(3):
            lines += [f"    - id: c{c}", f"      text: Choice {c} of node {i}."]
            if c == 1:
                lines.append(f"      if: f{i % 7}")
            lines.append(f"      goto: n{(i * 7 + c) % nodes}")
    return "\n".join(lines) + "\n"


def held(value: object, seen: set[int]) -> int:
    """Bytes of `value` and of everything it holds that was not counted yet."""
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    for slot in ("pos", "places", "key_pos", "val_pos", "val_style", "item_pos", "item_style"):
        inner = getattr(type(value), "__slots__", ())
        if slot in inner and hasattr(value, slot):
            size += held(getattr(value, slot), seen)
    if isinstance(value, dict):
        size += sum(held(k, seen) + held(v, seen) for k, v in value.items())
    elif isinstance(value, list | tuple):
        size += sum(held(item, seen) for item in value)
    return size


def bytes_per_node(nodes: int) -> float:
    """What the parsed tree of a file of `nodes` nodes holds, per node (the objects it
    reaches, each counted once: the same in any process, whatever else runs)."""
    text = episode(nodes)
    diags = Diagnostics()
    tree = parse_text(text, "part.yaml", diags)
    assert diags.items == [] and len(tree["nodes"]) == nodes
    return held(tree, set()) / nodes


def test_a_parsed_node_takes_a_few_kilobytes() -> None:
    assert bytes_per_node(3000) <= MAX_BYTES_PER_NODE


def test_memory_per_node_stays_flat_as_the_file_grows() -> None:
    small, large = bytes_per_node(1500), bytes_per_node(6000)
    assert large <= small * 1.05
