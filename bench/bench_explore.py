"""Time and memory of `hyosan explore`, memory summed over its worker processes.

  .venv/bin/python bench/bench_explore.py [STORY_DIR] [--jobs N] [--runs 3] [--max-states N]
                                          [--search sets|states] [--rosters] [--max-memory MB]
                                          [--skip-canon-check] [--out FILE.json]

Runs `hyosan explore STORY --format json` (the command's own code, in a fresh process)
RUNS times and samples the resident memory of the process and its children every 50 ms:
the peak of that sum is what the machine had to give. Prints one JSON line per run and
then the best and median. `--out` keeps the last run's report (to compare findings).
`--skip-canon-check` explores a story copy that the checker refuses only for its canon
marks (E061: e.g. the bundled story of an earlier commit): exploring never reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, in MiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 2**20


def child(argv: list[str], skip_canon: bool) -> None:
    if skip_canon:
        import engine.compiler.loader as loader
        import engine.compiler.modelcache as modelcache

        loader.check_canon_path = lambda ctx, story: None  # type: ignore[assignment]
        # A story compiled without its canon check must never be cached as clean.
        modelcache.lookup = lambda root, branches: None  # type: ignore[assignment]
        modelcache.store = lambda *args: None  # type: ignore[assignment]
    from engine.cli.main import main as hyosan

    sys.exit(hyosan(argv))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", nargs="?", default=str(ROOT / "story"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-states", type=int, default=None)
    parser.add_argument("--skip-canon-check", action="store_true")
    parser.add_argument("--search", choices=("sets", "states"), default=None)
    parser.add_argument("--symbolic", dest="search", action="store_const", const="sets")
    parser.add_argument("--rosters", action="store_true", help="count the final rosters")
    parser.add_argument("--max-memory", type=int, default=None, metavar="MB")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _rest = parser.parse_known_args()
    argv = ["explore", args.story, "--format", "json"]
    if args.jobs is not None:
        argv += ["--jobs", str(args.jobs)]
    if args.max_states is not None:
        argv += ["--max-states", str(args.max_states)]
    if args.search is not None:
        argv += ["--search", args.search]
    if args.rosters:
        argv.append("--rosters")
    if args.max_memory is not None:
        argv += ["--max-memory", str(args.max_memory)]
    if args.child:
        child(argv, args.skip_canon_check)
    runs = []
    for _ in range(args.runs):
        command = [sys.executable, __file__, *sys.argv[1:], "--child"]
        started = time.perf_counter()
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as sink:
            proc = subprocess.Popen(command, stdout=sink, text=True)
            peak = 0.0
            while proc.poll() is None:
                peak = max(peak, tree_rss_mib(proc.pid))
                time.sleep(0.05)
            sink.seek(0)
            out = sink.read()
        wall = time.perf_counter() - started
        report = json.loads(out)
        if args.out:
            args.out.write_text(out, encoding="utf-8")
        run = {
            "wall_s": round(wall, 2),
            "search_s": report["seconds"],
            "peak_tree_rss_mib": round(peak),
            "states": report["states"],
            "transitions": report["transitions"],
            "complete": report["complete"],
            "endings": sum(1 for e in report["endings"] if e["reached"]),
            "softlocks": len(report["softlocks"]),
            "symbolic": report["symbolic"],
            "final_rosters": report.get("final_roster_count"),
            "loadavg": os.getloadavg()[0],
        }
        runs.append(run)
        print(json.dumps(run))
    print(
        json.dumps(
            {
                "jobs": args.jobs,
                "best_search_s": min(r["search_s"] for r in runs),
                "median_search_s": statistics.median(r["search_s"] for r in runs),
                "best_wall_s": min(r["wall_s"] for r in runs),
                "peak_tree_rss_mib_max": max(r["peak_tree_rss_mib"] for r in runs),
            }
        )
    )


if __name__ == "__main__":
    main()
