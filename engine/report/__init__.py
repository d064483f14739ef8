"""Reports: data from the canon comparison, the tools and replays -> text, markdown, JSON.

No I/O: callers print what these functions return. The one exception is for the game:
`ledger.episode_lines` and `ledger.ending_lines` take the choice ledger from
`engine.tools.ledger.ledger_for`, which reads (or computes and writes) its cache file.
"""
