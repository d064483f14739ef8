"""Hyosan, bink and inkjs side by side: the same seeded walks on the same generated story.

  .venv/bin/python bench/compare.py [-n 10000] [--rounds 5] [--k 200] [--anchors DIR]

The story is the peers' generated one (`gen_story.py -n N -b 3 --seed 1`): converted to
YAML for Hyosan (bench/common.py), compiled to ink JSON by the inkjs compiler for bink and
inkjs. Each round runs the three harnesses as fresh processes, back to back, in an order
rotated every round (bench/bench_walk.py, the anchors' bench_bink.py and bench_inkjs.js:
K seeded playthroughs per batch, 3 batches or `--batches B`, the median batch counts).
A ratio is taken inside each round, so the machine's drift hits both sides alike; the
summary gives the median ratio with its min-max over the rounds, and checks that every
engine made the same walks (choices, characters read).

First load: each engine's harness also times its first load of the story in that fresh
process (bink and inkjs: the compiled JSON text into a story object; Hyosan: the story
folder into a checked story, file reads included). Hyosan's figure is taken as a player
meets it, with the compiled-story cache holding the story (it was checked or played
before: a load is made before the rounds); each round also times one load with an empty
cache (parse and compile everything), reported beside it, not in the ratio.

ANCHORS is a prepared copy of ../shared/bench/anchors (its README: `.venv` with bink,
`npm ci` for inkjs). A peer that cannot run here is reported as such, and the figure
the peers recorded for the same story (results/raw/runtime.jsonl) is shown instead,
labelled "recorded", never mixed into the measured ratios. Prints a table, then one
JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ANCHORS, OUT, ROOT, synthetic_story

PEERS = ("bink", "inkjs")


def _run_json(command: list[str], cwd: Path | None = None) -> dict[str, Any]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _why_not(peer: str, anchors: Path) -> str | None:
    """None when `peer` can run from `anchors`, else why not."""
    if peer == "bink":
        python = anchors / ".venv" / "bin" / "python"
        if not python.is_file():
            return f"no {python} (make it as the anchors' README says: pip install bink)"
        probe = subprocess.run([str(python), "-c", "import bink.story"], capture_output=True)
        return None if probe.returncode == 0 else "bink does not import in the anchors' venv"
    if shutil.which("node") is None:
        return "node is not installed"
    if not (anchors / "node_modules" / "inkjs").is_dir():
        return f"no {anchors / 'node_modules' / 'inkjs'} (run npm ci there)"
    return None


def _ink_json(n: int, anchors: Path) -> Path:
    """The generated story compiled by the inkjs compiler (cached in bench/out)."""
    target = OUT / f"n{n}.ink.json"
    if not target.is_file():
        source = OUT / f"n{n}.ink"
        _run_json(["node", str(anchors / "compile_ink.js"), str(source), str(target)], anchors)
    return target


def _command(
    engine: str, n: int, k: int, anchors: Path, ink: Path | None, batches: int = 3
) -> list[str]:
    common = ["--k", str(k), "--batches", str(batches), "--warmup", "50"]
    if engine == "hyosan":
        walk = ROOT / "bench" / "bench_walk.py"
        return [sys.executable, str(walk), "-n", str(n), *common]
    peer_args = [str(ink), *common, "--load-reps", "1", "--state-reps", "10"]
    if engine == "bink":
        python = anchors / ".venv" / "bin" / "python"
        return [str(python), str(anchors / "bench_bink.py"), *peer_args]
    return ["node", str(anchors / "bench_inkjs.js"), *peer_args]


def _load_command(n: int, cache: str | None) -> list[str]:
    """Hyosan's first load alone; `cache`: an empty cache folder (None: the usual one)."""
    walk = ROOT / "bench" / "bench_walk.py"
    env = [] if cache is None else ["env", f"HYOSAN_CACHE={cache}"]
    return [*env, sys.executable, str(walk), "-n", str(n), "--load-only"]


