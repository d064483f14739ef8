"""How `hyosan compare` attributes differences over many seeded random runs.

  .venv/bin/python bench/bench_causes.py [--runs 1000] [--story story]

For each run (a seeded random walk, stopped at an ending or a random step): every
difference from the canon, whether it got single causes, a joint cause or a reason, and
whether every named cause passes the counterfactual oracle of tests/test_causes.py
(replaying from the start with the canon's choice there changes the difference). Prints
one JSON line: the counts, the agreement rate (the target is 100%) and the time per
comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_causes import oracle_changes, random_run  # noqa: E402

from engine.canon.causes import Difference  # noqa: E402
from engine.canon.compare import compare_run  # noqa: E402
from engine.canon.counterfactual import reference_of  # noqa: E402
from engine.compiler.loader import load_story  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--story", type=Path, default=ROOT / "story")
    args = parser.parse_args()
    story = load_story(args.story)
    counts = {"differences": 0, "single": 0, "joint": 0, "reason": 0, "causes": 0, "agree": 0}
    seconds = 0.0
    for seed in range(args.runs):
        states = random_run(story, seed)
        started = time.perf_counter()
        cmp = compare_run(story, states)
        seconds += time.perf_counter() - started
        reference = reference_of(story, states)
        rows = [
            (r.why, Difference("status", r.character, r.name, r.yours, r.canon))
            for r in cmp.roster
            if r.differs
        ] + [(o.why, o.difference) for o in cmp.others]
        for why, difference in rows:
            counts["differences"] += 1
            kind = "single" if why.causes else "joint" if why.joint else "reason"
            counts[kind] += 1
            tests = [{c.step} for c in why.causes] + (
                [{c.step for c in why.joint}] if why.joint else []
            )
            for restore in tests:
                counts["causes"] += 1
                counts["agree"] += oracle_changes(story, states, restore, difference, reference)
    rate = counts["agree"] / counts["causes"] if counts["causes"] else 1.0
    print(
        json.dumps(
            {
                "story": str(args.story),
                "runs": args.runs,
                **counts,
                "agreement": round(rate, 6),
                "ms_per_compare": round(1000 * seconds / args.runs, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
