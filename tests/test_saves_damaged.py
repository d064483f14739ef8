"""Damaged save files: each kind gives a clear error naming the file, exit 1, bytes unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli.main import main
from engine.compiler.loader import load_story
from engine.runtime.rules import initial_state, step
from engine.saves.files import read_save, write_save
from engine.saves.format import SaveError, dump_save, make_save

FIXTURE = Path(__file__).parent / "fixtures" / "saves_story"
OTHER_STORY = Path(__file__).parent / "fixtures" / "example"


def good_text() -> str:
    story = load_story(FIXTURE)
    states = [initial_state(story, 0)]
    for choice in ["classroom", "back", "stairs", "up"]:
        states.append(step(story, states[-1], choice)[0])
    return dump_save(make_save(story, 0, states, "run", now="2024-05-01T12:00:00Z"))


GOOD = good_text()
CUT_AT_LINE = GOOD[: GOOD.index("  - {node: a.classroom")]


def changed(old: str, new: str) -> bytes:
    assert old in GOOD
    return GOOD.replace(old, new, 1).encode()


STEP_2 = GOOD[
    GOOD.index("  - {node: a.classroom") : GOOD.index("  - {node: a.hall, choice: stairs")
]

DAMAGED: dict[str, tuple[bytes, str]] = {
    # name: (file content, what the error must say)
    "truncated-mid-line": (
        GOOD[: GOOD.index("choice: stairs") + 3].encode(),
        "not valid YAML",
    ),
    "truncated-in-header": (GOOD[: GOOD.index("steps:")].encode(), "looks cut short"),
    "truncated-at-a-line": (CUT_AT_LINE.encode(), "missing key end: (the file looks cut short)"),
    "truncated-before-end": (GOOD[: GOOD.index("end:")].encode(), "looks cut short"),
    "empty": (b"", "the file is empty"),
    "only-whitespace": (b"\n  \n", "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "not-utf8": (b"format: 1\nstory: \xff\xfe\n", "is not UTF-8"),
    "invalid-yaml": (changed("seed: 0", "seed: [0"), "not valid YAML"),
    "a-list": (b"- 1\n- 2\n", "expected a mapping"),
    "not-a-save": (b"title: My notes\n", "missing key format:"),
    "wrong-type": (
        changed("seed: 0", "seed: zero"),
        'seed: expected a whole number, found text ("zero")',
    ),
    "missing-key": (changed("story: saves-story\n", ""), "missing key story:"),
    "unknown-key": (changed("seed: 0", "sead: 0"), 'unknown key "sead"; did you mean "seed"?'),
    "step-missing-choice": (changed("choice: back, ", ""), "step 2: missing key choice:"),
    "step-not-a-mapping": (
        changed(STEP_2, "  - oops\n" + STEP_2),
        "step 2: expected {node, choice, digest}",
    ),
    "bad-digest": (changed("digest: ", "digest: zz"), "is not 16 hex digits"),
    "steps-removed": (changed(STEP_2, ""), "end: says 4 steps but 3 are listed"),
    "bad-time": (
        changed('created: "2024-05-01T12:00:00Z"', "created: yesterday"),
        'created: "yesterday" is not an ISO 8601 time',
    ),
    "newer-format": (
        changed("format: 2", "format: 9"),
        "save format 9 is newer than this Hyosan can read",
    ),
    "older-format": (
        changed("format: 2", "format: 0"),
        "save format 0 is older than this Hyosan can read",
    ),
    "python-tag": (
        changed("seed: 0", "seed: !!python/object:os.system 0"),
        "unsupported YAML tag",
    ),
}


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_damaged_save_gives_a_clear_error_and_exit_1_and_is_left_as_it_was(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, problem = DAMAGED[kind]
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(content)
    code = main(["replay", str(path), "--story", str(FIXTURE), "--plain"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"hyosan: error: {path}")
    assert problem in err
    assert "Traceback" not in err
    assert path.read_bytes() == content


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_damaged_save_is_never_overwritten_by_a_new_save(kind: str, tmp_path: Path) -> None:
    content, _ = DAMAGED[kind]
    path = tmp_path / "autosave.yaml"
    path.write_bytes(content)
    story = load_story(FIXTURE)
    with pytest.raises(SaveError, match="will not overwrite"):
        write_save(path, make_save(story, 0, [initial_state(story, 0)], "autosave"), backup=True)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autosave.yaml"]


def test_a_good_save_reads_so_the_damage_above_is_what_fails(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(GOOD)
    assert len(read_save(path).steps) == 4


def test_errors_point_at_the_line_of_the_mistake(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_bytes(DAMAGED["wrong-type"][0])
    with pytest.raises(SaveError) as caught:
        read_save(path)
    assert caught.value.message.startswith(f"{path}:5:7: seed:")


def test_save_of_another_story_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(GOOD)
    code = main(["replay", str(path), "--story", str(OTHER_STORY), "--check"])
    err = capsys.readouterr().err
    assert code == 1
    assert f'{path}: this save is from the story "saves-story", not "example"' in err
    assert "--story DIR" in err
    assert path.read_text() == GOOD


def test_missing_save_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "canon.yaml").write_text(GOOD)
    code = main(["replay", str(tmp_path / "canno.yaml"), "--story", str(FIXTURE)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{tmp_path / 'canno.yaml'}: no such save file" in err
    assert 'did you mean "canon"?' in err


def test_a_folder_is_not_a_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path) + "/", "--story", str(FIXTURE)]) == 1
    assert "this is a folder, not a save file" in capsys.readouterr().err


def test_bad_slot_name_on_the_command_line_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "..", "--story", str(FIXTURE)]) == 1
    assert 'cannot hold ".."' in capsys.readouterr().err
