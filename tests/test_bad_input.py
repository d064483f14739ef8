"""Bad input never shows a traceback: one clear error naming the file, and exit 1.

The hostile files (missing, empty, not UTF-8, binary, an alias bomb, 50 MB, 10,000
levels deep) go through the installed `hyosan check` in a subprocess, so a crash or a
hang would show. Wrong types in every place of a story are checked in-process: each must
be a diagnostic, never an exception.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.compiler.limits import MAX_VALUES
from engine.compiler.loader import check_story

HYOSAN = Path(sys.executable).with_name("hyosan")


def hyosan_check(story: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HYOSAN), "check", str(story)], capture_output=True, text=True, timeout=60
    )


def assert_one_clear_error(done: subprocess.CompletedProcess[str], code: str, where: Path) -> None:
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error " in line]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith(f"{where}:")
    assert f"error {code}:" in errors[0]
    assert "  fix: " in done.stderr


def manifest_of(text: str | bytes, tmp_path: Path) -> Path:
    """A story folder whose story.yaml holds exactly `text`."""
    path = tmp_path / "story.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_missing_folder(tmp_path: Path) -> None:
    done = hyosan_check(tmp_path / "no-such-story")
    assert_one_clear_error(done, "E002", tmp_path / "no-such-story")
    assert "no such file or folder" in done.stderr


def test_empty_manifest(tmp_path: Path) -> None:
    path = manifest_of("", tmp_path)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E006", path)


def test_manifest_that_is_not_utf8(tmp_path: Path) -> None:
    path = manifest_of("id: caf\xe9\n".encode("latin-1"), tmp_path)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E003", path)
    assert f"{path}:1:8:" in done.stderr


def test_binary_garbage(tmp_path: Path) -> None:
    garbage = bytes(random.Random(7).randrange(256) for _ in range(4096))
    path = manifest_of(b"\x7fELF\x00" + garbage, tmp_path)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E003", path)


def test_billion_laughs_alias_bomb(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    path = manifest_of("\n".join(lines) + "\n", tmp_path)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E005", path)
    assert f"the file expands to more than {MAX_VALUES:,} values" in done.stderr


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    with path.open("w", encoding="utf-8") as out:
        line = "# " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            out.write(line)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E004", path)
    assert "story files are limited to 16 MiB" in done.stderr


@pytest.mark.parametrize(
    "text",
    ["id: " + "[" * 10_000 + "]" * 10_000 + "\n", "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"],
    ids=["lists", "mappings"],
)
def test_data_nested_ten_thousand_levels_deep(text: str, tmp_path: Path) -> None:
    path = manifest_of(text, tmp_path)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E005", path)


def test_manifest_that_is_a_list(tmp_path: Path) -> None:
    path = manifest_of("- one\n- two\n", tmp_path)
    done = hyosan_check(tmp_path)
    assert_one_clear_error(done, "E012", path)
    assert "the manifest must be a mapping, not a list" in done.stderr


# --- a wrong type anywhere is a diagnostic, never an exception ----------------------------

MANIFEST: dict[str, Any] = {
    "id": "t",
    "title": "T",
    "start": "a",
    "infection": {"incubation": 2, "on_turn": "turned"},
    "cast": {"on-jo": {"name": "On-jo", "status": "healthy", "place": "group",
                       "carrier": False, "incubation": 2, "on_turn": "turned"},
             "ha-ri": {"name": "Ha-ri"}},  # no on_turn of her own: the story's can fire
    "items": {"phone": {"name": "Phone", "description": "A phone."}},
    "flags": {"alarm": "The alarm rang."},
    "counters": {"trust": {"start": 0, "min": 0, "max": 3}, "noise": 0},
    "episodes": ["episodes/one.yaml"],
    "canon": {"ending": "end", "roster": {"on-jo": {1: "healthy"}}},
}  # fmt: skip
EPISODE: dict[str, Any] = {
    "episode": 1,
    "title": "One",
    "flags": {"door": "The door."},
    "nodes": {
        "a": {
            "do": [{"give": {"item": "phone", "count": 1}}, {"add": {"trust": 1}}],
            "text": ["Start.", {"if": "has('phone')", "text": "Buzz."}],
            "turning_point": {"id": "TP", "title": "T", "canon": "go", "in_the_show": "Went."},
            "choices": [
                {"id": "go", "text": "Go.", "goto": "end"},
                {"id": "bite", "text": "Bite.", "if": "alarm", "goto": "a",
                 "do": [{"bite": {"who": "on-jo", "turns": 2, "hidden": True}}, {"bite": "ha-ri"},
                        {"chance": {"p": 0.5, "then": [{"set": "alarm"}], "else": []}},
                        {"when": {"if": "trust > 1", "then": [{"kill": "on-jo"}]}}]},
            ],
        },
        "turned": {"text": "Turned.", "choices": [{"id": "r", "text": "R.", "goto": "$resume"}]},
        "end": {"text": "The end.", "ending": {"id": "end", "title": "End", "summary": "S."}},
    },
}  # fmt: skip
BRANCH: dict[str, Any] = {
    "branch": "b",
    "nodes": {"b.end": {"text": "Other.", "ending": {"id": "other", "title": "Other"}}},
    "add_choices": {"a": [{"id": "other", "text": "Other.", "goto": "b.end"}]},
}
FILES = {"story.yaml": MANIFEST, "episodes/one.yaml": EPISODE, "branches/b.yaml": BRANCH}
WRONG_VALUES: list[Any] = ["word", [1], None]  # a string, a list, nothing


def key_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `data`."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    found: list[tuple[Any, ...]] = []
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, dict | list):
            found += key_paths(value, (*prefix, key))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


PLACES = [(name, path) for name, data in FILES.items() for path in key_paths(data)]


def test_the_base_story_of_the_type_sweep_is_clean(tmp_path: Path) -> None:
    for name, data in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(yaml.safe_dump(data), encoding="utf-8")
    story, diagnostics = check_story(tmp_path)
    assert story is not None and diagnostics == []


@pytest.mark.parametrize(
    ("name", "path"), PLACES, ids=[f"{n}:{'.'.join(map(str, p))}" for n, p in PLACES]
)
def test_a_wrong_type_anywhere_is_a_diagnostic_not_a_crash(
    name: str, path: tuple[Any, ...], tmp_path: Path
) -> None:
    shutil.rmtree(tmp_path)
    for other, data in FILES.items():
        (tmp_path / other).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / other).write_text(yaml.safe_dump(data), encoding="utf-8")
    target = tmp_path / name
    crashes = []
    for value in WRONG_VALUES:
        target.write_text(yaml.safe_dump(replaced(FILES[name], path, value)), encoding="utf-8")
        try:
            check_story(tmp_path)
        except Exception as exc:  # any exception here is an engine bug
            crashes.append(f"{value!r}: {type(exc).__name__}: {exc}")
    assert not crashes, crashes
