"""The story's canon and how a run compares with it.

    compare.py         a run against the canon, two runs against each other, episode summaries
    causes.py          which choices of a run explain each difference from the canon
    counterfactual.py  replaying a run with the canon's choice put back at some steps

The canon rule and path themselves are `engine.runtime.canon` (the compiler checks the
declared canon against them).

Pure: takes a story and states, returns data; `engine.report` turns it into text.
"""
