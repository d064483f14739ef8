"""The runtime: a checked story and the pure state machine that plays it.

No YAML, no disk, no clock. Everything here is immutable data and pure functions, so
the tools, the saves and the front ends all play exactly the same game:

    rules.py       available_choices(), step(): THE state machine
    effects.py     typed effect operations applied to a step under construction
    conditions.py  compiled conditions: what they test and which variables they read
    state.py       GameState, CharState, initial_state, the seeded generator, digests
    events.py      one vocabulary for what a step does: Kind, LogEntry, Event
    graph.py       the node graph: successors and reachability (conditions ignored)
    model.py       Story, Node, Choice, ...: read-only, with source positions

Built by `engine.compiler`; imports only `engine.diagnostics` (for `Pos`) from outside.
"""
