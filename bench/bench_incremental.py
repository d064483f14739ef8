"""Re-check time after an edit, as `hyosan check --watch` checks (the resident compiler).

  .venv/bin/python bench/bench_incremental.py [--nodes 10000] [--edits 15]

On a copy of the synthetic story (bench/out/nN, ten episode files), in one process,
each check made as `hyosan check --watch` makes it (`engine.tools.recheck.Rechecker`:
the resident compiler, then the weak-spot warnings): a cold check, a check with nothing
changed, then `--edits` one-word edits to one episode file (each re-check timed), then
the same kind of edit checked by a fresh `check_story` and `weak_spot_warnings` (for
comparison), then a node added to that file and a flag renamed in the manifest (every
node built again) and renamed back. The parse cache lives in a fresh temporary folder,
as a first session after the files changed would find it. Prints one JSON line per
measure: milliseconds (median, min-max for the edits, and the median CPU time, less
sensitive to other processes than the wall clock), how many nodes each check built, the
load average at the start and the end, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, synthetic_story

sys.path.insert(0, str(ROOT))


CPU: list[float] = []  # the CPU time of each check timed, ms


def _timed(checker: object) -> tuple[float, int]:
    """One check as `hyosan check --watch` makes it: the resident compiler's, then the
    weak-spot warnings (found again only when an edit can change them)."""
    from engine.tools.recheck import Rechecker

    assert isinstance(checker, Rechecker)
    start, cpu = time.perf_counter(), time.process_time()
    story, diagnostics, _warnings = checker.check()
    ms = (time.perf_counter() - start) * 1000
    CPU.append((time.process_time() - cpu) * 1000)
    assert story is not None or any(d.is_error for d in diagnostics)
    return ms, checker.workspace.rebuilt


def _line(measure: str, times: list[float], built: list[int], **extra: object) -> None:
    out: dict[str, object] = {"measure": measure, "runs": len(times)}
    out["ms_median"] = round(statistics.median(times), 1)
    if len(times) > 1:
        out["ms_min"], out["ms_max"] = round(min(times), 1), round(max(times), 1)
    out["nodes_built"] = built[0] if len(set(built)) == 1 else built
    print(json.dumps({**out, **extra}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    source = synthetic_story(args.nodes)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["HYOSAN_CACHE"] = str(Path(folder) / "cache")
        from engine.tools.recheck import Rechecker

        root = Path(folder) / "story"
        shutil.copytree(source, root)
        workspace = Rechecker(root)
        ms, built = _timed(workspace)
        _line("cold check", [ms], [built], load=os.getloadavg()[0])
        ms, built = _timed(workspace)
        _line("nothing changed", [ms], [built])

        files = sorted((root / "episodes").glob("*.yaml"))
        episode = files[len(files) // 2]  # one in the middle
        text = episode.read_text()
        first = text.index("text: ") + len("text: ")
        times, counts = [], []
        CPU.clear()
        for n in range(args.edits):
            episode.write_text(f"{text[:first]}Edit{n} {text[first:]}")
            ms, built = _timed(workspace)
            times.append(ms)
            counts.append(built)
        cpu = round(statistics.median(CPU), 1)
        reused = workspace.warnings_reused
        _line(
            "one-word edit in one file",
            times,
            counts,
            ms_first=round(times[0], 1),
            cpu_ms=cpu,
            weak_spots_reused=reused,
        )

        from engine.compiler.loader import check_story
        from engine.tools.lint import weak_spot_warnings

        fresh = []
        for n in range(3):  # the same edit, compiled from scratch (parse cache warm)
            episode.write_text(f"{text[:first]}Fresh{n} {text[first:]}")
            start = time.perf_counter()
            story, _ = check_story(root, overlay={"/nonexistent": b""})  # skips the model cache
            assert story is not None
            weak_spot_warnings(story)
            fresh.append((time.perf_counter() - start) * 1000)
        _line("the same edit, fresh check_story (for comparison)", fresh, [args.nodes])
        episode.write_text(text)
        _timed(workspace)

        from engine.compiler import validate

        spent: list[float] = []
        check_graph = validate.check_graph

        def timed_graph(*given: Any) -> None:  # the whole-story checks, when they run
            start = time.perf_counter()
            check_graph(*given)
            spent.append((time.perf_counter() - start) * 1000)

        validate.check_graph = timed_graph
        node = "  added.n1:\n    text: A new node.\n    choices:\n    - id: c0\n"
        node += "      text: Back.\n      goto: n0\n"
        episode.write_text(text + node)
        ms, built = _timed(workspace)
        graph = round(sum(spent), 1)
        _line("a node added to one file", [ms], [built], whole_story_checks_ms=graph)
        validate.check_graph = check_graph

        manifest = root / "story.yaml"
        declared = manifest.read_text()
        manifest.write_text(declared.replace("  f0: generated", "  f0_renamed: generated"))
        ms, built = _timed(workspace)
        _line("a flag renamed (its uses become errors)", [ms], [built])
        manifest.write_text(declared)
        ms, built = _timed(workspace)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        _line("the flag renamed back", [ms], [built], load=os.getloadavg()[0], maxrss_mib=rss)


if __name__ == "__main__":
    main()
