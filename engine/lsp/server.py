"""The language server: pygls wiring the story features to the protocol.

Owns: `make_server` (a pygls `LanguageServer` with every feature registered) and
`Stories`, which finds the story folder of each file an editor opens and keeps one
`Project` (its buffers, check and index) per folder. Every change to a story or branch
file re-checks the whole story, with the open buffers standing in for the disk, and
publishes the diagnostics of every file of the story.

A hover on a choice needs an exploration of the story (`Reaches`), which runs on a
worker thread: the hover handler is a coroutine that waits for it at most
`Stories.hover_wait` seconds, then answers "computing" and leaves it running, so every
other request and notification is handled meanwhile.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Future
from pathlib import Path

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from engine import __version__
from engine.compiler.folders import real
from engine.lsp import features
from engine.lsp.hover import (
    DEFAULT_MAX_STATES,
    Explored,
    Reaches,
    choice_hover,
    id_hover,
    needs_reach,
)
from engine.lsp.index import Index, Occurrence, build_index
from engine.lsp.project import Project, story_folder

__all__ = ["HOVER_WAIT", "Stories", "make_server"]

HOVER_WAIT = 1.0
"""Seconds a choice's hover waits for its reach before it answers "computing"."""


class Stories:
    """One `Project` per story folder, found from the files the editor opens."""

    def __init__(
        self,
        story: str | None = None,
        branches: tuple[str, ...] = (),
        max_states: int = 0,
        *,
        reaches: Reaches | None = None,
        hover_wait: float = HOVER_WAIT,
    ) -> None:
        self.fixed = real(Path(story)) if story else None
        self.branches = tuple(real(Path(b)) for b in branches)
        self.projects: dict[str, Project] = {}
        self._indexes: dict[str, tuple[int, Index]] = {}
        self.reaches = reaches or Reaches(max_states or DEFAULT_MAX_STATES)
        self.hover_wait = hover_wait

    def project_of(self, uri: str) -> tuple[Project, str] | None:
        """The project a document belongs to, and the document's real path."""
        path = to_fs_path(uri)
        if path is None:
            return None
        path = real(Path(path))
        root = self.fixed if self.fixed and self._within(path) else story_folder(path)
        if root is None:
            return None
        project = self.projects.get(root)
        if project is None:
            project = self.projects[root] = Project(root, self.branches)
        return project, path

    def _within(self, path: str) -> bool:
        assert self.fixed is not None
        return path.startswith(self.fixed + os.sep) or any(
            path == b or path.startswith(b + os.sep) for b in self.branches
        )

    def index(self, project: Project) -> Index:
        cached = self._indexes.get(project.root)
        if cached is None or cached[0] != project.version:
            cached = (project.version, build_index(project.files().values()))
            self._indexes[project.root] = cached
        return cached[1]

    def at(
        self, uri: str, position: lsp.Position
    ) -> tuple[Project, str, Index, Occurrence | None] | None:
        """The project, path, index and the id under the cursor."""
        found = self.project_of(uri)
        if found is None:
            return None
        project, path = found
        index = self.index(project)
        source = project.files().get(path)
        if source is None:
            return project, path, index, None
        lines = source.lines
        text = lines[position.line] if position.line < len(lines) else ""
        col = _column(text, position.character)
        return project, path, index, index.at(path, position.line + 1, col)


def _column(text: str, units: int) -> int:
    """The 1-based character column of UTF-16 offset `units` in `text`."""
    count = 0
    for i, char in enumerate(text):
        if count >= units:
            return i + 1
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text) + 1


async def _within(future: Future[Explored], seconds: float) -> Explored | None:
    """The future's result if it comes within `seconds` (None otherwise; it keeps
    running). The event loop serves other messages while this waits."""
    try:
        return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), seconds)
    except TimeoutError:
        return None


def make_server(stories: Stories) -> LanguageServer:
    server = LanguageServer("hyosan", __version__)

    def publish(ls: LanguageServer, uri: str) -> None:
        found = stories.project_of(uri)
        if found is None:
            return
        project = found[0]
        files = project.files()
        for path, diagnostics in project.diagnostics_by_file().items():
            source = files.get(path)
            shown = [features.lsp_diagnostic(d, source) for d in diagnostics]
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=features.to_uri(path), diagnostics=shown)
            )

    def changed(ls: LanguageServer, uri: str, text: str | None) -> None:
        found = stories.project_of(uri)
        if found is None:
            return
        project, path = found
        if text is None:
            project.set_buffer(path, None)
        else:
            project.set_buffer(path, text)
        publish(ls, uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        changed(ls, params.text_document.uri, params.text_document.text)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        changed(ls, uri, ls.workspace.get_text_document(uri).source)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        changed(ls, uri, ls.workspace.get_text_document(uri).source)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        changed(ls, params.text_document.uri, None)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: LanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        for project in stories.projects.values():
            project.changed()
        for change in params.changes:
            publish(ls, change.uri)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: LanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return features.code_actions(params.text_document.uri, params.context.diagnostics)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: LanguageServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        here = stories.at(params.text_document.uri, params.position)
        if here is None or here[3] is None:
            return []
        return features.definition(here[0], here[2], here[3])

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: LanguageServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        here = stories.at(params.text_document.uri, params.position)
        if here is None or here[3] is None:
            return []
        declarations = params.context.include_declaration
        return features.references(here[0], here[2], here[3], declarations)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    def rename(ls: LanguageServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        here = stories.at(params.text_document.uri, params.position)
        if here is None or here[3] is None:
            raise JsonRpcInvalidParams("no node, character, item, flag or counter id here")
        try:
            return features.rename(here[0], here[2], here[3], params.new_name)
        except features.RenameRefused as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        here = stories.at(params.text_document.uri, params.position)
        if here is None:
            return None
        project, path, index, found = here
        story = project.check()[0]
        if found is not None:
            text = id_hover(found, index, story)
        else:
            site = index.choice_at(path, params.position.line + 1)
            if site is None:
                return None
            explored = None
            if story is not None and needs_reach(site, story):
                explored = await _within(stories.reaches.start(story), stories.hover_wait)
            text = choice_hover(site, story, explored, stories.reaches.max_states)
        return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, text))

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=["'", '"', "(", " "]),
    )
    def completion(ls: LanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        found = stories.project_of(params.text_document.uri)
        if found is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        project, path = found
        text = project.read(path) or ""
        lines = text.split("\n")
        line = lines[params.position.line] if params.position.line < len(lines) else ""
        before = line[: _column(line, params.position.character) - 1]
        items = features.completions(stories.index(project), before)
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: LanguageServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        found = stories.project_of(params.text_document.uri)
        if found is None:
            return []
        project, path = found
        source = project.files().get(path)
        if source is None:
            return []
        return features.outline(source, stories.index(project))

    return server
