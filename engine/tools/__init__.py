"""Authoring tools that work on compiled stories (never re-reading the files).

    explore.py     exhaustive exploration: every ending, witnesses, softlocks
    findings.py    what an exploration finds (its result types)
    relevance.py   which variables a state's future can still read (state merging)
    reach.py       the shortest path to a state where a condition holds, or a proof of none
    consequences.py  which choices matter (`hyosan consequences`), built from:
      weak_spots.py    from the text alone: write-only flags, single-option chains, bites
      reconverge.py    options that lead back to an identical state
      outcomes.py      the explored state graph and the outcomes reachable from each state
      alternatives.py  each choice's reach; turning-point alternatives judged
    randomtest.py  seeded random playthroughs with coverage
    ledger.py      the choice ledger: simulated players under a documented model, cached
    stats.py       counting a story: nodes, choices, endings, words

No printing, no clock: `engine.cli` runs them and `engine.report` presents the results.
"""
