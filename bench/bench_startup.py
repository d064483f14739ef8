"""Time from launch to the first choice on screen, beside the bare imports.

  .venv/bin/python bench/bench_startup.py [--runs 15] [--story DIR]

Three commands, run round-robin so that machine noise hits them alike:
  bare        python -c "import prompt_toolkit, yaml"           (process start to exit)
  fullscreen  hyosan play (full screen, in a pseudo-terminal)   (start to the first
              choice's text on screen)
  plain       hyosan play --plain (through a pipe)              (start to the first
              numbered choice)
Each play run gets a new, empty saves folder (no "continue?" offer). Prints one JSON
line per command (median, min, max ms) and the ratios of the medians to `bare`.

Before timing, the engine's bytecode is compiled (`compileall`) and the story's parse
cache is warmed, as they are after a player's first launch: prompt_toolkit and PyYAML
arrive compiled from their wheels, while an editable install of the engine compiles on
first import (never, where PYTHONDONTWRITEBYTECODE is set, as on this machine).
`--cold` skips both, to measure a first launch.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HYOSAN = str(Path(PYTHON).parent / "hyosan")


def first_choice_text(story: Path) -> str:
    sys.path.insert(0, str(ROOT))
    from engine.compiler.loader import load_story
    from engine.runtime.rules import available_choices, initial_state

    loaded = load_story(story)
    return available_choices(loaded, initial_state(loaded, 0))[0].text.strip()[:20]


def time_bare() -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import prompt_toolkit, yaml"], check=True)
    return time.perf_counter() - start


def time_fullscreen(story: Path, marker: str) -> float:
    with tempfile.TemporaryDirectory() as saves:
        start = time.perf_counter()
        child = pexpect.spawn(
            HYOSAN,
            ["play", "--story", str(story), "--saves-dir", saves],
            dimensions=(40, 120),
            env={**os.environ, "TERM": "xterm"},
            encoding="utf-8",
        )
        child.expect_exact(marker.split()[0], timeout=30)
        elapsed = time.perf_counter() - start
        child.terminate(force=True)
    return elapsed


def time_plain(story: Path) -> float:
    with tempfile.TemporaryDirectory() as saves:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [HYOSAN, "play", "--plain", "--story", str(story), "--saves-dir", saves],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        seen = b""
        while b"  1. " not in seen:
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            if not ready:
                raise SystemExit("no choice within 30 s")
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                raise SystemExit("play ended before showing a choice")
            seen += chunk
        elapsed = time.perf_counter() - start
        proc.kill()
        proc.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--story", type=Path, default=ROOT / "story")
    parser.add_argument("--cold", action="store_true", help="no bytecode, no parse cache")
    args = parser.parse_args()
    if args.cold:
        os.environ["HYOSAN_CACHE"] = "off"
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        for cached in (ROOT / "engine").rglob("__pycache__"):
            for pyc in cached.glob("*.pyc"):
                pyc.unlink()
    else:
        subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "engine")], check=True)
    marker = first_choice_text(args.story)
    times: dict[str, list[float]] = {"bare": [], "fullscreen": [], "plain": []}
    for _ in range(2):  # warm the page cache
        time_bare()
        time_plain(args.story)
    for _ in range(args.runs):
        times["bare"].append(time_bare())
        times["fullscreen"].append(time_fullscreen(args.story, marker))
        times["plain"].append(time_plain(args.story))
    bare = statistics.median(times["bare"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            json.dumps(
                {
                    "command": name,
                    "median_ms": round(median * 1000, 1),
                    "min_ms": round(min(values) * 1000, 1),
                    "max_ms": round(max(values) * 1000, 1),
                    "runs": len(values),
                    "ratio_to_bare": round(median / bare, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
