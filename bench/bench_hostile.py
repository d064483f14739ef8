"""CPU time and peak memory of `hyosan` on the worst inputs of each kind (issue 13).

  .venv/bin/python bench/bench_hostile.py [--only NAME]

Each case writes a hostile input into a temporary folder (in a helper process, so this
one stays small: a child's peak RSS starts from its parent's) and runs the installed
`hyosan` on it in a fresh process (parse cache off), measured with wait4: user+system
CPU seconds and peak RSS. The target is every case under 5 s of CPU and 500 MB, with
exit code 1 or 2 (a clear error), never 70. Prints one JSON line per case.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HYOSAN = Path(sys.executable).with_name("hyosan")
MANIFEST = "id: t\nstart: a\ncast: {}\nflags: {door: D}\nepisodes: [one.yaml]\n"
EPISODE = (
    "episode: 1\nnodes:\n  a:\n    text: Start.\n    choices:\n"
    "      - {{id: if, text: If., if: '{condition}', goto: end}}\n"
    "      - {{id: go, text: Go., goto: end}}\n"
    "  end: {{text: End., ending: {{id: end, title: End}}}}\n"
)


def story(folder: Path, episode: str) -> list[str]:
    (folder / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    (folder / "one.yaml").write_text(episode, encoding="utf-8")
    return ["check", str(folder)]


def condition(text: str) -> Callable[[Path], list[str]]:
    return lambda folder: story(folder, EPISODE.format(condition=text))


def flat(line: str, count: int) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        data = "".join(line % i if "%" in line else line for i in range(count))
        return story(folder, data[: 16 * 1024 * 1024])

    return make


def alias_bomb(folder: Path) -> list[str]:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return story(folder, "\n".join(lines) + "\n")


def faulty_conditions(folder: Path) -> list[str]:
    choices = [f'      - {{id: c{i}, text: C., if: "x{i} =", goto: end}}' for i in range(20_000)]
    head = "episode: 1\nnodes:\n  a:\n    text: A.\n    choices:\n"
    tail = "\n  end: {text: E., ending: {id: end, title: E}}\n"
    return story(folder, head + "\n".join(choices) + tail)


def unknown_gotos(folder: Path) -> list[str]:
    nodes = [
        f"  n{i}: {{text: A., choices: [{{id: go, text: Go., goto: m{i}}}]}}" for i in range(5000)
    ]
    args = story(folder, "episode: 1\nnodes:\n" + "\n".join(nodes) + "\n")
    (folder / "story.yaml").write_text(MANIFEST.replace("start: a", "start: n0"), encoding="utf-8")
    return args


def many_episodes(folder: Path) -> list[str]:
    listed = "".join(f"- e/{i}.yaml\n" for i in range(240_000))
    (folder / "story.yaml").write_text(f"id: t\nstart: a\ncast: {{}}\nepisodes:\n{listed}")
    return ["check", str(folder)]


def big_save(folder: Path) -> list[str]:
    path = folder / "big.yaml"
    path.write_text("steps:\n" + "  - {node: a, choice: go, digest: 0123456789abcdef}\n" * 160_000)
    return ["replay", "--check", str(path)]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "flat list 14 MB": flat("- 1\n", 3_500_000),
    "flat list of strings 16 MB": flat("- abcdefghij%07d\n", 1_000_000),
    "empty lists 16 MB": flat("- []\n", 3_400_000),
    "small mappings 16 MB": flat("- {a: %d}\n", 1_600_000),
    "mapping of keys 12 MB": flat("k%07d: v\n", 1_000_000),
    "alias bomb": alias_bomb,
    "deep nesting 10,000": lambda f: story(f, "id: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    "condition 3 MB": condition("door and " * 350_000 + "door"),
    "condition 7,000 ands": condition("door and " * 7000 + "door"),
    "condition 3,000 parentheses": condition("(" * 3000 + "door" + ")" * 3000),
    "condition 20,000 nots": condition("not " * 20_000 + "door"),
    "condition 5,000 digits": condition("9" * 5000 + " > 2"),
    "20,000 faulty conditions": faulty_conditions,
    "5,000 unknown gotos among 5,000 nodes": unknown_gotos,
    "240,000 episode files listed": many_episodes,
    "replay /dev/zero": lambda f: ["replay", "--check", "/dev/zero"],
    "replay 8 MB save": big_save,
}


def measure(args: list[str]) -> dict[str, object]:
    env = {**os.environ, "HYOSAN_CACHE": "off"}
    process = subprocess.Popen(
        [str(HYOSAN), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    assert process.stderr is not None
    err = process.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "said": err.splitlines()[0][:120] if err else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the cases whose name holds this text")
    parser.add_argument("--make", nargs=2, metavar=("CASE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:  # the helper process: write the input, print the command's arguments
        print(json.dumps(CASES[args.make[0]](Path(args.make[1]))))
        return
    for name in CASES:
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory() as folder:
            made = subprocess.run(
                [sys.executable, __file__, "--make", name, folder],
                check=True,
                capture_output=True,
                text=True,
            )
            result = measure(json.loads(made.stdout))
        print(json.dumps({"case": name, **result}), flush=True)


if __name__ == "__main__":
    main()
