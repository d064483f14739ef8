"""`hyosan lsp`: the language server, driven through its protocol in-process.

The server runs in a thread on a pair of pipes; a small JSON-RPC client writes framed
requests and reads the answers and the diagnostics the server publishes, as an editor
would. Every test works on a temporary copy of tests/fixtures/lsp_story.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.lsp.hover import Explored, Reaches
from engine.lsp.server import Stories, make_server
from engine.runtime.model import Story

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lsp_story"
TIMEOUT = 20.0


class Client:
    """An editor's side of the protocol: requests, notifications, published diagnostics."""

    def __init__(self, stories: Stories) -> None:
        to_server, self._write = os.pipe()
        self._read, from_server = os.pipe()
        self._out = os.fdopen(self._write, "wb")
        self._in = os.fdopen(self._read, "rb")
        server = make_server(stories)
        self._server_files = (os.fdopen(to_server, "rb"), os.fdopen(from_server, "wb"))
        self._thread = threading.Thread(
            target=server.start_io, args=self._server_files, daemon=True
        )
        self._thread.start()
        self._responses: dict[int, Any] = {}
        self._notes: queue.Queue[dict[str, Any]] = queue.Queue()
        self._answered = threading.Condition()
        self._next = 0
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}

    def _pump(self) -> None:
        while True:
            length = 0
            while True:
                line = self._in.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(self._in.read(length))
            if "id" in message and "method" not in message:
                with self._answered:
                    self._responses[message["id"]] = message
                    self._answered.notify_all()
            elif "method" in message:
                self._notes.put(message)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self._out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._out.flush()

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next += 1
        number = self._next
        self._send({"id": number, "method": method, "params": params})
        with self._answered:
            if not self._answered.wait_for(lambda: number in self._responses, TIMEOUT):
                raise AssertionError(f"no answer to {method}")
            return self._responses.pop(number)

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def published(self, uri: str, want: Any = None) -> list[dict[str, Any]]:
        """Diagnostics of `uri` once the server publishes ones matching `want` (a
        predicate; default: any publication)."""
        while True:
            if uri in self.diagnostics and (want is None or want(self.diagnostics[uri])):
                found = self.diagnostics[uri]
                if want is None:
                    del self.diagnostics[uri]
                return found
            note = self._notes.get(timeout=TIMEOUT)
            if note["method"] == "textDocument/publishDiagnostics":
                self.diagnostics[note["params"]["uri"]] = note["params"]["diagnostics"]

    def close(self) -> None:
        self.request("shutdown", {})
        self.notify("exit", {})
        self._thread.join(TIMEOUT)
        self._out.close()
        for stream in self._server_files:
            stream.close()
        self._reader.join(TIMEOUT)
        self._in.close()


@pytest.fixture
def story(tmp_path: Path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(FIXTURE, target)
    return target


def _started(stories: Stories, story: Path) -> Client:
    editor = Client(stories)
    editor.request("initialize", {"processId": None, "rootUri": story.as_uri(), "capabilities": {}})
    editor.notify("initialized", {})
    return editor


@pytest.fixture
def client(story: Path) -> Iterator[Client]:
    editor = _started(Stories(hover_wait=TIMEOUT), story)  # a hover waits for its reach
    yield editor
    editor.close()


def _open(client: Client, path: Path) -> str:
    uri = path.as_uri()
    item = {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}
    client.notify("textDocument/didOpen", {"textDocument": item})
    return uri


def _change(client: Client, uri: str, text: str, version: int = 2) -> None:
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
    )


def _at(path: Path, needle: str, nth: int = 0, shift: int = 0) -> dict[str, int]:
    """The protocol position of the `nth` occurrence of `needle` in the file."""
    text = path.read_text()
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += shift
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.split("\n")
    for edit in sorted(
        edits,
        key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
        reverse=True,
    ):
        start, end = edit["range"]["start"], edit["range"]["end"]
        assert start["line"] == end["line"]
        row = lines[start["line"]]
        lines[start["line"]] = row[: start["character"]] + edit["newText"] + row[end["character"] :]
    return "\n".join(lines)


