"""Checking a story again after an edit, through a resident `Workspace`, gives exactly
what a fresh check gives (diagnostics, every node field for field, the fingerprint),
while building again only the nodes the edit touched."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

import pytest
from helpers import edit, plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.compiler import loader
from engine.compiler.incremental import Workspace
from engine.compiler.loader import check_story
from engine.diagnostics import Diagnostic
from engine.lsp.project import Project
from engine.runtime.model import Story

FIXTURE = Path(__file__).parent / "fixtures" / "incremental"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HYOSAN_CACHE", str(folder))
    return folder


Result = tuple[Story | None, list[Diagnostic]]


def _same_as_fresh(
    workspace: Workspace, root: Path, overlay: Mapping[str, bytes] | None = None
) -> Result:
    """Check through the workspace, then afresh; fail unless both say the same."""
    got = workspace.check(overlay)
    fresh = check_story(root, overlay=overlay)
    assert [d.render() for d in got[1]] == [d.render() for d in fresh[1]]
    assert (got[0] is None) == (fresh[0] is None)
    if got[0] is not None and fresh[0] is not None:
        assert got[0].fingerprint == fresh[0].fingerprint
        assert plain(got[0]) == plain(fresh[0])
    return got


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(FIXTURE, target)
    return target


# --- named cases ------------------------------------------------------------------------


def test_an_unchanged_story_is_checked_again_without_building_a_node(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    first = _same_as_fresh(workspace, root)
    assert workspace.rebuilt == 7
    again = _same_as_fresh(workspace, root)
    assert workspace.rebuilt == 0
    assert again[0] is not None and first[0] is not None
    assert again[0].nodes["one.gate"] is first[0].nodes["one.gate"]


def test_a_one_word_edit_builds_only_the_node_it_changed(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    edit(root / "episodes/one.yaml", "A narrow alley.", "A very narrow alley.")
    story, _ = _same_as_fresh(workspace, root)
    assert workspace.rebuilt == 1
    assert story is not None and story.nodes["one.alley"].text == "A very narrow alley."


def test_a_line_added_above_other_nodes_builds_them_again_at_their_new_lines(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    edit(root / "episodes/one.yaml", "nodes:\n", "# the first episode\nnodes:\n")
    story, _ = _same_as_fresh(workspace, root)
    assert workspace.rebuilt == 3  # every node of the file moved one line down
    assert story is not None and story.nodes["one.gate"].pos.line == 5


def test_a_renamed_flag_declaration_rebuilds_every_node_and_reports_its_uses(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    edit(root / "story.yaml", "  lamp_lit:", "  lantern_lit:")
    story, diagnostics = _same_as_fresh(workspace, root)
    assert workspace.rebuilt == 7
    assert story is None
    assert {d.code for d in diagnostics if d.is_error} == {"E033"}
    edit(root / "story.yaml", "  lantern_lit:", "  lamp_lit:")
    story, _ = _same_as_fresh(workspace, root)
    assert story is not None


def test_removing_a_node_reports_the_goto_of_an_unchanged_node(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    edit(root / "episodes/two.yaml", "  two.lost:\n    text: Nobody answers.\n", "")
    edit(root / "episodes/two.yaml", "    ending: {id: lost, title: Lost}\n", "")
    _, diagnostics = _same_as_fresh(workspace, root)
    assert any(d.code == "E030" and "two.lost" in d.message for d in diagnostics)
    assert workspace.rebuilt == 1  # two.square, whose goto now fails


def test_a_prose_edit_keeps_what_the_whole_story_checks_said(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    assert workspace.graph_checked
    edit(root / "episodes/two.yaml", "text: Hide.,", "text: Hide behind the stall.,")
    _same_as_fresh(workspace, root)
    assert not workspace.graph_checked
    edit(root / "episodes/two.yaml", "goto: two.lost}", "goto: two.dawn}")
    _, diagnostics = _same_as_fresh(workspace, root)
    assert workspace.graph_checked
    assert any(d.code == "W102" and "lost" in d.message for d in diagnostics)


def test_visited_of_a_node_removed_elsewhere_is_reported_again(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    edit(root / "episodes/one.yaml", "one.gate:", "one.porch:")
    _, diagnostics = _same_as_fresh(workspace, root)
    assert any(d.code == "E030" and "one.gate" in d.message for d in diagnostics)


def test_a_branch_file_added_and_removed_is_seen_each_time(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    extra = root / "branches/late.yaml"
    extra.write_text(
        "branch: late\nepisode: 2\nnodes:\n  two.late:\n    text: Late.\n"
        "    ending: {id: late, title: Late}\nadd_choices:\n  one.alley:\n"
        "    - {id: late, text: Be late., goto: two.late}\n"
    )
    story, _ = _same_as_fresh(workspace, root)
    assert story is not None and "late" in story.nodes["one.alley"].choice_map
    extra.unlink()
    story, _ = _same_as_fresh(workspace, root)
    assert story is not None and "late" not in story.nodes["one.alley"].choice_map


def test_an_editor_buffer_is_checked_as_it_stands_then_dropped(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    path = root / "episodes/two.yaml"
    buffer = path.read_text().replace("goto: two.dawn}", "goto: two.dusk}", 1)
    overlay = {str(path.resolve()): buffer.encode()}
    _, diagnostics = _same_as_fresh(workspace, root, overlay)
    assert any(d.code == "E030" and "two.dusk" in d.message for d in diagnostics)
    story, _ = _same_as_fresh(workspace, root)
    assert story is not None


def test_a_file_that_stops_parsing_is_reported_then_checked_again_when_fixed(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    _break_yaml(root, 1)
    story, diagnostics = _same_as_fresh(workspace, root)
    assert story is None and any(d.pos.path.endswith("two.yaml") for d in diagnostics)
    _same_as_fresh(workspace, root)  # the same broken bytes: the same report, not parsed
    _fix_yaml(root, 1)
    story, _ = _same_as_fresh(workspace, root)
    assert story is not None


def test_a_small_did_you_mean_budget_gives_the_same_suggestions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_SUGGESTION_WORK", 12)  # runs out after a few
    root = _copy(tmp_path)
    workspace = Workspace(root)
    for old, new in [
        ("goto: one.alley}", "goto: one.aley}"),
        ("goto: two.lost}", "goto: two.los}"),
        ("goto: one.stalls}", "goto: one.stals}"),
    ]:
        edit(root / ("episodes/one.yaml" if "one." in old else "episodes/two.yaml"), old, new)
        _same_as_fresh(workspace, root)
    edit(root / "episodes/one.yaml", "goto: one.aley}", "goto: one.alley}")
    _, diagnostics = _same_as_fresh(workspace, root)
    assert any(d.suggestion for d in diagnostics)


# --- random sequences of edits ------------------------------------------------------------

Edit = Callable[[Path, int], None]


def _lines(path: Path, pattern: str) -> list[int]:
    return [i for i, line in enumerate(path.read_text().splitlines()) if re.search(pattern, line)]


def _change_line(path: Path, pick: int, pattern: str, change: Callable[[str], str]) -> None:
    lines = path.read_text().splitlines(keepends=True)
    found = _lines(path, pattern)
    if found:
        at = found[pick % len(found)]
        lines[at] = change(lines[at])
        path.write_text("".join(lines))


def _episode(root: Path, pick: int) -> Path:
    return root / "episodes" / ("one.yaml", "two.yaml")[pick % 2]


def _change_text(root: Path, pick: int) -> None:
    _change_line(
        _episode(root, pick), pick // 2, r"^    text: ", lambda s: s.replace("text: ", "text: Oh, ")
    )


def _add_choice(root: Path, pick: int) -> None:
    targets = ["one.gate", "two.dawn", "one.alley", "two.square"]
    line = f"      - {{id: x{pick}, text: Try {pick}., goto: {targets[pick % 4]}}}\n"
    _change_line(_episode(root, pick), pick // 2, r"^    choices:", lambda s: s + line)


def _remove_choice(root: Path, pick: int) -> None:
    _change_line(_episode(root, pick), pick // 2, r"^      - \{id:", lambda s: "")


def _break_goto(root: Path, pick: int) -> None:
    _change_line(
        _episode(root, pick), pick // 2, r"goto: [a-z]", lambda s: s.replace("goto: ", "goto: z")
    )


def _add_node(root: Path, pick: int) -> None:
    path = _episode(root, pick)
    node = (
        f"  extra.n{pick}:\n    text: Node {pick} of visits {{visits('one.alley')}}.\n"
        f"    choices:\n      - {{id: back, text: Back., goto: one.gate}}\n"
    )
    path.write_text(path.read_text() + node)


def _rename_flag(root: Path, pick: int) -> None:
    old, new = [("lamp_lit", "lantern_lit"), ("lantern_lit", "lamp_lit")][pick % 2]
    _change_line(root / "story.yaml", 0, rf"^  {old}:", lambda s: s.replace(old, new))


def _rename_node(root: Path, pick: int) -> None:
    old, new = [("one.gate:", "one.porch:"), ("one.porch:", "one.gate:")][pick % 2]
    _change_line(root / "episodes/one.yaml", 0, rf"^  {old}", lambda s: s.replace(old, new))


def _add_branch(root: Path, pick: int) -> None:
    (root / "branches" / f"b{pick % 3}.yaml").write_text(
        f"branch: b{pick % 3}\nepisode: 2\nnodes:\n  two.b{pick % 3}:\n    text: Branch.\n"
        f"    ending: {{id: b{pick % 3}, title: B}}\nadd_choices:\n  one.alley:\n"
        f"    - {{id: b{pick % 3}, text: Branch off., goto: two.b{pick % 3}}}\n"
    )


def _remove_branch(root: Path, pick: int) -> None:
    files = sorted((root / "branches").glob("*.yaml"))
    if files:
        files[pick % len(files)].unlink()


def _change_choice_text(root: Path, pick: int) -> None:
    _change_line(
        _episode(root, pick), pick // 2, r"text: [A-Z]", lambda s: s.replace("text: ", "text: So, ")
    )


def _add_resume(root: Path, pick: int) -> None:
    line = f"      - {{id: r{pick}, text: Return., goto: $resume}}\n"
    _change_line(_episode(root, pick), pick // 2, r"^    choices:", lambda s: s + line)


def _add_line_above(root: Path, pick: int) -> None:
    _change_line(_episode(root, pick), 0, r"^nodes:", lambda s: f"# note {pick}\n" + s)


def _drop_ending(root: Path, pick: int) -> None:
    _change_line(_episode(root, 1), pick, r"^    ending:", lambda s: "")


def _break_yaml(root: Path, pick: int) -> None:
    path = _episode(root, pick)
    path.write_text(path.read_text() + f"  broken.n{pick}: [unclosed\n")


def _fix_yaml(root: Path, pick: int) -> None:
    for path in (root / "episodes").glob("*.yaml"):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(line for line in lines if "[unclosed" not in line))


EDITS: list[Edit] = [
    _break_yaml,
    _fix_yaml,
    _change_choice_text,
    _add_resume,
    _add_line_above,
    _drop_ending,
    _change_text,
    _add_choice,
    _remove_choice,
    _break_goto,
    _add_node,
    _rename_flag,
    _rename_node,
    _add_branch,
    _remove_branch,
]


def test_an_error_found_before_the_trap_check_skips_it_as_a_fresh_check_does(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    workspace = Workspace(root)
    _same_as_fresh(workspace, root)
    _drop_ending(root, 0)
    _drop_ending(root, 0)  # two dead ends (E052): the trap check (E058) does not run
    _same_as_fresh(workspace, root)
    _remove_branch(root, 0)
    _, diagnostics = _same_as_fresh(workspace, root)
    assert "E058" not in {d.code for d in diagnostics}


@pytest.mark.parametrize("budget", [loader.MAX_SUGGESTION_WORK, 15], ids=["budget", "tight"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(EDITS), st.integers(0, 50), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_any_sequence_of_edits_checks_as_a_fresh_check_does(
    budget: int, edits: list[tuple[Edit, int, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_SUGGESTION_WORK", budget)
    with tempfile.TemporaryDirectory() as folder:
        root = _copy(Path(folder))
        workspace = Workspace(root)
        _same_as_fresh(workspace, root)
        for edit, pick, in_buffer in edits:
            before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
            edit(root, pick)
            overlay: dict[str, bytes] = {}
            if in_buffer:  # an editor's unsaved buffer: the disk keeps the old text
                for path, data in before.items():
                    if path.exists() and path.read_bytes() != data:
                        overlay[str(path.resolve())] = path.read_bytes()
                        path.write_bytes(data)
            _same_as_fresh(workspace, root, overlay or None)


# --- hyosan check --watch -----------------------------------------------------------------


def _reader(stream: IO[str]) -> tuple[queue.Queue[str], threading.Thread]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return lines, thread


def _until(lines: queue.Queue[str], marker: str, seconds: float = 30) -> list[str]:
    """The lines printed up to and including the first that holds `marker`."""
    seen: list[str] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=max(0.0, end - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if marker in line:
            return seen
    raise AssertionError(f"no {marker!r} within {seconds} s; printed: {''.join(seen)}")


def test_check_watch_prints_the_new_diagnostics_after_a_saved_edit_and_ends_on_ctrl_c(
    tmp_path: Path, cache: Path
) -> None:
    root = _copy(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "check", "--watch", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HYOSAN_CACHE": str(cache), "PYTHONUNBUFFERED": "1"},
        cwd=Path(__file__).parent.parent,
    )
    try:
        assert process.stdout is not None
        lines, pump = _reader(process.stdout)
        first = "".join(_until(lines, "watching for changes"))
        assert re.search(
            r"0 errors, 1 warning \(checked in [\d,]+ ms, 7 of 7 nodes built;"
            r" weak spots found again\)",
            first,
        )
        time.sleep(0.5)  # the watcher starts just after the line is printed
        edit(root / "episodes/one.yaml", "goto: one.alley}", "goto: one.aley}")
        second = "".join(_until(lines, "watching for changes"))
        assert 'E030: choice "lamp" goes to unknown node "one.aley"' in second
        assert re.search(
            r"1 error, 0 warnings \(checked in [\d,]+ ms, 1 of 7 nodes built\)", second
        )
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 1  # the last check found an error
        pump.join(10)
        rest = "".join(lines.get() for _ in range(lines.qsize()))
        assert "Traceback" not in first + second + rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_the_language_server_checks_a_changed_buffer_building_only_its_node(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    project = Project(str(root.resolve()))
    project.check()
    path = root / "episodes/two.yaml"
    text = path.read_text().replace("Dawn comes.", "Dawn comes, grey.")
    project.set_buffer(str(path), text)
    story, diagnostics = project.check()
    fresh, fresh_diagnostics = check_story(root, overlay={str(path.resolve()): text.encode()})
    assert [d.render() for d in diagnostics] == [d.render() for d in fresh_diagnostics]
    assert story is not None and fresh is not None
    assert plain(story) == plain(fresh)
    assert story.nodes["two.dawn"].text == "Dawn comes, grey."
    assert project.rebuilt == 1


def test_check_watch_on_a_missing_folder_says_so_and_ends(tmp_path: Path, cache: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "engine", "check", "--watch", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HYOSAN_CACHE": str(cache)},
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 1
    assert "E002: no such file or folder" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_language_server_index_reuses_the_trees_its_check_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.lsp import project as project_module
    from engine.lsp.index import build_index

    root = _copy(tmp_path)
    project = Project(str(root.resolve()))
    project.check()
    path = root / "episodes/two.yaml"
    text = path.read_text().replace("Dawn comes.", "Dawn comes, grey.")
    project.set_buffer(str(path), text)
    project.check()
    parsed: list[str] = []
    real_parse = project_module.parse_text

    def counting(text: str, path: str, diags: object) -> object:
        parsed.append(path)
        return real_parse(text, path, diags)  # type: ignore[arg-type]

    monkeypatch.setattr(project_module, "parse_text", counting)
    files = project.files()
    assert parsed == []  # every file's tree came from the check
    index = build_index(files.values())
    dawn = [o for o in index.of("node", "two.dawn") if o.role == "definition"]
    assert [(o.path, o.line) for o in dawn] == [(str(path.resolve()), 14)]
