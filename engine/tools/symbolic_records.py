"""The records the search by sets keeps: the steps between sets and what a step makes.

Owns: `Edge` (the splits of a set one choice takes into a child set, as a relation, for
the witnesses and the loops' fixpoint), `Stuck` (states with no choice), `Drop` (what a
child forgets of its parent's set) and `Outcome` (what one set stepped to, kept only
once complete). `engine.tools.symbolic_search` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from engine.tools.symbolic_values import BDD, Dim, Group

__all__ = ["Drop", "Edge", "Outcome", "Stuck"]


class Edge(NamedTuple):
    """The splits of a parent group's set that one choice takes into one child group."""

    parent: Group
    relation: BDD  # pairs (the split's codes, the child's codes: primed) of touched dims
    touched: tuple[str, ...]  # the touched dimensions' variables
    position: int  # the choice's position at its node
    child: Group
    dropped: tuple[str, ...]  # variables of untouched dimensions the child no longer reads
    dims: frozenset[Dim]  # the touched dimensions
    counted: bool  # the split holds a number of survivors (a set over every character)
    widened: int  # how many of the search's `widenings` its diagrams know of


class Stuck(NamedTuple):
    level: int
    group: Group
    given: BDD


class Drop(NamedTuple):
    """What a child no longer reads of its parent's set."""

    dropped: tuple[str, ...]  # variables of untouched dimensions to forget
    blank: BDD  # the constant some take (code 0)
    kept: frozenset[Dim]  # the dimensions the child reads
    classed: tuple[Dim, ...]  # characters that go to their survivor class
    classed_vars: tuple[str, ...]  # their variables


@dataclass
class Outcome:
    """What one group's set stepped to at one depth, kept only once complete."""

    depth: int
    images: list[tuple[Group, BDD]]  # (child group, the states it reaches)
    edges: list[Edge]
    stuck: list[tuple[str, Group, BDD]]  # (node, group, the states with no choice)
    transitions: int
    bitten: dict[Group, set[int]]  # per child, who is bitten in some state it reaches
