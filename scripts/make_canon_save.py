"""Write saves/canon.yaml: the show's own path through the bundled story, as a save.

The walk starts at `story.start`; at a turning point it takes the show's choice
(`turning_point.canon`), elsewhere the choice marked `canon: true` or the only one offered
(`engine.runtime.canon.canon_choice`, the rule `hyosan check` verifies), until an ending. The save
uses seed 0. The file is written only when the story checks clean, and left untouched
when it is already what the walk gives (so regenerating does not churn dates). `--check`
passes while the steps and state digests still match, even if the story's text changed.

    python scripts/make_canon_save.py            # bundled story -> saves/canon.yaml
    python scripts/make_canon_save.py --check    # exit 1 if saves/canon.yaml is out of date
    python scripts/make_canon_save.py --story DIR --out PATH
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import BUNDLED_STORY  # noqa: E402
from engine.compiler.loader import check_story  # noqa: E402
from engine.runtime.canon import canon_choice  # noqa: E402
from engine.runtime.model import Story  # noqa: E402
from engine.runtime.rules import available_choices, initial_state, is_ending, step  # noqa: E402
from engine.runtime.state import GameState  # noqa: E402
from engine.saves.files import read_save, write_save  # noqa: E402
from engine.saves.format import SaveError, SaveFile, make_save  # noqa: E402

SEED = 0
MAX_STEPS = 10_000


class WalkError(Exception):
    """The canon walk cannot go on (a canon choice unavailable, no choice, or a loop)."""


def canon_walk(story: Story, seed: int = SEED) -> list[GameState]:
    """The states of the show's path: canon choice at turning points, else the declared one."""
    states = [initial_state(story, seed)]
    while not is_ending(story, states[-1]):
        if len(states) > MAX_STEPS:
            raise WalkError(f"no ending after {MAX_STEPS} steps: the first choices loop")
        state = states[-1]
        node = story.nodes[state.node]
        offered = [c.id for c in available_choices(story, state)]
        if node.turning_point is not None:
            choice = node.turning_point.canon
            if choice not in offered:
                raise WalkError(
                    f'step {len(states)}: at "{node.id}" the canon choice "{choice}" is not '
                    f"available (available: {', '.join(offered) or 'none'})"
                )
        elif offered:
            declared = canon_choice(story, state)
            assert declared is not None  # something is offered
            choice = declared.id
        else:
            raise WalkError(f'step {len(states)}: no choice is available at "{node.id}"')
        states.append(step(story, state, choice)[0])
    return states


def _same_path(old: SaveFile, new: SaveFile) -> bool:
    """The same steps with the same digests: the show's path still plays out identically."""
    return (old.story_id, old.seed, old.steps) == (new.story_id, new.seed, new.steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", type=Path, default=BUNDLED_STORY, help="story folder")
    parser.add_argument("--out", type=Path, default=ROOT / "saves" / "canon.yaml")
    parser.add_argument("--check", action="store_true", help="only say whether OUT is current")
    args = parser.parse_args(argv)
    story, diagnostics = check_story(args.story)
    if story is None:
        errors = sum(1 for d in diagnostics if d.is_error)
        print(f"{args.story}: {errors} errors; run `hyosan check {args.story}` and fix them first")
        print(f"{args.out} was not written.")
        return 1
    try:
        states = canon_walk(story)
    except WalkError as exc:
        print(f"{args.story}: the canon walk fails: {exc}")
        return 1
    old = None
    if args.out.exists():
        try:
            old = read_save(args.out)
        except SaveError as exc:
            print(f"hyosan: error: {exc.message}")
            return 1
    new = make_save(story, SEED, states, "canon", old.created if old else None)
    current = old is not None and _same_path(old, new)
    if args.check or (current and old is not None and old.fingerprint == new.fingerprint):
        if current:
            print(f"{args.out} is up to date ({len(new.steps)} steps, ending {new.ending}).")
            return 0
        print(f"{args.out} is out of date: run python scripts/make_canon_save.py")
        return 1
    write_save(args.out, new)
    print(f"Wrote {args.out}: {len(new.steps)} steps, ending {new.ending}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
