"""Report any run of eight words that the story shares with the seed texts.

Usage: python scripts/check_originality.py [STORY_DIR] [SEEDS_DIR]
Exit 1 when a shared run is found. The seeds are the source texts about the show
(../shared/seeds beside the repository); the story must use their facts, never their words.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

RUN = 8
_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


def shared_runs(story_dir: Path, seeds_dir: Path) -> list[tuple[Path, str]]:
    seed_runs: set[tuple[str, ...]] = set()
    for seed in sorted(seeds_dir.glob("*.txt")):
        seed_runs |= runs(seed.read_text(encoding="utf-8", errors="replace"))
    found = []
    for path in sorted(story_dir.rglob("*.yaml")):
        for run in sorted(runs(path.read_text(encoding="utf-8")) & seed_runs):
            found.append((path, " ".join(run)))
    return found


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    story = Path(argv[0]) if argv else root / "story"
    seeds = Path(argv[1]) if len(argv) > 1 else root.parent / "shared" / "seeds"
    if not seeds.is_dir():
        print(f"no seeds folder at {seeds}", file=sys.stderr)
        return 2
    found = shared_runs(story, seeds)
    for path, run in found:
        print(f"{path}: shares an eight-word run with the seeds: {run!r}")
    print(f"{len(found)} shared runs")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
