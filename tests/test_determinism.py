"""The same story and seeds give the same results whatever Python's hash seed is.

Set and dict-of-set iteration order changes with PYTHONHASHSEED; nothing the engine
computes may depend on it. The same program runs in two fresh interpreters with
different hash seeds (each with an empty parse cache) and must print the same digest
over: the canon path of the bundled story (a state digest per step), 50 seeded random
playthroughs (endings, survivors, node visits), and an exploration of the example story
(endings with their witnesses, softlocks, final rosters with their witnesses).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "fixtures" / "example"

PROGRAM = """
import hashlib
import sys
from pathlib import Path

from engine import BUNDLED_STORY
from engine.compiler.loader import load_story
from engine.runtime.state import state_digest
from engine.tools.explore import Explorer

from engine.runtime.canon import canon_path
from engine.tools.randomtest import random_playthroughs

digest = hashlib.sha256()


def put(*parts):
    digest.update(repr(parts).encode() + b"\\n")


story = load_story(BUNDLED_STORY)
for state in canon_path(story):
    put("canon", state_digest(story, state))

runs = random_playthroughs(story, 50, seed=7)
put("endings", sorted(runs.endings.items()))
put("survivors", sorted(runs.survivors.items()))
put("node visits", sorted(runs.node_visits.items()))

explorer = Explorer(load_story(Path(sys.argv[1])), max_states=20000, rosters=True)
explorer.run()
found = explorer.result()
put("explored", found.states, found.transitions, found.complete)
put("endings", sorted((e.id, e.node, e.states, e.witness, e.survivors) for e in found.endings))
put("softlocks", sorted((s.node, s.kind, s.states, s.witness) for s in found.softlocks))
put(
    "final rosters",
    sorted(
        (tuple(r.roster), r.survivors, r.states, tuple(r.endings), explorer.witness(r.first_state))
        for r in found.final_rosters
    ),
)
print(digest.hexdigest())
print(hash("hyosan"))  # shows the hash seed took effect
"""


def run_with_hash_seed(hash_seed: int, cache: Path) -> tuple[str, str]:
    """Run the program in a fresh interpreter with this hash seed: (digest, a str hash)."""
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "HYOSAN_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(EXAMPLE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"PYTHONHASHSEED={hash_seed}: the program failed:\n{done.stderr}"
    digest, str_hash = done.stdout.split()
    assert re.fullmatch(r"[0-9a-f]{64}", digest), f"not a digest: {digest!r}"
    return digest, str_hash


def test_results_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    first, first_hash = run_with_hash_seed(1, tmp_path / "cache-1")
    second, second_hash = run_with_hash_seed(12345, tmp_path / "cache-12345")
    assert first_hash != second_hash, "both interpreters hashed strings alike: seeds not set?"
    assert first == second, "the canon path, random playthroughs or exploration changed"
