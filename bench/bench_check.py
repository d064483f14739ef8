"""Load + check time of the peers' synthetic story at several sizes (is it linear?).

  .venv/bin/python bench/bench_check.py [--sizes 100,1000,10000,100000] [--runs 3]

Each run is a fresh process (`hyosan check --quiet`-equivalent: check_story, every
diagnostic computed, the collector kept off until the story is frozen, as the command
does: `engine.cli._options.long_lived`) with the parse cache off, timed from inside so
interpreter start-up is excluded. Prints one JSON line per size: median ms, ms per
node, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, synthetic_story

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from engine.cli._options import long_lived
from engine.compiler.loader import check_story
t = time.perf_counter()
with long_lived():  # as `hyosan check` loads it
    story, diagnostics = check_story({folder!r})
ms = (time.perf_counter() - t) * 1000
errors = sum(d.is_error for d in diagnostics)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"ms": ms, "nodes": len(story.nodes), "errors": errors, "maxrss_kb": rss}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        folder = synthetic_story(n)
        code = _CHILD.format(root=str(ROOT), folder=str(folder))
        runs = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", code],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "HYOSAN_CACHE": "off"},  # measure the parser, not the cache
            ).stdout
            runs.append(json.loads(out))
        ms = statistics.median(r["ms"] for r in runs)
        print(
            json.dumps(
                {
                    "nodes": n,
                    "check_ms": round(ms, 1),
                    "ms_per_node": round(ms / n, 4),
                    "min_ms": round(min(r["ms"] for r in runs), 1),
                    "max_ms": round(max(r["ms"] for r in runs), 1),
                    "runs": args.runs,
                    "errors": runs[0]["errors"],
                    "maxrss_mib": round(max(r["maxrss_kb"] for r in runs) / 1024, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
