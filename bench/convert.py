"""Convert a neutral `branching-story/1` JSON graph into a Hyosan story folder.

The peers' generator (../shared/bench/anchors/gen_story.py) writes the same graph as ink
and as this neutral JSON; this converter writes it as a Hyosan story, so that the same
graph runs here and in the ink runtimes, with the same walks and the same checksums.

  python bench/convert.py STORY.story.json OUT_DIR [--per-file 1000]

Mapping: node nK -> node "nK"; flag fK -> flag "fK"; counter cK -> counter "cK";
{"var": f, "op": "==", "value": true} -> "f"; false -> "not f"; {"op": ">="} -> "c >= k";
{"op": "set"} -> {set: f}; {"op": "add"} -> {add: {c: 1}}; "end" -> an ending.
Nodes are written in episode files of --per-file nodes each (episode 1, 2, ...).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _condition(cond: dict[str, Any]) -> str:
    if cond["op"] == "==":
        return cond["var"] if cond["value"] else f"not {cond['var']}"
    return f"{cond['var']} {cond['op']} {cond['value']}"


def _effect(effect: dict[str, Any]) -> dict[str, Any]:
    if effect["op"] == "set":
        return {"set": effect["var"]} if effect["value"] else {"clear": effect["var"]}
    return {"add": {effect["var"]: effect["value"]}}


def _node(node_id: str, node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": node["text"]}
    if node.get("end"):
        out["ending"] = {"id": f"end-{node_id}", "title": f"Ending {node_id}"}
        return out
    choices = []
    for index, choice in enumerate(node["choices"]):
        item: dict[str, Any] = {"id": f"c{index}", "text": choice["text"]}
        if "if" in choice:
            item["if"] = _condition(choice["if"])
        if "do" in choice:
            item["do"] = [_effect(e) for e in choice["do"]]
        item["goto"] = choice["target"]
        choices.append(item)
    out["choices"] = choices
    return out


def convert(story: dict[str, Any], out: Path, per_file: int = 1000) -> dict[str, int]:
    """Write `story` (branching-story/1) as a Hyosan story folder at `out`."""
    if story.get("format") != "branching-story/1":
        raise SystemExit(f"not a branching-story/1 file (format: {story.get('format')!r})")
    if out.exists():
        shutil.rmtree(out)
    (out / "episodes").mkdir(parents=True)
    variables = story["variables"]
    flags = {k: f"generated flag {k}" for k, v in variables.items() if isinstance(v, bool)}
    counters = {k: v for k, v in variables.items() if not isinstance(v, bool)}
    node_items = list(story["nodes"].items())
    files = []
    for index in range(0, len(node_items), per_file):
        number = index // per_file + 1
        chunk = {nid: _node(nid, node) for nid, node in node_items[index : index + per_file]}
        name = f"episodes/part{number:04d}.yaml"
        data = {"episode": number, "title": f"Part {number}", "nodes": chunk}
        with open(out / name, "w", encoding="utf-8") as f:
            yaml.dump(data, f, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
        files.append(name)
    manifest = {
        "id": f"synthetic-n{len(node_items)}",
        "title": f"Synthetic story ({len(node_items)} nodes)",
        "start": story["start"],
        "cast": {},
        "flags": flags,
        "counters": counters,
        "episodes": files,
    }
    with open(out / "story.yaml", "w", encoding="utf-8") as f:
        yaml.dump(manifest, f, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return {"nodes": len(node_items), "files": len(files)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", type=Path, help="a branching-story/1 .story.json file")
    parser.add_argument("out", type=Path, help="the story folder to write (replaced)")
    parser.add_argument("--per-file", type=int, default=1000, help="nodes per episode file")
    args = parser.parse_args()
    story = json.loads(args.story.read_text(encoding="utf-8"))
    print(json.dumps({"out": str(args.out), **convert(story, args.out, args.per_file)}))


if __name__ == "__main__":
    main()
