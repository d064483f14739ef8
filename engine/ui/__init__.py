"""The front ends: the only code that touches a terminal.

    terminal.py       the full-screen game (prompt_toolkit)
    plain.py          the line-mode game, for pipes, scripts and screen readers
    replay_viewer.py  the full-screen viewer of a saved run (prompt_toolkit)
    pager.py          the viewer's pager: the step and lines shown, its keys, its status line
    commands.py       the player's commands and the `Game` both games share
    reply.py          what a command gives back: `Reply` and `MenuItem`
    runfiles.py       what the player is told about where runs are kept
    screen.py         what the games show, as text and styled fragments
    frame.py          the full-screen game laid out for a window size, as data
    panes.py          the full-screen game's story pane (and scrollback) as styled lines
    viewport.py       where the story pane is scrolled, and what the reader has seen
    prose.py          emphasis in a story's prose, and wrapping that keeps it
    helptext.py       the help panel, for the full screen or for line mode
    guard.py          one line, not a traceback, when a key or a command fails
    roster.py         the roster and inventory panels
    theme.py          colours and text styles

Each takes injectable input and output, so tests drive them without a terminal.
"""
