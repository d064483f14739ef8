"""The front ends: the only code that touches a terminal.

    terminal.py       the full-screen game (prompt_toolkit)
    plain.py          the line-mode game, for pipes, scripts and screen readers
    replay_viewer.py  the full-screen viewer of a saved run (prompt_toolkit)
    commands.py       the player's commands and the `Game` both games share
    screen.py         what the games show, as text and styled fragments
    roster.py         the roster and inventory panels
    theme.py          colours and text styles

Each takes injectable input and output, so tests drive them without a terminal.
"""
