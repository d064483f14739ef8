"""Fuzzing save files: real saves of random runs, then broken line by line and byte by byte.

Hypothesis plays a random run of a fixture story, writes it as a save, then breaks it:
lines dropped, doubled or swapped, fields given other values (huge numbers, wrong
types, unknown choices, other digests), hostile bytes spliced in. Reading it must give
a `SaveFile` or a `SaveError`, replaying a `ReplayResult` or a `SaveError`, and the
real `hyosan replay` / `hyosan compare` commands an exit code of 0, 1 or 2 with no
internal error, in bounded time, leaving the save as it was. The budget comes from
tests/fuzzing.py (`pytest --fuzz` for the long run).
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzing import NASTY, budget, fingerprint, no_raw_controls, within_budget
from hypothesis import given
from hypothesis import strategies as st

from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.replay import replay_save
from engine.runtime.model import Story
from engine.runtime.rules import available_choices, initial_state, step
from engine.saves.format import SaveError, dump_save, make_save
from engine.saves.parse import parse_bytes

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "saves_story"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(FIXTURE)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-saves-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def save_text(story: Story, seed: int, picks: list[int]) -> str:
    """The save of a run that takes the `picks`-th offered choice at each step."""
    states = [initial_state(story, seed)]
    for pick in picks:
        offered = available_choices(story, states[-1])
        if not offered or story.nodes[states[-1].node].ending is not None:
            break
        states.append(step(story, states[-1], offered[pick % len(offered)].id)[0])
    return dump_save(make_save(story, seed, states, "fuzz", now="2024-05-01T12:00:00Z"))


FIELD_VALUES = [
    "0", "-1", "1", "2", "99999", "9" * 5000, "1e309", "null", "[]", "{}", "~", "yes",
    "'text'", "a.hall", "nowhere", "ffffffffffffffff", "0123456789abcdef", "2024-13-45",
    "*a", "&a x", "!!python/name:os.system", "\u202e", "'\x1b[2J'",
]  # fmt: skip
FIELD = re.compile(r"^(\s*(?:- )?[a-z_]+: )(.*)$", re.MULTILINE)


@st.composite
def broken(draw: st.DrawFn, story: Story) -> bytes:
    """A real save, broken in zero to four ways."""
    text = save_text(
        story, draw(st.integers(0, 2**32)), draw(st.lists(st.integers(0, 4), max_size=15))
    )
    for _ in range(draw(st.integers(0, 4))):
        lines = text.splitlines(keepends=True)
        how = draw(st.sampled_from(["drop", "double", "swap", "field", "splice"]))
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        if how == "drop" and lines:
            del lines[at]
        elif how == "double" and lines:
            lines.insert(at, lines[at])
        elif how == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "field":
            fields = list(FIELD.finditer(text))
            if fields:
                match = draw(st.sampled_from(fields))
                value = draw(st.sampled_from(FIELD_VALUES))
                text = text[: match.start(2)] + value + text[match.end(2) :]
                continue
        else:
            piece = draw(st.sampled_from(NASTY))
            cut = draw(st.integers(0, 10))
            spot = draw(st.integers(0, len(text)))
            text = text[:spot] + piece + text[spot + cut :]
            continue
        text = "".join(lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and data:
        spot = draw(st.integers(0, len(data) - 1))
        data = data[:spot] + draw(st.binary(min_size=1, max_size=4)) + data[spot + 1 :]
    return data


@budget(300)
@given(data=st.data())
def test_a_save_reads_and_replays_or_is_refused_with_a_save_error(
    story: Story, data: st.DataObject
) -> None:
    raw = data.draw(broken(story))
    with within_budget("reading and replaying a save"):
        try:
            save = parse_bytes(raw, "fuzz.yaml")
        except SaveError:
            return
        try:
            result = replay_save(story, save)
        except SaveError:
            return
    assert len(result.states) >= 1


def hyosan(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@budget(80)
@given(
    data=st.data(),
    mode=st.sampled_from([["--check"], ["--plain"], ["--check", "--to"], ["--branch-at"]]),
    number=st.integers(-2, 20),
    compare=st.booleans(),
)
def test_the_replay_and_compare_commands_exit_0_1_or_2(
    story: Story, scratch: Path, data: st.DataObject, mode: list[str], number: int, compare: bool
) -> None:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    path = folder / "run.yaml"
    path.write_bytes(data.draw(broken(story)))
    before = fingerprint(folder)
    args = [*mode, str(number)] if mode[-1] in ("--to", "--branch-at") else mode
    if mode == ["--branch-at"]:
        args += ["--out", str(folder / "branch" / "b.yaml")]
    with within_budget("hyosan replay"):
        if compare:
            code, _, err = hyosan("compare", str(path), "--story", str(FIXTURE), "--width", "80")
        else:
            code, _, err = hyosan("replay", str(path), *args, "--story", str(FIXTURE))
    assert code in (0, 1, 2), err
    assert "internal error" not in err and "Traceback" not in err, err
    assert no_raw_controls(err), err
    after = fingerprint(folder)
    assert after.get("run.yaml") == before["run.yaml"], "the save was changed"