def test_a_typo_gets_a_diagnostic_at_its_range_and_the_quick_fix_repairs_it(
    client: Client, story: Path
) -> None:
    one = story / "episodes" / "one.yaml"
    uri = _open(client, one)
    assert client.published(uri) == []
    broken = one.read_text().replace(
        "goto: one.scratch\n      - id: chance", "goto: one.scrach\n      - id: chance"
    )
    _change(client, uri, broken)
    found = client.published(uri, lambda d: bool(d))
    assert [d["code"] for d in found] == ["E030"]
    (diagnostic,) = found
    line = broken.split("\n").index("        goto: one.scrach")
    assert diagnostic["range"] == {
        "start": {"line": line, "character": 14},
        "end": {"line": line, "character": 14 + len("one.scrach")},
    }
    assert 'unknown node "one.scrach"' in diagnostic["message"]
    assert diagnostic["severity"] == 1

    answer = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        },
    )
    (action,) = answer["result"]
    assert action["title"] == 'Change to "one.scratch"'
    fixed = _apply(broken, action["edit"]["changes"][uri])
    assert fixed == one.read_text()
    _change(client, uri, fixed, 3)
    assert client.published(uri, lambda d: d == []) == []


def test_diagnostics_come_from_the_unsaved_buffer_not_the_disk(client: Client, story: Path) -> None:
    one = story / "episodes" / "one.yaml"
    uri = _open(client, one)
    client.published(uri)
    _change(client, uri, one.read_text().replace("has('first-aid-kit')", "has('first-aid-kt')"))
    found = client.published(uri, lambda d: bool(d))
    assert [d["code"] for d in found] == ["E032"]
    assert found[0]["message"].startswith('unknown item "first-aid-kt"')
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.published(uri, lambda d: d == []) == []  # closed: the disk's text again


def test_go_to_definition_of_a_node_an_item_a_character_and_a_flag(
    client: Client, story: Path
) -> None:
    one = story / "episodes" / "one.yaml"
    uri = _open(client, one)
    cases = [
        (_at(one, "goto: two.start", shift=8), "two.yaml", "  two.start:"),
        (_at(one, "has('first-aid-kit')", shift=6), "story.yaml", "  first-aid-kit:"),
        (_at(one, "status('gyeong-su')", shift=9), "story.yaml", "  gyeong-su:"),
        (_at(one, "set: kit_found", shift=6), "one.yaml", "  kit_found:"),
    ]
    for position, file, line_start in cases:
        answer = client.request(
            "textDocument/definition", {"textDocument": {"uri": uri}, "position": position}
        )
        (location,) = answer["result"]
        assert location["uri"].endswith(file)
        target = Path(location["uri"].removeprefix("file://")).read_text().split("\n")
        assert target[location["range"]["start"]["line"]].startswith(line_start)
        assert location["range"]["start"]["character"] == 2


def test_references_find_every_jump_to_a_node_and_every_read_and_set_of_a_flag(
    client: Client, story: Path
) -> None:
    two = story / "episodes" / "two.yaml"
    uri = _open(client, two)
    answer = client.request(
        "textDocument/references",
        {
            "textDocument": {"uri": uri},
            "position": _at(two, "two.start:", shift=2),
            "context": {"includeDeclaration": False},
        },
    )
    files = sorted(Path(r["uri"]).name for r in answer["result"])
    assert files == ["extra.yaml", "one.yaml", "one.yaml"]  # add_choices, two gotos
    answer = client.request(
        "textDocument/references",
        {
            "textDocument": {"uri": uri},
            "position": _at(two, "door_barred", shift=3),
            "context": {"includeDeclaration": True},
        },
    )
    places = sorted((Path(r["uri"]).name, r["range"]["start"]["line"]) for r in answer["result"])
    assert [name for name, _ in places] == ["story.yaml", "two.yaml", "two.yaml"]


def test_renaming_a_node_changes_every_reference_in_every_file_including_a_branch(
    client: Client, story: Path
) -> None:
    two = story / "episodes" / "two.yaml"
    uri = _open(client, two)
    answer = client.request(
        "textDocument/rename",
        {"textDocument": {"uri": uri}, "position": _at(two, "two.start:"), "newName": "two.door"},
    )
    changes = answer["result"]["changes"]
    assert sorted(Path(u).name for u in changes) == ["extra.yaml", "one.yaml", "two.yaml"]
    for file_uri, edits in changes.items():
        path = Path(file_uri.removeprefix("file://"))
        path.write_text(_apply(path.read_text(), edits))
    texts = "".join(p.read_text() for p in story.rglob("*.yaml"))
    assert "two.start" not in texts
    assert texts.count("two.door") == 4
    from engine.compiler.loader import check_story

    loaded, diagnostics = check_story(story)
    assert loaded is not None and diagnostics == []
    assert loaded.nodes["two.door"].choice_map["stairs"].goto == "two.stairs"


def test_a_rename_to_an_id_that_exists_or_is_malformed_is_refused(
    client: Client, story: Path
) -> None:
    two = story / "episodes" / "two.yaml"
    uri = _open(client, two)
    for new, why in [("two.roof", "already exists"), ("two start", "is not a node id")]:
        answer = client.request(
            "textDocument/rename",
            {"textDocument": {"uri": uri}, "position": _at(two, "two.start:"), "newName": new},
        )
        assert why in answer["error"]["message"]


