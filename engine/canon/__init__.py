"""The story's canon and how a run compares with it.

    path.py     THE canon path: the canon choice at turning points, the first elsewhere
    compare.py  a run against the canon, two runs against each other, episode summaries
    causes.py   which choices of a run explain each difference from the canon

Pure: takes a story and states, returns data; `engine.report` turns it into text.
"""
