"""Saved runs on disk: the event-log format, migrations, atomic files, slots and runs.

    format.py   SaveFile <-> text: the fields, their checks, migrations between versions
    parse.py    text -> a checked SaveFile; the migration registry
    files.py    reading (bounded) and writing files atomically, slot names, listing
                slots, removing what interrupted writes left behind
    places.py   where saves live: the user's data folder per story, overrides, the old
                project folder; `find_save`, the one way a SAVE argument becomes a file
    lock.py     advisory locks, so two processes never play the same slot
    runs.py     runs as files: which write may replace which save, run file names
    keeper.py   one session's files: its run file, the autosave that follows it, locks

Loading a save means replaying it, which `engine.replay` does; this package never steps
the story.
"""
