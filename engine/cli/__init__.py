"""The `hyosan` command line: `main.py` parses argv and dispatches to one module per
sub-command (`play.py`, `check.py`, ...), each with `add_arguments(parser)` and
`run(args) -> int`. The only place that prints errors and picks a front end."""
