"""`composefix server`: a Language Server over stdio (pygls).

- Diagnostics on open, change (debounced) and save of compose files, `.env` and env_files: the project holding
  the document is checked (composefix.app.editing) with every open buffer in place of its file on disk, and
  each open document of that project gets its diagnostics.
- Code actions: a finding's safe fix (the in-place edits of that finding only) and an inline suppression.
- Hover: the rule's documentation over a diagnostic's range.

Checks run one at a time on a worker thread; a check that a newer change made out of date publishes nothing,
and a document never gets diagnostics older than those it has.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from composefix import __version__
from composefix.app.editing import (
    Analysis,
    EditorFinding,
    analyze,
    candidate_projects,
    compose_project,
    is_compose_file,
    real,
    rule_for,
    suppression_edit,
)
from composefix.model import Applicability, Edit

# Wait this long after the last change before checking (a change in the meantime starts the wait again).
DEBOUNCE_SECONDS = 0.2
SOURCE = "composefix"
DOCS_URI = "https://github.com/composefix/composefix/blob/main/docs/rules.md"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


@dataclass(frozen=True, slots=True)
class Shown:
    """A finding published on a document: where (in the client's units), and what the check saw there."""

    finding: EditorFinding
    range: types.Range
    diagnostic: types.Diagnostic
    # The text the finding was found in, and the document version it was (None: the file on disk).
    text: str
    version: int | None
    # Every file of the check as it was read (real path -> text), and the open documents then (uri, version).
    texts: Mapping[str, str]
    open_docs: Mapping[str, tuple[str, int | None]]


class ComposefixServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("composefix", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="composefix-check")
        self.sequence = itertools.count(1)
        # uri -> the sequence number of the latest check it asked for / of the check whose results it shows
        self.requested: dict[str, int] = {}
        self.published: dict[str, int] = {}
        self.shown: dict[str, list[Shown]] = {}
        # real path of a file -> the compose files of the project that reads it (learnt from the checks)
        self.projects: dict[str, tuple[str, ...]] = {}
        self.last_error: str | None = None

    # --- which documents -----------------------------------------------------------------------------------

    def open_documents(self) -> dict[str, tuple[str, str, int | None]]:
        """real path -> (uri, text, version) of every open document with a file path."""
        found: dict[str, tuple[str, str, int | None]] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = to_fs_path(uri) if uri.startswith("file:") else None  # not `untitled:` buffers
            if path is not None:
                found[real(path)] = (uri, document.source, document.version)
        return found

    def project_of(self, path: str, buffers: dict[str, str]) -> Analysis | None:
        """Check the project of ``path`` (runs on the worker thread)."""
        if is_compose_file(path):
            return analyze(compose_project(path), buffers)
        known = self.projects.get(path)
        if known is not None:
            analysis = analyze(known, buffers)
            if path in analysis.documents:
                return analysis
        for files in candidate_projects(path):
            analysis = analyze(files, buffers)
            if path in analysis.documents:
                return analysis
        return None

    # --- checking --------------------------------------------------------------------------------------------

    async def check_soon(self, uri: str, delay: float) -> None:
        """Check the project of ``uri`` after ``delay`` seconds, unless a newer request for it comes first."""
        number = next(self.sequence)
        self.requested[uri] = number
        if delay:
            await asyncio.sleep(delay)
        if self.requested.get(uri) != number:
            return
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is None:
            return
        documents = self.open_documents()
        buffers = {key: text for key, (_, text, _) in documents.items()}
        loop = asyncio.get_running_loop()
        try:
            analysis = await loop.run_in_executor(self.checks, self.project_of, real(path), buffers)
        except Exception as exc:  # an internal error: one line in the client's log, the server keeps running
            from composefix.masking import clean

            self.window_log_message(
                types.LogMessageParams(types.MessageType.Error, clean(f"composefix: {type(exc).__name__}: {exc}"))
            )
            return
        if self.requested.get(uri) != number:
            return  # a newer change of this document is on its way
        if analysis is None:
            self.publish(uri, number, [], documents[real(path)][2] if real(path) in documents else None)
            return
        for file in analysis.documents:
            self.projects[file] = analysis.files
        if analysis.error is not None and analysis.error != self.last_error:
            # Once per distinct problem (a broken configuration file), not on every key typed.
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"composefix: {analysis.error}"))
        self.last_error = analysis.error
        open_docs = {key: (doc_uri, version) for key, (doc_uri, _, version) in documents.items()}
        for key, (doc_uri, text, version) in documents.items():
            if key not in analysis.documents and doc_uri != uri:
                continue
            current = self.workspace.text_documents.get(doc_uri)
            if current is None or current.version != version:
                continue  # closed, or changed since it was read: its own check publishes
            lines = _lines(text)
            shown = [
                self.shown_finding(f, lines, text, version, analysis.texts, open_docs)
                for f in analysis.findings.get(key, [])
            ]
            self.publish(doc_uri, number, shown, version)

    def publish(self, uri: str, number: int, shown: list[Shown], version: int | None) -> None:
        if self.published.get(uri, 0) > number:
            return  # never older results over newer ones
        self.published[uri] = number
        self.shown[uri] = shown
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[s.diagnostic for s in shown], version=version)
        )

    def position(self, lines: list[str], line: int, column: int) -> types.Position:
        """A 1-based line and column (in characters) of a text split in ``lines`` as an LSP position in the
        client's units (UTF-16 code units unless the client chose another encoding)."""
        if line > len(lines):
            return types.Position(line=len(lines) - 1, character=self.units(lines[-1]))
        row = lines[line - 1]
        return types.Position(line=line - 1, character=self.units(row[: max(0, column - 1)]))

    def units(self, text: str) -> int:
        return int(self.workspace.position_codec.client_num_units(text))

    def lsp_range(self, lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        return types.Range(start=self.position(lines, *start), end=self.position(lines, *end))

    def shown_finding(
        self,
        finding: EditorFinding,
        lines: list[str],
        text: str,
        version: int | None,
        texts: Mapping[str, str],
        open_docs: Mapping[str, tuple[str, int | None]],
    ) -> Shown:
        span = finding.span
        where = self.lsp_range(lines, (span.start.line, span.start.column), (span.end.line, span.end.column))
        rule = rule_for(finding.code)
        diagnostic = types.Diagnostic(
            range=where,
            message=finding.message,
            severity=_SEVERITY[finding.severity],
            code=finding.code,
            code_description=types.CodeDescription(href=rule_url(finding.code, finding.name)) if rule else None,
            source=SOURCE,
        )
        return Shown(finding, where, diagnostic, text, version, texts, open_docs)

    # --- requests ----------------------------------------------------------------------------------------------

    def at(self, uri: str, where: types.Range) -> list[Shown]:
        return [s for s in self.shown.get(uri, []) if _overlaps(s.range, where)]

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        actions: list[types.CodeAction] = []
        current = self.workspace.get_text_document(uri)
        for shown in self.at(uri, params.range):
            if shown.version != current.version:
                continue  # the diagnostics are out of date: new ones are on their way
            finding = shown.finding
            fix = finding.fix
            if fix is not None and fix.applicability is Applicability.SAFE:
                edit = self.workspace_edit(fix.edits, shown)
                if edit is not None:
                    actions.append(
                        types.CodeAction(
                            title=f"{fix.title} ({finding.code})",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[shown.diagnostic],
                            edit=edit,
                            is_preferred=True,
                        )
                    )
            if is_compose_file(finding.file):  # suppression comments are read in compose files only
                pragma = suppression_edit(shown.text, finding.file, finding.span.start.line, finding.code)
                if pragma is not None:
                    edit = self.workspace_edit((pragma._replace(file=finding.file),), shown)
                    if edit is not None:
                        actions.append(
                            types.CodeAction(
                                title=f"Suppress {finding.code} here (# composefix: ignore={finding.code})",
                                kind=types.CodeActionKind.QuickFix,
                                diagnostics=[shown.diagnostic],
                                edit=edit,
                            )
                        )
        return actions

    def workspace_edit(self, edits: tuple[Edit, ...], shown: Shown) -> types.WorkspaceEdit | None:
        """The edits (offsets in the texts ``shown``'s check read) as a WorkspaceEdit, each file's edits tied to
        the version of the document they were computed from (the client refuses them once it changed; a file that
        was not open gets no version)."""
        by_file: dict[str, list[types.TextEdit]] = {}
        for edit in edits:
            text = shown.texts.get(edit.file)
            if text is None:
                return None
            lines = _lines(text)
            where = self.lsp_range(lines, _line_column(text, edit.start), _line_column(text, edit.end))
            by_file.setdefault(edit.file, []).append(types.TextEdit(range=where, new_text=edit.text))
        changes: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile] = []
        for file, text_edits in by_file.items():
            uri, version = shown.open_docs.get(file, (from_fs_path(file) or "", None))
            changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=list(text_edits),
                )
            )
        return types.WorkspaceEdit(document_changes=changes)

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        point = types.Range(start=params.position, end=params.position)
        parts: list[str] = []
        where: types.Range | None = None
        for shown in self.at(params.text_document.uri, point):
            rule = rule_for(shown.finding.code)
            if rule is None or any(f"**{rule.code}" in part for part in parts):
                continue
            where = where or shown.range
            parts.append(f"**{rule.code} {rule.name}**: {rule.summary}.\n\n{rule.doc.strip()}")
        if not parts:
            return None
        content = types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts))
        return types.Hover(contents=content, range=where)


