"""The sets and steps the findings read, brought up to the search's variables.

Owns: `catch_up`. A dimension starts with one variable and gets one more
when a value's code no longer fits (`Dimensions.code` raises `Widen`): a character
with five states pays for three variables, not for the seven its codes may need. The
sets kept so far did not know the variable, so it is free in them; the search makes it
0 in every set it still steps or compares (the reached sets, the frontier, the next
depth, the stuck ones), and `catch_up` does the same for the steps between them (the
edges), which only the findings read, once, before they are read. The older depths'
sets are left as they were: the findings read them through the reached sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.tools.symbolic_records import Edge

if TYPE_CHECKING:
    from engine.tools.symbolic_search import SymbolicSearch

__all__ = ["catch_up"]


def catch_up(search: SymbolicSearch) -> None:
    """Make the new variables 0 in the steps' relations (what the findings read), each
    step once, for all widenings at a time."""
    count = len(search.widenings)
    for edges in search.edges.values():
        edges[:] = [_caught_up(search, e) if e.widened < count else e for e in edges]


def _caught_up(search: SymbolicSearch, e: Edge) -> Edge:
    """An edge whose relation and variables know every widening since it was made: a
    touched dimension's new variable is 0 on the side that holds it, quantified and
    renamed with the others; a dropped dimension's is dropped too."""
    zeros: dict[str, bool] = {}
    touched, dropped = e.touched, e.dropped
    for d, name in search.widenings[e.widened :]:
        before = search.vars[d][: search.vars[d].index(name)]
        if (e.counted and d[0] == "c") or (d in e.dims and search.holds(e.parent, d)):
            zeros[name] = False
        if d in e.dims:
            touched += (name,)
            if search.holds(e.child, d):
                zeros[search.primed[name]] = False
        if set(before).intersection(dropped):
            dropped += (name,)
    relation = e.relation & search.bdd.cube(zeros) if zeros else e.relation
    return e._replace(
        relation=relation, touched=touched, dropped=dropped, widened=len(search.widenings)
    )
