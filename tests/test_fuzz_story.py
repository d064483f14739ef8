"""Fuzzing story files: valid small stories, and the same stories broken every way.

Hypothesis draws a small story (a manifest, an episode file, sometimes a branch file:
nodes, choices, conditions, effects, endings), then breaks it: values swapped for wrong
types, huge or negative numbers, deep nesting or aliases; keys renamed; the YAML text
cut, spliced with control and bidi characters, NUL bytes, tags, alias bombs or stray
brackets; or the bytes themselves overwritten. For each, `check_story` must return
diagnostics (never raise), in bounded time, without touching the files, with every
message printable; a story it accepts must play. The budget comes from tests/fuzzing.py
(`pytest --fuzz` for the long run).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzzing import NASTY, budget, fingerprint, no_raw_controls, within_budget
from hypothesis import given
from hypothesis import strategies as st

from engine.compiler.loader import check_story
from engine.diagnostics import CODES, Diagnostic
from engine.runtime.model import Story
from engine.runtime.rules import RunEndedError, available_choices, initial_state, step

CAST = ["on-jo", "su-hyeok", "nam-ra"]
LEAVES = [
    "door",
    "alarm",
    "trust > 1",
    "trust == 0",
    "has('phone')",
    "has('bat', 2)",
    "count('bat') >= 1",
    "alive('on-jo')",
    "status('nam-ra') == 'bitten'",
    "place('su-hyeok') != 'group'",
    "with_group('nam-ra')",
    "bitten('on-jo')",
    "just_turned('nam-ra')",
    "visited('n1')",
    "survivors() >= 2",
    "turn > 3",
    "episode == 1",
    "true",
]
EFFECTS: list[Any] = [
    {"give": "phone"},
    {"give": {"item": "bat", "count": 2}},
    {"take": "bat"},
    {"set": "door"},
    {"set": {"flag": "alarm", "value": False}},
    {"clear": "door"},
    {"add": {"trust": 1}},
    {"add": {"trust": -2}},
    {"bite": {"who": "nam-ra", "turns": 1}},
    {"bite": "on-jo"},
    {"reveal": "on-jo"},
    {"turn": "su-hyeok"},
    {"kill": "su-hyeok"},
    {"separate": "nam-ra"},
    {"rejoin": "nam-ra"},
    {"leave": "su-hyeok"},
    {"chance": {"p": 0.5, "then": [{"set": "alarm"}], "else": [{"clear": "alarm"}]}},
    {"when": {"if": "trust > 1", "then": [{"give": "phone"}]}},
]

conditions = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join),
        inner.map(lambda c: f"not ({c})"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=6,
)


@st.composite
def stories(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid story: {file name: data}. Some nodes loop, some are endings."""
    ids = [f"n{i}" for i in range(draw(st.integers(2, 6)))]
    endings = draw(st.sets(st.sampled_from(ids[1:]), min_size=1))
    nodes: dict[str, Any] = {}
    for node_id in ids:
        if node_id in endings:
            nodes[node_id] = {"text": "The end.", "ending": {"id": f"e-{node_id}", "title": "E"}}
            continue
        choices = []
        for number in range(draw(st.integers(1, 3))):
            choice: dict[str, Any] = {
                "id": f"c{number}",
                "text": "Go.",
                "goto": draw(st.sampled_from(ids)),
            }
            if number > 0 and draw(st.booleans()):
                choice["if"] = draw(conditions)
            if draw(st.booleans()):
                choice["do"] = draw(st.lists(st.sampled_from(EFFECTS), max_size=3))
            choices.append(choice)
        nodes[node_id] = {
            "text": draw(st.sampled_from(["Start.", ["A.", {"if": "door", "text": "B."}]])),
            "choices": choices,
        }
    if draw(st.booleans()):
        nodes[ids[0]]["turning_point"] = {
            "id": "TP-1",
            "title": "T",
            "canon": "c0",
            "in_the_show": "S.",
        }
    manifest: dict[str, Any] = {
        "id": "fuzz",
        "start": "n0",
        "infection": {"incubation": draw(st.integers(1, 4))},
        "cast": {
            c: {"name": c.title(), **({"carrier": True} if c == "nam-ra" else {})} for c in CAST
        },
        "items": {"phone": {"name": "Phone"}, "bat": {"name": "Bat"}},
        "flags": {"door": "The door.", "alarm": "The alarm."},
        "counters": {"trust": {"start": 0, "min": 0, "max": 5}},
        "episodes": ["episodes/one.yaml"],
    }
    files = {"story.yaml": manifest, "episodes/one.yaml": {"episode": 1, "nodes": nodes}}
    if draw(st.booleans()):
        files["branches/b.yaml"] = {
            "branch": "b",
            "nodes": {"b.end": {"text": "Other.", "ending": {"id": "b-end", "title": "B"}}},
            "add_choices": {"n0": [{"id": "b-go", "text": "Other.", "goto": "b.end"}]},
        }
    return files


yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.sampled_from([0, -1, 10**4000, 2**63]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.sampled_from(NASTY),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        yield (*prefix, key)
        yield from paths(value, (*prefix, key))


def replaced(data: Any, path: tuple[Any, ...], value: Any, rename: bool = False) -> Any:
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    if len(path) == 1:
        if rename and isinstance(copy, dict):
            copy[value] = copy.pop(path[0])
        else:
            copy[path[0]] = value
        return copy
    copy[path[0]] = replaced(data[path[0]], path[1:], value, rename)
    return copy


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


@st.composite
def broken_stories(draw: st.DrawFn) -> dict[str, bytes]:
    """A valid story broken in one to three ways: {file name: bytes}."""
    files: dict[str, Any] = draw(stories())
    name = draw(st.sampled_from(sorted(files)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from([*paths(files[name])] or [("x",)]))
        how = draw(st.sampled_from(["value", "rename"]))
        if how == "value":
            files[name] = replaced(files[name], where, draw(yaml_values))
        else:
            key = draw(
                st.sampled_from(
                    [
                        "id",
                        "text",
                        "goto",
                        "if",
                        "do",
                        "choices",
                        "ending",
                        "nodes",
                        "episode",
                        "cast",
                        "start",
                        "<<",
                        "turning_piont",
                    ]
                )
            )
            files[name] = replaced(files[name], where, key, rename=True)
    encoded = {n: dump(d).encode() for n, d in files.items()}
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(sorted(encoded)))
        text = encoded[target]
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 20))
        piece = draw(st.one_of(st.sampled_from(NASTY).map(str.encode), st.binary(max_size=8)))
        encoded[target] = text[:at] + piece + text[at + cut :]
    return encoded


def write(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def checked(folder: Path) -> tuple[Story | None, list[Diagnostic]]:
    """check_story under the properties every input must keep."""
    before = fingerprint(folder)
    with within_budget(f"checking {folder}"):
        story, diagnostics = check_story(folder)
    assert fingerprint(folder) == before, "checking changed the story's files"
    for diagnostic in diagnostics:
        assert diagnostic.code in CODES
        assert diagnostic.pos.line >= 1 and diagnostic.pos.col >= 1, diagnostic
        assert no_raw_controls(diagnostic.render()), diagnostic.render()
    if story is not None:
        assert not any(d.is_error for d in diagnostics)
    return story, diagnostics


def walk(story: Story, seed: int, choices: list[int]) -> None:
    """Play the story along `choices` (indexes into what is offered); never raises."""
    state = initial_state(story, seed)
    for pick in choices:
        offered = available_choices(story, state)
        if not offered:
            return
        try:
            state, _ = step(story, state, offered[pick % len(offered)].id)
        except RunEndedError:
            return


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-story-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def fresh(scratch: Path) -> Path:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    return folder


@budget(60)
@given(files=stories(), seed=st.integers(0, 2**32), picks=st.lists(st.integers(0, 5), max_size=30))
def test_a_valid_story_checks_and_plays(
    scratch: Path, files: dict[str, Any], seed: int, picks: list[int]
) -> None:
    folder = write({n: dump(d).encode() for n, d in files.items()}, fresh(scratch))
    story, diagnostics = checked(folder)
    assert all(d.code in {"E057", "E058", "W101", "W102"} for d in diagnostics), [
        d.render() for d in diagnostics
    ]
    if story is not None:
        walk(story, seed, picks)


@budget(200)
@given(
    files=broken_stories(),
    seed=st.integers(0, 2**32),
    picks=st.lists(st.integers(0, 5), max_size=20),
)
def test_a_broken_story_is_diagnosed_never_raised(
    scratch: Path, files: dict[str, bytes], seed: int, picks: list[int]
) -> None:
    story, _ = checked(write(files, fresh(scratch)))
    if story is not None:
        walk(story, seed, picks)


@budget(60)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["story.yaml", "episodes/one.yaml"]))
def test_random_bytes_in_any_file_are_diagnosed(scratch: Path, data: bytes, name: str) -> None:
    files = {n: dump(d).encode() for n, d in STORY_FILES.items()}
    files[name] = data
    story, diagnostics = checked(write(files, fresh(scratch)))
    assert story is None and diagnostics


STORY_FILES: dict[str, Any] = {
    "story.yaml": {"id": "x", "start": "a", "cast": {}, "episodes": ["episodes/one.yaml"]},
    "episodes/one.yaml": {
        "episode": 1,
        "nodes": {
            "a": {"text": "A.", "choices": [{"id": "go", "text": "Go.", "goto": "end"}]},
            "end": {"text": "E.", "ending": {"id": "end", "title": "E"}},
        },
    },
}