def test_hover_on_a_choice_shows_its_effects_and_the_endings_it_still_allows(
    client: Client, story: Path
) -> None:
    two = story / "episodes" / "two.yaml"
    uri = _open(client, two)
    answer = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": _at(two, "text: Wait.", shift=2)},
    )
    text = answer["result"]["contents"]["value"]
    assert "choice `wait`" in text and "`two.lost`" in text
    assert "kill: gyeong-su" in text
    assert "endings `lost`" in text
    assert "rescued" not in text.split("still possible")[1]
    answer = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": _at(two, "id: signal", shift=4)},
    )
    text = answer["result"]["contents"]["value"]
    assert "**only if** `door_barred and with_group('ms-park')`" in text
    assert "endings `rescued`" in text


class HeldReaches(Reaches):
    """Reaches whose exploration waits, on its worker thread, until the test lets it go:
    an exploration that takes as long as the test wants."""

    def __init__(self) -> None:
        super().__init__()
        self.running = threading.Event()
        self.go = threading.Event()
        self.versions: list[str] = []

    def explore(self, story: Story, stopped: Any) -> Explored:
        self.versions.append(story.fingerprint)
        self.running.set()
        assert self.go.wait(TIMEOUT)
        return super().explore(story, stopped)


def _hover_text(client: Client, uri: str, position: dict[str, int]) -> str:
    answer = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}
    )
    text: str = answer["result"]["contents"]["value"]
    return text


def test_a_hover_whose_exploration_is_still_running_says_computing_and_blocks_nothing(
    story: Path,
) -> None:
    reaches = HeldReaches()
    editor = _started(Stories(reaches=reaches, hover_wait=0.2), story)
    try:
        two = story / "episodes" / "two.yaml"
        uri = _open(editor, two)
        assert editor.published(uri) == []
        wait = _at(two, "text: Wait.", shift=2)
        first = _hover_text(editor, uri, wait)
        assert "choice `wait`" in first and "kill: gyeong-su" in first  # shown at once
        assert "computing (exploring up to 20,000 states in the background)" in first
        assert reaches.running.is_set() and not reaches.go.is_set()
        # The exploration is still held: the server answers everything else meanwhile.
        broken = two.read_text().replace("goto: two.lost", "goto: two.lots")
        _change(editor, uri, broken)
        found = editor.published(uri, lambda d: bool(d))
        assert "E030" in [d["code"] for d in found]
        answer = editor.request(
            "textDocument/definition",
            {"textDocument": {"uri": uri}, "position": _at(two, "goto: two.rescued", shift=8)},
        )
        assert answer["result"][0]["uri"].endswith("two.yaml")
        assert "unknown until the story checks clean" in _hover_text(editor, uri, wait)
        _change(editor, uri, two.read_text(), 3)
        assert editor.published(uri, lambda d: d == []) == []
        assert "computing" in _hover_text(editor, uri, wait)  # the same version: one search
        reaches.go.set()
        text = _hover_text(editor, uri, wait)
        for _ in range(50):  # the worker may still be judging what it explored
            if "computing" not in text:
                break
            threading.Event().wait(0.2)
            text = _hover_text(editor, uri, wait)
        assert "endings `lost`" in text and "computing" not in text
        assert len(set(reaches.versions)) == len(reaches.versions) == 1
    finally:
        reaches.go.set()
        editor.close()


def test_an_edit_stops_the_exploration_of_the_older_version(story: Path) -> None:
    from engine.compiler.loader import load_story

    reaches = HeldReaches()
    stops: list[Any] = []
    original = reaches.explore

    def explore(version: Story, stopped: Any) -> Explored:
        stops.append(stopped)
        return original(version, stopped)

    reaches.explore = explore  # type: ignore[method-assign]
    loaded = load_story(story)
    older = reaches.start(loaded)
    assert reaches.running.wait(TIMEOUT)
    edited = dataclasses.replace(loaded, fingerprint="0" * 16)
    newer = reaches.start(edited)
    assert reaches.start(edited) is newer and newer is not older
    assert stops[0]() is True  # the older search is told to stop
    reaches.go.set()
    assert stops[1]() is False and newer.result(TIMEOUT).complete
    assert not older.result(TIMEOUT).complete  # it stopped at its first state


def test_hover_on_an_id_tells_what_it_is_and_how_it_is_used(client: Client, story: Path) -> None:
    one = story / "episodes" / "one.yaml"
    uri = _open(client, one)
    answer = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": _at(one, "kit_found:", shift=1)},
    )
    text = answer["result"]["contents"]["value"]
    assert "flag `kit_found`" in text and "The first-aid kit was found." in text
    assert "clear ×1" in text and "set ×1" in text


