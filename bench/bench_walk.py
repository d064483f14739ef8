"""Seeded random playthroughs through `step`, the same walk as the peers' harnesses.

  .venv/bin/python bench/bench_walk.py [-n 10000] [--k 200] [--batches 3] [--warmup 50]
  .venv/bin/python bench/bench_walk.py -n 10000 --load-only   # the first load alone

`load_ms` is the first load in this process: `load_story` with whatever the cache holds
(`HYOSAN_CACHE`; a story checked or played before comes from the compiled-story cache).

Per playthrough: start from initial_state; until an ending: read the node's text and
every offered choice's text (counted in the checksum), pick `floor(rnd() * len(offered))`
with mulberry32 (the peers' PRNG), and `step`. The checksum (choices made, characters
read) must equal the peers' figure for the same story (../shared/bench/anchors/results.md
section 2), which proves the same walks were made. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import synthetic_story
from prng import mulberry32

from engine.cli._options import load_for_long_run
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, render_text, step


def playthrough(story: Story, rnd: object) -> tuple[int, int]:
    state = initial_state(story, 0)
    nodes = story.nodes
    choices = chars = 0
    while True:
        chars += len(render_text(nodes[state.node], state).strip())
        offered = available_choices(story, state)
        if not offered:
            return choices, chars
        for choice in offered:
            chars += len(choice.text.strip())
        pick = offered[int(rnd() * len(offered))]  # type: ignore[operator]
        state, _ = step(story, state, pick.id)
        choices += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10000, help="nodes in the synthetic story")
    parser.add_argument("--story", type=Path, help="walk this story folder instead")
    parser.add_argument("--k", type=int, default=200)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--load-only", action="store_true", help="load, print load_ms, exit")
    args = parser.parse_args()
    folder = args.story or synthetic_story(args.n)
    t = time.perf_counter()
    story = load_for_long_run(folder)  # as the commands that play or walk a story load it
    load_ms = (time.perf_counter() - t) * 1000
    if args.load_only:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"engine": "hyosan", "load_ms": round(load_ms, 1), "maxrss_kb": rss}))
        return
    rnd = mulberry32(args.seed + 7777)
    for _ in range(args.warmup):
        playthrough(story, rnd)
    batch_ms = []
    check = {}
    for _ in range(args.batches):
        rnd = mulberry32(args.seed)
        choices = chars = 0
        t = time.perf_counter()
        for _ in range(args.k):
            c, n = playthrough(story, rnd)
            choices += c
            chars += n
        batch_ms.append((time.perf_counter() - t) * 1000)
        check = {"playthroughs": args.k, "choices": choices, "chars": chars}
    median = statistics.median(batch_ms)
    print(
        json.dumps(
            {
                "engine": "hyosan",
                "story": str(folder),
                "load_ms": round(load_ms, 1),
                "batch_ms": [round(b, 2) for b in batch_ms],
                "playthroughs_per_s": round(args.k / (median / 1000), 1),
                "choices_per_s": round(check["choices"] / (median / 1000)),
                "check": check,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
