"""Shared helpers for the benchmarks: find the peers' generator, make synthetic stories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from convert import convert

ROOT = Path(__file__).resolve().parent.parent
ANCHORS = ROOT.parent / "shared" / "bench" / "anchors"
OUT = ROOT / "bench" / "out"


def synthetic_story(n: int, seed: int = 1, branching: int = 3) -> Path:
    """The peers' generated story of `n` nodes, converted to a Hyosan story folder (cached)."""
    folder = OUT / f"n{n}"
    if (folder / "story.yaml").is_file():
        return folder
    generator = ANCHORS / "gen_story.py"
    if not generator.is_file():
        raise SystemExit(f"the peers' generator is not at {generator} (../shared/bench/anchors)")
    OUT.mkdir(parents=True, exist_ok=True)
    prefix = OUT / f"n{n}"
    subprocess.run(
        [
            sys.executable,
            str(generator),
            "-n",
            str(n),
            "-b",
            str(branching),
            "--seed",
            str(seed),
            "--out",
            str(prefix),
        ],
        check=True,
        capture_output=True,
    )
    story = json.loads((OUT / f"n{n}.story.json").read_text(encoding="utf-8"))
    convert(story, folder)
    return folder