def test_completion_offers_ids_of_the_kind_the_place_takes(client: Client, story: Path) -> None:
    one = story / "episodes" / "one.yaml"
    uri = _open(client, one)

    def labels(needle: str, shift: int) -> set[str]:
        answer = client.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": _at(one, needle, shift=shift)},
        )
        return {item["label"] for item in answer["result"]["items"]}

    assert {"one.hall", "two.start", "two.stairs"} <= labels("goto: one.lab", 6)
    items = labels("has('first-aid-kit')", 5)
    assert items == {"phone", "first-aid-kit", "arrows"}
    assert labels("status('gyeong-su')", 8) == {"on-jo", "gyeong-su", "nam-ra", "ms-park", "i-sak"}
    condition = labels("if: noise < 0", 4)
    assert {"noise", "trust", "kit_found", "door_barred", "has", "visited"} <= condition
    assert labels("set: kit_found", 5) == {"kit_found", "door_barred"}


def test_the_outline_lists_the_episode_its_nodes_and_their_choices(
    client: Client, story: Path
) -> None:
    one = story / "episodes" / "one.yaml"
    uri = _open(client, one)
    answer = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    (episode,) = answer["result"]
    assert episode["name"] == "Episode 1: The Hall"
    nodes = [n["name"] for n in episode["children"]]
    assert nodes == ["one.hall", "one.lab", "one.isak_turns", "one.scratch"]
    hall = episode["children"][0]
    assert [c["name"] for c in hall["children"]] == ["lab", "office", "hide"]
    branch = story / "branches" / "extra.yaml"
    answer = client.request(
        "textDocument/documentSymbol", {"textDocument": {"uri": branch.as_uri()}}
    )
    (top,) = answer["result"]
    assert top["name"] == "Branch extra: A third way"
    assert [n["name"] for n in top["children"]] == ["two.stairs", "two.start (added choices)"]


def test_the_lsp_command_is_listed_and_refuses_a_missing_story(
    run_cli: Any, tmp_path: Path
) -> None:
    result = run_cli("lsp", "--story", str(tmp_path / "nowhere"))
    assert result.code == 1
    assert "not a story folder" in result.err


def test_hyosan_lsp_speaks_the_protocol_on_stdio_and_announces_its_features(
    story: Path,
) -> None:
    import subprocess
    import sys

    def framed(message: dict[str, Any]) -> bytes:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    requests = [
        {"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"id": 2, "method": "shutdown", "params": {}},
        {"method": "exit", "params": {}},
    ]
    hyosan = Path(sys.executable).parent / "hyosan"
    done = subprocess.run(
        [str(hyosan), "lsp", "--story", str(story)],
        input=b"".join(framed(r) for r in requests),
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    first = done.stdout.split(b"\r\n\r\n", 1)[1]
    answer = json.JSONDecoder().raw_decode(first.decode())[0]
    capabilities = answer["result"]["capabilities"]
    for feature in (
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "hoverProvider",
        "completionProvider",
        "documentSymbolProvider",
        "codeActionProvider",
    ):
        assert capabilities.get(feature), feature
    assert answer["result"]["serverInfo"]["name"] == "hyosan"


@pytest.mark.parametrize(
    ("file", "needle", "new"),
    [
        ("story.yaml", "gyeong-su:", "kyung-soo"),  # cast, roster, effects, conditions
        ("story.yaml", "noise:", "din"),  # counter: add: and a condition
        ("story.yaml", "first-aid-kit:", "medkit"),  # item: give, take, has()
        ("episodes/one.yaml", "kit_found:", "kit_seen"),  # a flag declared in an episode
        ("episodes/one.yaml", "one.isak_turns:", "one.isak-turns"),  # on_turn, visited()
    ],
)
def test_renaming_any_kind_of_id_leaves_a_story_that_checks_clean(
    client: Client, story: Path, file: str, needle: str, new: str
) -> None:
    from engine.compiler.loader import check_story

    path = story / file
    old = needle.removesuffix(":")
    uri = _open(client, path)
    answer = client.request(
        "textDocument/rename",
        {"textDocument": {"uri": uri}, "position": _at(path, needle), "newName": new},
    )
    for file_uri, edits in answer["result"]["changes"].items():
        target = Path(file_uri.removeprefix("file://"))
        target.write_text(_apply(target.read_text(), edits))
    loaded, diagnostics = check_story(story)
    assert diagnostics == [] and loaded is not None
    texts = "".join(p.read_text() for p in story.rglob("*.yaml"))
    assert f"'{old}'" not in texts and f" {old}" not in texts and f"{{{old}" not in texts