def _recorded(peer: str, n: int) -> float | None:
    """The peers' own median choices/s for this story size, if they recorded one."""
    raw = ANCHORS / "results" / "raw" / "runtime.jsonl"
    if not raw.is_file():
        return None
    figures = []
    for line in raw.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("peer") == peer and row.get("size") == n and row.get("choices_per_s"):
            figures.append(float(row["choices_per_s"]))
    return statistics.median(figures) if figures else None


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f}, n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10000, help="nodes in the generated story")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--k", type=int, default=200, help="playthroughs per batch")
    parser.add_argument(
        "--batches",
        type=int,
        default=3,
        help="timed batches per run, the median counts (every harness; default 3, as theirs)",
    )
    parser.add_argument("--anchors", type=Path, default=ANCHORS, help="prepared anchors copy")
    args = parser.parse_args()
    anchors = args.anchors.resolve()
    synthetic_story(args.n)  # also writes bench/out/nN.ink
    missing = {peer: why for peer in PEERS if (why := _why_not(peer, anchors)) is not None}
    engines = ["hyosan", *(p for p in PEERS if p not in missing)]
    ink = _ink_json(args.n, anchors) if len(engines) > 1 else None
    rates: dict[str, list[float]] = {e: [] for e in engines}
    loads: dict[str, list[float]] = {e: [] for e in [*engines, "hyosan-cold"]}
    load_ratios: dict[str, list[float]] = {p: [] for p in engines[1:]}
    _run_json(_load_command(args.n, None))  # fills the compiled-story cache
    ratios: dict[str, list[float]] = {p: [] for p in engines[1:]}
    checks = set()
    for round_ in range(args.rounds):
        shift = round_ % len(engines)
        got = {}
        for engine in engines[shift:] + engines[:shift]:
            out = _run_json(_command(engine, args.n, args.k, anchors, ink, args.batches))
            got[engine] = float(out["choices_per_s"])
            loads[engine].append(float(out["load_ms" if engine == "hyosan" else "load_cold_ms"]))
            check = out["check"]
            checks.add((check["playthroughs"], check["choices"], check["chars"]))
        for engine, rate in got.items():
            rates[engine].append(rate)
        for peer in ratios:
            ratios[peer].append(got["hyosan"] / got[peer])
            load_ratios[peer].append(loads["hyosan"][-1] / loads[peer][-1])
        with tempfile.TemporaryDirectory() as empty:
            loads["hyosan-cold"].append(float(_run_json(_load_command(args.n, empty))["load_ms"]))
        print(
            f"round {round_ + 1}: " + ", ".join(f"{e} {r:,.0f}" for e, r in got.items()),
            file=sys.stderr,
        )
    print(
        f"Walks on the generated {args.n:,}-node story, {args.rounds} rounds, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"  same walks in every run (playthroughs, choices, chars): {sorted(checks)}")
    for engine, values in rates.items():
        print(
            f"  {engine:7} {statistics.median(values):>10,.0f} choices/s "
            f"(min {min(values):,.0f}, max {max(values):,.0f})"
        )
    for peer, values in ratios.items():
        print(f"  Hyosan / {peer}: {_spread(values)}  measured side by side")
    print("First load of the story in a fresh process, ms (median, min-max):")
    for engine, values in loads.items():
        label = "hyosan, empty cache" if engine == "hyosan-cold" else engine
        low, high, mid = min(values), max(values), statistics.median(values)
        print(f"  {label:20} {mid:>9,.1f} ({low:,.1f}-{high:,.1f})")
    for peer, values in load_ratios.items():
        print(f"  first load, Hyosan / {peer}: {_spread(values)} (time: below 1 is faster)")
    recorded = {}
    for peer, why in missing.items():
        figure = _recorded(peer, args.n)
        recorded[peer] = figure
        shown = f"{figure:,.0f} choices/s" if figure else "no figure recorded"
        hy = statistics.median(rates["hyosan"])
        ratio = f", Hyosan / {peer} {hy / figure:.2f}x (not side by side)" if figure else ""
        print(f"  {peer}: NOT RUN ({why}); recorded by the peers: {shown}{ratio}")
    print(
        json.dumps(
            {
                "nodes": args.n,
                "rounds": args.rounds,
                "k": args.k,
                "same_walks": len(checks) == 1,
                "checksums": sorted(checks),
                "choices_per_s": rates,
                "ratios": {
                    p: {"median": statistics.median(v), "min": min(v), "max": max(v)}
                    for p, v in ratios.items()
                },
                "first_load_ms": loads,
                "first_load_ratios": {
                    p: {"median": statistics.median(v), "min": min(v), "max": max(v)}
                    for p, v in load_ratios.items()
                },
                "not_run": missing,
                "recorded_choices_per_s": recorded,
            }
        )
    )


if __name__ == "__main__":
    main()
