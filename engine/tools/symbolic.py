"""Symbolic exploration: every reachable state, held as sets (binary decision diagrams).

Owns: `SymbolicExplorer`, a breadth-first search whose frontier is not a list of states
but, per *group* (the node and the parts of a state that are always stepped one at a
time: resume, episode, generator, who just turned, the turn when read, visit counts and
once-only choices taken), one set of values of the *dimensions*: each character, flag,
counter, item and visited node. A set is a binary decision diagram (`dd`, on CUDD), so
a product of twenty characters' independent fates costs a few hundred diagram nodes
instead of a million states.

How a set is stepped: at a node, only some dimensions can change what a step does or
are changed by it (the choices' conditions and effects, the entry effects of the nodes
a step may enter, characters who may be bitten: the clock). The set is split by the
values those take (`pick_iter`; where `survivors()` is read, also by how many are alive
with the group), and one real state per split is stepped by `rules.step` exactly as a
player would (no one outside the split is bitten in it, so no one is in the real state
either). The pairs (split, what it became) of the choices that lead to one child are a
relation over the touched dimensions and their primed copies; the whole set is stepped
by it in one relational product (`and_exists`), the rest of the set carried over.

What a set holds: values no later condition can read are forgotten (the same relevance
analysis as the state search, `engine.tools.relevance`), so states with the same futures
are one member of a set. A forgotten flag, counter, item or visit is left free (no
diagram node); a forgotten character has code 0. A dimension starts with one variable
and gets one more when its values need it (`engine.tools.symbolic_widen`): a diagram
pays for the values the story takes, not for the most it could.

Findings are those of `engine.tools.explore`: every ending with a shortest witness,
softlocks (no choice; no way out, found by a backward fixpoint over the sets), choices
never available, nodes never reached. `states` counts the distinct (projected) states
the sets hold. With `rosters=True` every character is kept to the end and the final
rosters are counted (`engine.tools.symbolic_rosters`).
"""

from __future__ import annotations

from engine.tools.findings import ExploreResult
from engine.tools.symbolic_findings import findings
from engine.tools.symbolic_search import SymbolicSearch
from engine.tools.symbolic_values import TooManyValues

__all__ = ["SymbolicExplorer", "TooManyValues"]


class SymbolicExplorer(SymbolicSearch):
    """The search by sets with its findings (`result`)."""

    def result(self, interrupted: bool = False) -> ExploreResult:
        return findings(self, interrupted)
