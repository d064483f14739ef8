"""What the language server answers, as protocol values: diagnostics and their quick
fixes, go to definition, references, rename, the outline and completion.

Owns: turning the compiler's `Diagnostic`s and the `Index`'s occurrences into
lsprotocol types (positions in UTF-16 code units, as the protocol counts them), the
rules of a rename (the new id's form, no clash with an id that exists) and what to
offer at the cursor. Pure functions of a `Project`, an `Index` and a position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types as lsp

from engine.compiler import spec
from engine.compiler.language import BUILTINS, FUNCTIONS
from engine.diagnostics import Diagnostic
from engine.lsp.index import KINDS, Index, NodeSite, Occurrence
from engine.lsp.project import Project, SourceFile

__all__ = [
    "RenameRefused",
    "code_actions",
    "completions",
    "definition",
    "lsp_diagnostic",
    "outline",
    "references",
    "rename",
    "to_uri",
    "utf16",
]

_ID_CHAR = re.compile(r"[A-Za-z0-9_.\-]")
_FORMS = {
    "node": (spec.NODE_ID, "letters, digits, _ . and -"),
    "character": (spec.KEBAB_ID, "lower-case letters, digits and -"),
    "item": (spec.KEBAB_ID, "lower-case letters, digits and -"),
    "flag": (spec.SNAKE_ID, "lower-case letters, digits and _"),
    "counter": (spec.SNAKE_ID, "lower-case letters, digits and _"),
}


class RenameRefused(Exception):
    """A rename that would break the story; the message says why."""


def to_uri(path: str) -> str:
    return Path(path).as_uri()


def utf16(line: str, col: int) -> int:
    """The UTF-16 offset of 1-based character column `col` of `line`."""
    return len(line[: col - 1].encode("utf-16-le")) // 2


def _line(source: SourceFile | None, line: int) -> str:
    lines = source.lines if source else []
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _range(text: str, line: int, col: int, end: int) -> lsp.Range:
    return lsp.Range(
        lsp.Position(line - 1, utf16(text, col)), lsp.Position(line - 1, utf16(text, end))
    )


def _word(text: str, col: int) -> tuple[int, int]:
    """The id starting at (or just inside a quote at) 1-based `col`: (start, end)."""
    start = col
    if text[start - 1 : start] in ("'", '"'):
        start += 1
    end = start
    while end <= len(text) and _ID_CHAR.match(text[end - 1]):
        end += 1
    return (start, end) if end > start else (col, col + 1)


def lsp_diagnostic(diagnostic: Diagnostic, source: SourceFile | None) -> lsp.Diagnostic:
    """A compiler diagnostic as the protocol's, over the word it points at."""
    text = _line(source, diagnostic.pos.line)
    start, end = _word(text, diagnostic.pos.col)
    message = diagnostic.message
    if diagnostic.suggestion:
        message += f"\ndid you mean {diagnostic.suggestion}?"
    message += f"\nfix: {diagnostic.fix_text}"
    severity = lsp.DiagnosticSeverity.Error
    if not diagnostic.is_error:
        severity = lsp.DiagnosticSeverity.Warning
    return lsp.Diagnostic(
        range=_range(text, diagnostic.pos.line, start, end),
        message=message,
        severity=severity,
        code=diagnostic.code,
        source="hyosan",
        data={"suggestion": diagnostic.suggestion.strip('"') if diagnostic.suggestion else None},
    )


