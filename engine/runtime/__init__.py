"""The runtime: a checked story and the pure state machine that plays it.

No YAML, no disk, no clock. Everything here is immutable data and pure functions, so
the tools, the saves and the front ends all play exactly the same game:

    rules.py       initial_state(), available_choices(), step(): THE state machine
    builder.py     the step under construction: the rules every effect obeys
    effects.py     typed effect operations applied to a step under construction
    conditions.py  compiled conditions: what they test and which variables they read
    state.py       GameState, CharState, the seeded generator, digests
    events.py      one vocabulary for what a step does: Kind, LogEntry, Event
    canon.py       the canon rule and the canon path
    graph.py       the node graph: successors and reachability (conditions ignored)
    model.py       Story, Node, Choice, Canon, ...: read-only, with source positions
    world.py       the fixed words: Status, Place, ALIVE, $resume, $turned

Built by `engine.compiler`; imports only `engine.diagnostics` (for `Pos`) from outside.
"""
