"""A real LSP client (pygls's `LanguageClient`) driving `python -m composefix server` over stdio, for the tests and
the benchmark: it records every publishDiagnostics and lets a caller wait for the next one of a document."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

TIMEOUT = 30.0


def uri(path: Path) -> str:
    found = from_fs_path(str(path))
    assert found is not None
    return found


class Session:
    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.diagnostics: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.arrived = asyncio.Condition()
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    async def record(self, params: types.PublishDiagnosticsParams) -> None:
        async with self.arrived:
            self.diagnostics.setdefault(params.uri, []).append(params)
            self.arrived.notify_all()

    async def next_diagnostics(self, path: Path, after: int) -> types.PublishDiagnosticsParams:
        """The first publishDiagnostics of ``path`` after the ``after`` ones already received."""
        key = uri(path)

        def ready() -> bool:
            return len(self.diagnostics.get(key, [])) > after

        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(ready), TIMEOUT)
        return self.diagnostics[key][after]

    def count(self, path: Path) -> int:
        return len(self.diagnostics.get(uri(path), []))

    async def open(self, path: Path, text: str | None = None) -> types.PublishDiagnosticsParams:
        before = self.count(path)
        text = path.read_text(encoding="utf-8") if text is None else text
        self.versions[uri(path)] = 1
        self.texts[uri(path)] = text
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri(path), language_id="yaml", version=1, text=text)
            )
        )
        return await self.next_diagnostics(path, before)

    def change(self, path: Path, text: str) -> None:
        """Send the whole new text (as a full-range incremental change)."""
        key = uri(path)
        old = self.texts[key]
        lines = old.split("\n")
        end = types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
        self.versions[key] += 1
        self.texts[key] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=key, version=self.versions[key]),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=types.Position(line=0, character=0), end=end), text=text
                    )
                ],
            )
        )

    async def change_and_wait(self, path: Path, text: str) -> types.PublishDiagnosticsParams:
        """Change the document and wait for the diagnostics of that version."""
        before = self.count(path)
        self.change(path, text)
        version = self.versions[uri(path)]
        while True:
            published = await self.next_diagnostics(path, before)
            before += 1
            if published.version == version:
                return published


@asynccontextmanager
async def session(root: Path, *, env: dict[str, str] | None = None) -> AsyncIterator[Session]:
    """A server started in ``root`` and initialized; shut down and exited on the way out."""
    client = LanguageClient("composefix-tests", "1")
    state = Session(client)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    async def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        await state.record(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        print("server log:", params.message, file=sys.stderr)

    environ = {**os.environ, **(env or {})}
    await client.start_io(sys.executable, "-m", "composefix", "server", cwd=str(root), env=environ)
    try:
        await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(
                        workspace=types.WorkspaceClientCapabilities(
                            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
                        )
                    ),
                    root_uri=uri(root),
                    process_id=os.getpid(),
                )
            ),
            TIMEOUT,
        )
        client.initialized(types.InitializedParams())
        yield state
    finally:
        try:
            await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
            client.exit(None)
        finally:
            await client.stop()


def offset(text: str, position: types.Position) -> int:
    """The index in ``text`` of an LSP position (UTF-16 code units), computed independently of the server."""
    import re

    starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    begin = starts[position.line]
    units = 0
    index = begin
    while units < position.character:
        units += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index


def apply(text: str, edits: list[types.TextEdit] | tuple[types.TextEdit, ...]) -> str:
    """``text`` with LSP text edits applied (as an editor applies a WorkspaceEdit's edits of one document)."""
    spans = sorted(((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def utf16_range(text: str, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    """An LSP range from 1-based lines and character columns (as `check` reports them), in UTF-16 code units."""
    import re

    lines = re.split(r"\r\n|\r|\n", text)

    def position(line: int, column: int) -> types.Position:
        prefix = lines[line - 1][: column - 1]
        return types.Position(line=line - 1, character=len(prefix.encode("utf-16-le")) // 2)

    return types.Range(start=position(line, column), end=position(end_line, end_column))
