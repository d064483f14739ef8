"""Saved runs on disk: the event-log format, migrations, atomic files and slots.

    format.py   SaveFile <-> text: the fields, their checks, migrations between versions
    files.py    reading and writing files atomically, slot names, the saves folder, the clock

Loading a save means replaying it, which `engine.replay` does; this package never steps
the story.
"""
