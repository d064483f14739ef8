"""Load + check of the same story by two copies of the engine, in turn (before / after).

  cp -r engine /tmp/before/          # before a change
  .venv/bin/python bench/ab_check.py /tmp/before . [--size 10000] [--pairs 6]

Each run is a fresh process doing what `bench/bench_check.py` does (`check_story`, the
parse cache off), importing `engine` from the folder given; the two alternate (A B, B A,
...) so that the load of a shared machine falls on both alike. Prints each run, then per
side the median wall and CPU time, the range, and the peak RSS; the diagnostics of both
sides must be the same in number, or it stops.
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

from common import synthetic_story

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from engine.compiler.loader import check_story
wall, cpu = time.perf_counter(), time.process_time()
story, diagnostics = check_story({folder!r})
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"s": wall, "cpu": cpu, "diagnostics": len(diagnostics), "kb": rss}}))
"""


def run(root: Path, folder: Path) -> dict[str, float]:
    code = _CHILD.format(root=str(root.resolve()), folder=str(folder.resolve()))
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",  # so that `engine` comes from `root`, never from the working folder
        env={**os.environ, "HYOSAN_CACHE": "off"},
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="a folder holding an engine/ package")
    parser.add_argument("after", type=Path, help="another such folder (`.`: this checkout)")
    parser.add_argument("--size", type=int, default=10000, help="nodes in the story")
    parser.add_argument("--pairs", type=int, default=6)
    args = parser.parse_args()
    for root in (args.before, args.after):
        if not (root / "engine" / "__init__.py").is_file():
            raise SystemExit(f"{root}: no engine/ package there")
    folder = synthetic_story(args.size)
    sides = {"before": args.before, "after": args.after}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    for pair in range(args.pairs):
        order = list(sides) if pair % 2 == 0 else list(sides)[::-1]
        for name in order:
            result = run(sides[name], folder)
            runs[name].append(result)
            print(
                f"{name:6} {result['s']:7.2f} s  cpu {result['cpu']:7.2f} s  "
                f"{result['kb'] / 1024:7.1f} MiB  load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    if len({r["diagnostics"] for side in runs.values() for r in side}) != 1:
        raise SystemExit("the two sides report a different number of diagnostics")
    for name, results in runs.items():
        wall = [r["s"] for r in results]
        print(
            json.dumps(
                {
                    "side": name,
                    "nodes": args.size,
                    "median_s": round(statistics.median(wall), 3),
                    "min_s": round(min(wall), 3),
                    "max_s": round(max(wall), 3),
                    "median_cpu_s": round(statistics.median(r["cpu"] for r in results), 3),
                    "maxrss_mib": round(max(r["kb"] for r in results) / 1024, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