def code_actions(uri: str, diagnostics: Sequence[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """A quick fix for every diagnostic with a did-you-mean: put the suggestion there."""
    actions = []
    for diagnostic in diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        suggestion = data.get("suggestion")
        if diagnostic.source != "hyosan" or not isinstance(suggestion, str):
            continue
        edit = lsp.TextEdit(range=diagnostic.range, new_text=suggestion)
        actions.append(
            lsp.CodeAction(
                title=f'Change to "{suggestion}"',
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions


def _location(project: Project, found: Occurrence) -> lsp.Location:
    text = _line(project.files().get(found.path), found.line)
    return lsp.Location(to_uri(found.path), _range(text, found.line, found.col, found.end))


def definition(project: Project, index: Index, found: Occurrence) -> list[lsp.Location]:
    return [_location(project, d) for d in index.definitions(found.kind, found.name)]


def references(
    project: Project, index: Index, found: Occurrence, declarations: bool
) -> list[lsp.Location]:
    every = index.of(found.kind, found.name)
    return [_location(project, o) for o in every if declarations or o.role != "definition"]


def rename(project: Project, index: Index, found: Occurrence, new: str) -> lsp.WorkspaceEdit:
    """Every occurrence of the id, in every story and branch file, renamed to `new`."""
    pattern, form = _FORMS[found.kind]
    if not re.match(pattern, new) or new in spec.RESERVED:
        raise RenameRefused(f'"{new}" is not a {found.kind} id: use {form}')
    taken = {o.name for o in index.occurrences if o.role == "definition" and o.kind == found.kind}
    if found.kind in ("flag", "counter"):
        taken |= set(index.names("flag")) | set(index.names("counter"))
    if new in taken and new != found.name:
        raise RenameRefused(f'a {found.kind} "{new}" already exists')
    changes: dict[str, list[lsp.TextEdit]] = {}
    for o in index.of(found.kind, found.name):
        text = _line(project.files().get(o.path), o.line)
        edit = lsp.TextEdit(range=_range(text, o.line, o.col, o.end), new_text=new)
        changes.setdefault(to_uri(o.path), []).append(edit)
    return lsp.WorkspaceEdit(changes=changes)


def _symbol(
    name: str, kind: lsp.SymbolKind, first: int, last: int, lines: list[str], detail: str = ""
) -> lsp.DocumentSymbol:
    last = max(first, min(last, len(lines)))
    end = len(lines[last - 1].encode("utf-16-le")) // 2 if lines else 0
    whole = lsp.Range(lsp.Position(first - 1, 0), lsp.Position(last - 1, end))
    head = lsp.Range(lsp.Position(first - 1, 0), lsp.Position(first - 1, 0))
    return lsp.DocumentSymbol(
        name=name, kind=kind, range=whole, selection_range=head, detail=detail, children=[]
    )


_CHOICE = lsp.SymbolKind.Method


def _node_symbol(site: NodeSite, lines: list[str]) -> lsp.DocumentSymbol:
    kind = lsp.SymbolKind.Module if site.added else lsp.SymbolKind.Class
    name = f"{site.node} (added choices)" if site.added else site.node
    symbol = _symbol(name, kind, site.first, site.last, lines)
    symbol.children = [
        _symbol(
            c.choice, lsp.SymbolKind.Method, c.first, c.last, lines, str(c.body.get("text", ""))
        )
        for c in site.choices
    ]
    return symbol


def outline(source: SourceFile, index: Index) -> list[lsp.DocumentSymbol]:
    """The file's outline: its episode (or branch, or the manifest's sections), then
    each node with its choices."""
    lines = source.lines
    tree = source.tree
    nodes = [_node_symbol(s, lines) for s in index.nodes if s.path == source.path]
    if tree is None:
        return nodes
    if source.kind == "manifest":
        symbols = []
        for section in ("cast", "items", "flags", "counters", "canon"):
            if section in tree:
                first = tree.key_pos[section].line
                last = max(
                    [first, *(p.line for p in getattr(tree[section], "key_pos", {}).values())]
                )
                symbols.append(_symbol(section, lsp.SymbolKind.Namespace, first, last, lines))
        return symbols
    if "branch" in tree:
        title = f"Branch {tree.get('branch')}: {tree.get('title', '')}".rstrip(": ")
    elif "episode" in tree:
        named = str(tree.get("title", ""))
        title = f"Episode {tree.get('episode')}: {named}".rstrip(": ")
        if named.startswith(f"Episode {tree.get('episode')}"):
            title = named  # "Episode 2 — The Cafeteria" says it already
    else:
        return nodes
    top = _symbol(title, lsp.SymbolKind.Namespace, 1, len(lines), lines)
    top.children = nodes
    return [top]


_CALL_BEFORE = re.compile(r"([a-z_]+)\(\s*['\"]?[A-Za-z0-9_.\-]*$")
_KEY_BEFORE = re.compile(r"(?:^|[\s{,\-])([a-z_]+):\s*(?:\{\s*)?['\"]?[A-Za-z0-9_.\-]*$")
_EFFECT_KEY_BEFORE = re.compile(r"(?:^|[\s{,])add:\s*\{[^}]*$")
_KEY_KINDS = {
    "goto": "node",
    "start": "node",
    "on_turn": "node",
    "give": "item",
    "take": "item",
    "item": "item",
    "set": "flag",
    "clear": "flag",
    "flag": "flag",
    **{k: "character" for k in ("bite", "reveal", "turn", "kill", "separate", "rejoin", "leave")},
    "who": "character",
}
_ITEM_KINDS = {
    "node": lsp.CompletionItemKind.Class,
    "character": lsp.CompletionItemKind.Constant,
    "item": lsp.CompletionItemKind.Value,
    "flag": lsp.CompletionItemKind.Variable,
    "counter": lsp.CompletionItemKind.Variable,
}


def completions(index: Index, before: str) -> list[lsp.CompletionItem]:
    """What may be written at the cursor, from the line's text before it: ids of the
    kind the key or the condition function takes, else condition names."""
    call = _CALL_BEFORE.search(before)
    if call and call.group(1) in FUNCTIONS:
        kinds = [k for k in FUNCTIONS[call.group(1)][0] if k in KINDS][:1]
        return _ids(index, kinds)
    if _EFFECT_KEY_BEFORE.search(before):
        return _ids(index, ["counter"])
    key = _KEY_BEFORE.search(before)
    if key and key.group(1) in _KEY_KINDS:
        return _ids(index, [_KEY_KINDS[key.group(1)]])
    if (key and key.group(1) == "if") or re.search(r"\bif:", before):
        items = _ids(index, ["flag", "counter"])
        for name, (args, result) in FUNCTIONS.items():
            shown = ", ".join(args)
            items.append(
                lsp.CompletionItem(
                    label=name,
                    kind=lsp.CompletionItemKind.Function,
                    detail=f"{name}({shown}) -> {result}",
                    insert_text=f"{name}('')" if args else f"{name}()",
                )
            )
        for name in sorted(BUILTINS):
            items.append(lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Keyword))
        return items
    return _ids(index, list(KINDS))


def _ids(index: Index, kinds: list[str]) -> list[lsp.CompletionItem]:
    return [
        lsp.CompletionItem(label=name, kind=_ITEM_KINDS[kind], detail=kind)
        for kind in kinds
        for name in index.names(kind)
    ]