def rule_url(code: str, name: str) -> str:
    return f"{DOCS_URI}#{code.lower()}-{name}"


def _lines(text: str) -> list[str]:
    """``text``'s lines as LSP counts them (\\n, \\r\\n and \\r end a line), without their line breaks."""
    import re

    return re.split(r"\r\n|\r|\n", text)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of ``offset``."""
    import re

    line = 1
    start = 0
    for match in re.finditer(r"\r\n|\r|\n", text[:offset]):
        line += 1
        start = match.end()
    return line, offset - start + 1


def _overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges touch (an empty range at a range's end touches it, as editors place the cursor)."""

    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def make_server() -> ComposefixServer:
    server = ComposefixServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ComposefixServer, params: types.InitializeParams) -> None:
        # Paths are reported (and per-file-ignores matched) as `check` run from the workspace's folder would.
        root = params.root_uri and to_fs_path(params.root_uri)
        if root and os.path.isdir(root):
            os.chdir(root)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ComposefixServer, params: types.DidOpenTextDocumentParams) -> None:
        await ls.check_soon(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ComposefixServer, params: types.DidChangeTextDocumentParams) -> None:
        await ls.check_soon(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls: ComposefixServer, params: types.DidSaveTextDocumentParams) -> None:
        await ls.check_soon(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: ComposefixServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.requested.pop(uri, None)
        ls.shown.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        # The project's other open documents now see the file on disk instead of the closed buffer.
        path = to_fs_path(uri)
        files = ls.projects.get(real(path)) if path else None
        if files:
            others = [u for key, (u, _, _) in ls.open_documents().items() if ls.projects.get(key) == files]
            if others:
                await ls.check_soon(others[0], 0)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    )
    def code_action(ls: ComposefixServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ComposefixServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server


def serve() -> None:
    """Run the server on stdin/stdout until the client says exit. The protocol gets its own handle on the
    standard output (closed when the client says exit), and anything else printed goes to stderr, so that no
    stray text breaks the protocol."""
    import sys

    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout.flush()
    sys.stdout = sys.stderr
    make_server().start_io(sys.stdin.buffer, protocol_out)
