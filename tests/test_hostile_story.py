"""Hostile story files and folders: every one is refused quickly with a clear diagnostic.

Each test is one kind of input from the hostile-input campaign (issue 13): data that
would have cost minutes and gigabytes before a limit applied, characters that cannot be
in a text file, folders that cannot be read, links that point at themselves, YAML that
is valid but was refused, numbers that are not episode numbers, ids that would print
terminal controls. The slow cases run the real `hyosan check` in a subprocess with a
timeout, so a regression to quadratic time or unbounded memory fails the test.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.compiler.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from engine.compiler.loader import check_story
from engine.compiler.yamlread import parse_text
from engine.diagnostics import Diagnostic, Diagnostics, Pos, printable

HYOSAN = Path(sys.executable).with_name("hyosan")
SETPRIV = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
MANIFEST = "id: t\nstart: a\ncast: {}\nepisodes: [one.yaml]\n"
EPISODE = """episode: 1
nodes:
  a:
    text: Start.
    choices:
      - {id: go, text: Go., goto: end}
  end:
    text: The end.
    ending: {id: end, title: End}
"""


def story(tmp_path: Path, episode: str | bytes = EPISODE, manifest: str = MANIFEST) -> Path:
    """A story folder holding `manifest` and `episode` (as one.yaml)."""
    (tmp_path / "story.yaml").write_text(manifest, encoding="utf-8")
    target = tmp_path / "one.yaml"
    if isinstance(episode, bytes):
        target.write_bytes(episode)
    else:
        target.write_text(episode, encoding="utf-8")
    return tmp_path


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def check_in_subprocess(folder: Path, seconds: float = 30) -> subprocess.CompletedProcess[str]:
    """`hyosan check` in a fresh process; a hang or a crash fails the test."""
    return subprocess.run(
        [str(HYOSAN), "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=seconds,
        env={**os.environ, "HYOSAN_CACHE": "off"},
    )


def assert_refused(done: subprocess.CompletedProcess[str], code: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert f"error {code}:" in done.stderr, done.stderr


# --- bounded before it is built ----------------------------------------------------------


def test_a_14_mb_flat_list_is_refused_in_seconds(tmp_path: Path) -> None:
    folder = story(tmp_path, "- 1\n" * 3_500_000)
    done = check_in_subprocess(folder)
    assert_refused(done, "E005")
    assert f"one.yaml:{MAX_VALUES}:3: error E005: the file expands to more than" in done.stderr


def test_a_flat_mapping_of_half_a_million_keys_is_refused(tmp_path: Path) -> None:
    text = "".join(f"k{i}: v\n" for i in range(MAX_VALUES // 2 + 10))
    done = check_in_subprocess(story(tmp_path, text))
    assert_refused(done, "E005")


def test_a_value_count_is_the_expanded_size_of_aliases() -> None:
    diags = Diagnostics()
    lines = ["a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    for level in range(1, 7):
        lines.append(
            f"b{level}: &b{level} ["
            + ", ".join(["*" + ("a" if level == 1 else f"b{level - 1}")] * 10)
            + "]"
        )
    assert parse_text("\n".join(lines) + "\n", "x.yaml", diags) is None
    assert codes(diags.items) == ["E005"]
    assert diags.items[0].pos.line == 6  # the alias that passed the limit, not the end


def test_an_alias_cannot_contain_itself() -> None:
    diags = Diagnostics()
    assert parse_text("a: &a [1, *a]\n", "x.yaml", diags) is None
    assert codes(diags.items) == ["E005"]
    assert "inside the data it names" in diags.items[0].message


def test_nesting_is_counted_through_aliases() -> None:
    deep = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    diags = Diagnostics()
    assert parse_text(f"a: &a {deep}\nb: {{c: {{d: *a}}}}\n", "x.yaml", diags) is None
    assert codes(diags.items) == ["E005"]
    assert diags.items[0].pos == Pos("x.yaml", 2, 12)


def test_a_file_that_grows_past_the_limit_is_refused_by_what_is_read(tmp_path: Path) -> None:
    folder = story(tmp_path)
    with (folder / "one.yaml").open("a", encoding="utf-8") as out:
        out.write("# " + "x" * MAX_FILE_BYTES + "\n")
    _, diagnostics = check_story(folder)
    assert codes(diagnostics) == ["E004"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_branch_that_is_an_endless_device_is_refused(tmp_path: Path) -> None:
    folder = story(tmp_path)
    _, diagnostics = check_story(folder, ["/dev/zero"])
    assert codes(diagnostics) == ["E004"]
    assert "over 16 MiB" in diagnostics[0].message


# --- characters a text file cannot hold --------------------------------------------------


def test_a_nul_byte_after_the_first_8_kb_is_reported_where_it_is(tmp_path: Path) -> None:
    padding = "".join(f"# line {n} {'x' * 90}\n" for n in range(100))  # about 10 KB
    _, diagnostics = check_story(story(tmp_path, (padding + EPISODE + "  z: a\x00b\n").encode()))
    assert codes(diagnostics) == ["E003"]
    assert diagnostics[0].pos.line == 110 and diagnostics[0].pos.col == 7
    assert "NUL" in diagnostics[0].message


def test_a_nul_byte_early_in_a_text_file_is_reported_where_it_is(tmp_path: Path) -> None:
    _, diagnostics = check_story(story(tmp_path, b"episode: 1\nnodes: {}\n# \x00\n"))
    assert [(d.code, d.pos.line, d.pos.col) for d in diagnostics] == [("E003", 3, 3)]


def test_a_control_character_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    _, diagnostics = check_story(story(tmp_path, EPISODE.replace("Start.", "Sta\x1brt.")))
    assert [(d.code, d.pos.line, d.pos.col) for d in diagnostics] == [("E003", 4, 14)]
    assert "U+001B" in diagnostics[0].message


def test_a_control_character_after_non_ascii_text_is_reported_at_its_column() -> None:
    diags = Diagnostics()
    parse_text("a: 한국어\x07\n", "x.yaml", diags)
    assert [(d.code, d.pos.line, d.pos.col) for d in diags.items] == [("E003", 1, 7)]


# --- valid YAML is read as YAML ----------------------------------------------------------


def test_a_merge_key_followed_by_an_explicit_override_is_accepted() -> None:
    diags = Diagnostics()
    tree = parse_text("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n", "x.yaml", diags)
    assert diags.items == []
    assert tree["m"] == {"x": 3, "y": 2}
    assert tree["m"].key_pos["x"] == Pos("x.yaml", 4, 3)  # the explicit key's own place


def test_explicit_keys_win_over_a_merge_wherever_they_stand() -> None:
    diags = Diagnostics()
    text = "b: &b {x: 1, y: 2}\nc: &c {y: 5, z: 6}\nm:\n  x: 0\n  <<: [*b, *c]\n"
    assert parse_text(text, "x.yaml", diags)["m"] == {"x": 0, "y": 2, "z": 6}
    assert diags.items == []


def test_an_explicit_key_given_twice_is_still_a_duplicate() -> None:
    diags = Diagnostics()
    parse_text("b: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n  x: 3\n", "x.yaml", diags)
    assert codes(diags.items) == ["E021"]


def test_merge_keys_work_in_a_story_with_shared_choice_fields(tmp_path: Path) -> None:
    episode = EPISODE.replace(
        "      - {id: go, text: Go., goto: end}",
        "      - &go {id: go, text: Go., goto: end}\n      - {<<: *go, id: run, text: Run.}",
    )
    loaded, diagnostics = check_story(story(tmp_path, episode))
    assert diagnostics == [] and loaded is not None
    assert [c.id for c in loaded.nodes["a"].choices] == ["go", "run"]


def test_a_mapping_used_as_a_key_is_a_wrong_type_not_a_crash() -> None:
    diags = Diagnostics()
    parse_text("? [a, b]\n: x\n", "x.yaml", diags)
    assert codes(diags.items) == ["E012"]


# --- numbers that are not what they must be ----------------------------------------------


@pytest.mark.parametrize("number", ["0", "-3"])
def test_an_episode_number_below_1_is_refused_at_its_position(number: str, tmp_path: Path) -> None:
    _, diagnostics = check_story(
        story(tmp_path, EPISODE.replace("episode: 1", f"episode: {number}"))
    )
    assert [(d.code, d.pos.line, d.pos.col) for d in diagnostics] == [("E013", 1, 10)]
    assert f"must be 1 or more, not {number}" in diagnostics[0].message


def test_a_5000_digit_number_in_yaml_is_a_wrong_type_not_a_crash(tmp_path: Path) -> None:
    _, diagnostics = check_story(
        story(tmp_path, EPISODE.replace("episode: 1", "episode: " + "9" * 5000))
    )
    assert codes(diagnostics) == ["E012"]


def test_an_episode_file_listed_twice_is_reported_once(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("[one.yaml]", "[one.yaml, ./one.yaml]")
    _, diagnostics = check_story(story(tmp_path, manifest=manifest))
    assert [(d.code, d.pos.line) for d in diagnostics] == [("E054", 4)]
    assert "already listed at line 4, column 12" in diagnostics[0].message


# --- folders and links -------------------------------------------------------------------


def test_a_symlink_loop_among_branch_files_is_reported_not_a_crash(tmp_path: Path) -> None:
    folder = story(tmp_path)
    (folder / "branches").mkdir()
    (folder / "branches" / "a.yaml").symlink_to("b.yaml")
    (folder / "branches" / "b.yaml").symlink_to("a.yaml")
    _, diagnostics = check_story(folder)
    assert [(d.code, Path(d.pos.path).name) for d in diagnostics] == [
        ("E002", "a.yaml"),
        ("E002", "b.yaml"),
    ]
    assert "a loop of symbolic links" in diagnostics[0].message


def test_a_branch_folder_linking_to_itself_is_walked_once(tmp_path: Path) -> None:
    folder = story(tmp_path)
    extra = tmp_path / "extra"
    (extra / "deeper").mkdir(parents=True)
    (extra / "deeper" / "up").symlink_to("..")
    (extra / "b.yaml").write_text(
        "branch: b\nnodes:\n  b.end: {text: B., ending: {id: b, title: B}}\n"
        "add_choices:\n  a: [{id: b, text: B., goto: b.end}]\n",
        encoding="utf-8",
    )
    loaded, diagnostics = check_story(folder, [extra])
    assert diagnostics == [] and loaded is not None and "b.end" in loaded.nodes


def _refuse(monkeypatch: pytest.MonkeyPatch, name: str, blocked: Path) -> None:
    """Make os.`name` raise PermissionError for `blocked` (tests run as root, where
    chmod 000 blocks nothing)."""
    real = getattr(os, name)
    target = os.path.realpath(blocked)

    def guarded(path: object, *args: object, **kwargs: object) -> object:
        if os.path.abspath(os.fspath(path)) == target:  # type: ignore[call-overload]
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, guarded)


def test_an_unreadable_branches_folder_is_an_error_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = story(tmp_path)
    (folder / "branches").mkdir()
    _refuse(monkeypatch, "scandir", folder / "branches")
    _, diagnostics = check_story(folder)
    assert [(d.code, Path(d.pos.path).name) for d in diagnostics] == [("E002", "branches")]
    assert "Permission denied" in diagnostics[0].message


def test_an_unreadable_episodes_folder_is_an_error_naming_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = story(tmp_path, manifest=MANIFEST.replace("[one.yaml]", "[episodes/one.yaml]"))
    (folder / "episodes").mkdir()
    (folder / "one.yaml").rename(folder / "episodes" / "one.yaml")
    _refuse(monkeypatch, "stat", folder / "episodes" / "one.yaml")
    _, diagnostics = check_story(folder)
    assert [(d.code, d.pos.line, d.pos.col) for d in diagnostics] == [("E002", 4, 12)]
    assert "cannot be read: Permission denied" in diagnostics[0].message


def test_an_unreadable_story_folder_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = story(tmp_path)
    _refuse(monkeypatch, "stat", folder / "story.yaml")
    _, diagnostics = check_story(folder)
    assert codes(diagnostics) == ["E002"]
    assert "cannot read the story: Permission denied" in diagnostics[0].message


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(), reason="root")
def test_unreadable_folders_for_a_real_user_exit_1_with_e002() -> None:
    """As another user (pytest's own temporary folders are private to root)."""
    with tempfile.TemporaryDirectory() as top:
        folder = story(Path(top))
        (folder / "branches").mkdir()
        os.chmod(top, 0o755)
        os.chmod(folder / "branches", 0o000)
        done = subprocess.run(
            [*SETPRIV, str(HYOSAN), "check", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HYOSAN_CACHE": "off"},
        )
        os.chmod(folder / "branches", 0o755)
    assert_refused(done, "E002")
    assert "branches:1:1: error E002: cannot read the branch folder" in done.stderr


# --- ids and messages print safely ------------------------------------------------------


def test_a_bidi_override_in_an_id_is_printed_escaped(tmp_path: Path) -> None:
    episode = EPISODE.replace("  end:\n", '  "e\\u202End\\e[2J":\n')  # YAML escapes
    _, diagnostics = check_story(story(tmp_path, episode))
    rendered = "\n".join(d.render() for d in diagnostics)
    assert "\u202e" not in rendered and "\x1b" not in rendered
    assert "e\\u202end\\x1b[2J" in rendered


def test_printable_escapes_controls_and_bidi_but_keeps_lines_and_tabs() -> None:
    assert printable("a\tb\nc\u2066d\x85e\x7f") == "a\tb\nc\\u2066d\\x85e\\x7f"
    assert printable("a\nb", lines=False) == "a\\x0ab"
    assert printable("한국어 — ok") == "한국어 — ok"


# --- found by fuzzing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "effect", ["reveal", "turn", "kill", "separate", "rejoin", "leave", "clear"]
)
def test_an_effect_of_one_id_given_a_mapping_is_a_wrong_type(effect: str, tmp_path: Path) -> None:
    """`reveal: {}` raised KeyError (exit 70): these effects take an id only."""
    episode = EPISODE.replace("goto: end}", f"goto: end, do: [{{{effect}: {{}}}}]}}")
    _, diagnostics = check_story(story(tmp_path, episode))
    assert [(d.code, d.pos.line) for d in diagnostics] == [("E012", 6)]
    assert f"{effect}: must be a" in diagnostics[0].message


def test_reading_files_keeps_no_scalar_behind() -> None:
    """PyYAML's construct_object remembers every node it built; the reader never calls
    it, so a long process (the fuzzing suites, a language server) does not grow."""
    from engine.compiler import yamlbuild

    for _ in range(3):
        parse_text("a: [1, 2.5, yes, 2001-01-01, ~, 0x1f]\n", "x.yaml", Diagnostics())
    assert yamlbuild._scalars.constructed_objects == {}


# --- many mistakes cost linear time ------------------------------------------------------


def many_choices(tmp_path: Path, count: int, choice: str) -> Path:
    """A story whose node `a` has `count` choices written as `choice` (formatted with i)."""
    lines = ["episode: 1", "nodes:", "  a:", "    text: A.", "    choices:"]
    lines += ["      - {id: go, text: Go., goto: end}"]
    lines += ["      - " + choice.format(i=i) for i in range(count)]
    lines += ["  end: {text: E., ending: {id: end, title: E}}"]
    return story(tmp_path, "\n".join(lines) + "\n")


def test_twenty_thousand_faulty_conditions_are_reported_in_seconds(tmp_path: Path) -> None:
    """Each error's column was found by decoding the whole file again (40 s here)."""
    folder = many_choices(tmp_path, 20_000, '{{id: c{i}, text: C., if: "x{i} =", goto: end}}')
    done = check_in_subprocess(folder)
    assert_refused(done, "E040")
    assert done.stderr.count("error E040") == 20_000


def test_thousands_of_unknown_gotos_among_thousands_of_nodes_are_reported_in_seconds(
    tmp_path: Path,
) -> None:
    """Each did-you-mean compared the id with every node (116 s for 5,000 of each)."""
    nodes = [
        f"  n{i}: {{text: A., choices: [{{id: go, text: Go., goto: m{i}}}]}}" for i in range(5000)
    ]
    text = (
        "episode: 1\nnodes:\n"
        + "\n".join(nodes)
        + "\n  end: {text: E., ending: {id: end, title: E}}\n"
    )
    folder = story(tmp_path, text, MANIFEST.replace("start: a", "start: n0"))
    done = check_in_subprocess(folder)
    assert_refused(done, "E030")
    assert done.stderr.count("error E030") == 5000
    assert "did you mean" in done.stderr  # the first ones still get a suggestion


def test_a_manifest_listing_a_quarter_million_episode_files_is_refused_at_the_limit(
    tmp_path: Path,
) -> None:
    manifest = "id: t\nstart: a\ncast: {}\nepisodes:\n" + "".join(
        f"- e/{i}.yaml\n" for i in range(250_000)
    )
    done = check_in_subprocess(story(tmp_path, manifest=manifest))
    assert_refused(done, "E054")
    assert "story.yaml:10005:3: error E054: the manifest lists more than 10,000" in done.stderr


@pytest.mark.parametrize("text", ["~\n", "null\n", "---\n", "--- ~\n"])
def test_a_manifest_whose_only_value_is_null_is_an_error_not_a_silent_pass(
    text: str, tmp_path: Path
) -> None:
    """`hyosan check` printed "0 errors" and exited 0, with no story (found by fuzzing)."""
    loaded, diagnostics = check_story(story(tmp_path, manifest=text))
    assert loaded is None
    assert [(d.code, d.pos.line, d.pos.col) for d in diagnostics] == [("E006", 1, 1)]


def test_an_episode_file_whose_only_value_is_null_is_an_error(tmp_path: Path) -> None:
    """A bare `---` episode passed as a story of no nodes (found by fuzzing)."""
    loaded, diagnostics = check_story(story(tmp_path, "---\n"))
    assert loaded is None
    assert [(d.code, Path(d.pos.path).name) for d in diagnostics] == [("E006", "one.yaml")]
