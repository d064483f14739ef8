"""Authoring tools that work on compiled stories (never re-reading the files).

    explore.py     exhaustive exploration: every ending, witnesses, softlocks
    relevance.py   which variables a state's future can still read (state merging)
    randomtest.py  seeded random playthroughs with coverage
    stats.py       counting a story: nodes, choices, endings, words

No printing, no clock: `engine.cli` runs them and `engine.report` presents the results.
"""
