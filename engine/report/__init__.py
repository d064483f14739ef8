"""Reports: data from the canon comparison, the tools and replays -> text, markdown, JSON.

No I/O: callers print what these functions return.
"""
