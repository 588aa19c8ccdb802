"""`composefix server` driven over stdio by a real LSP client (pygls's LanguageClient): no mocks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp import Session, apply, session, uri, utf16_range

COMPOSE = """\
# A service that reaches the host through docker0 (ünïcödé, 😀, before the findings)
services:
  api:
    image: example/api:1.4
    environment:
      DATABASE_URL: postgres://api:s3cr3t-pw@172.17.0.1:5432/api
      NOTE_😀: "😀 http://172.17.0.1:9091/metrics"
    extra_hosts:
      - "dockerhost:172.17.0.1"
"""


def run(coroutine: object) -> None:
    asyncio.run(coroutine)  # type: ignore[arg-type]


def project(tmp_path: Path, text: str = COMPOSE, **files: str) -> Path:
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    (tmp_path / "compose.yaml").write_text(text, encoding="utf-8")
    for name, content in files.items():
        # `_env` is `.env`, `_composefix_toml` is `.composefix.toml`
        (tmp_path / (name.replace("_", ".") if name.startswith("_") else name)).write_text(content, encoding="utf-8")
    return tmp_path / "compose.yaml"


def check_json(folder: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "composefix", "check", ".", "--format", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    findings: list[dict[str, object]] = json.loads(done.stdout)["findings"]
    return findings


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diagnostics
    ]


async def code_actions(state: Session, path: Path, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    found = await state.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri(path)),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


def edits_of(action: types.CodeAction, path: Path) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.document_changes is not None
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == uri(path)
    return [e for e in change.edits if isinstance(e, types.TextEdit)]


def test_open_publishes_check_findings_with_exact_utf16_ranges(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            published = await state.open(path)
            assert published.version == 1
            diagnostics = published.diagnostics
            # Columns in UTF-16 code units: the two emoji before the address on line 7 count 2 each.
            assert summary(diagnostics) == [
                ("CF105", 5, 45, 5, 55),
                ("CF105", 6, 26, 6, 36),
                ("CF106", 8, 8, 8, 31),
            ]
            first = diagnostics[0]
            assert first.severity == types.DiagnosticSeverity.Warning
            assert first.source == "composefix"
            assert first.code_description is not None
            assert first.code_description.href.endswith("/docs/rules.md#cf105-docker-bridge-ip")
            # The same findings and messages as `check` (masked the same way), ranges converted from its columns.
            expected = check_json(tmp_path)
            assert [d.message for d in diagnostics] == [f["message"] for f in expected]
            assert [d.range for d in diagnostics] == [
                utf16_range(COMPOSE, f["line"], f["column"], f["end_line"], f["end_column"])  # type: ignore[arg-type]
                for f in expected
            ]
            assert all("s3cr3t" not in d.message for d in diagnostics)

    run(scenario())


def test_masks_secrets_in_messages(tmp_path: Path) -> None:
    text = "services:\n  db:\n    image: postgres\n    environment:\n      DB_PASSWORD: !!int hunter22\n"
    path = project(tmp_path, text)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            (diagnostic,) = (await state.open(path)).diagnostics
            assert diagnostic.message == "cannot read `****` as `!!int`"
            assert diagnostic.severity == types.DiagnosticSeverity.Error
            assert summary([diagnostic]) == [("CF001", 4, 19, 4, 19)]

    run(scenario())


def test_safe_fix_action_applied_clears_its_diagnostic(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            diagnostics = (await state.open(path)).diagnostics
            extra_host = diagnostics[2]
            actions = await code_actions(state, path, extra_host)
            assert [a.title for a in actions] == [
                "map `dockerhost` to `host-gateway` (CF106)",
                "Suppress CF106 here (# composefix: ignore=CF106)",
            ]
            fix = actions[0]
            assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
            assert fix.edit is not None and fix.edit.document_changes is not None
            assert fix.edit.document_changes[0].text_document.version == 1  # type: ignore[union-attr]
            edits = edits_of(fix, path)
            assert [(e.range, e.new_text) for e in edits] == [
                (types.Range(start=types.Position(8, 20), end=types.Position(8, 30)), "host-gateway")
            ]
            fixed = apply(COMPOSE, edits)
            assert '      - "dockerhost:host-gateway"\n' in fixed
            after = await state.change_and_wait(path, fixed)
            assert [d.code for d in after.diagnostics] == ["CF105", "CF105"]

    run(scenario())


def test_fix_touching_two_places_is_the_findings_own(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            diagnostics = (await state.open(path)).diagnostics
            actions = await code_actions(state, path, diagnostics[0])
            fixed = apply(COMPOSE, edits_of(actions[0], path))
            # Only this finding's address is replaced, and the host-gateway entry it needs is added.
            assert "postgres://api:s3cr3t-pw@host.docker.internal:5432/api" in fixed
            assert '"😀 http://172.17.0.1:9091/metrics"' in fixed
            assert '      - "host.docker.internal:host-gateway"\n' in fixed
            after = await state.change_and_wait(path, fixed)
            assert summary(after.diagnostics) == [("CF105", 6, 26, 6, 36), ("CF106", 8, 8, 8, 31)]

    run(scenario())


def test_suppression_action_applied_clears_its_diagnostic(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            diagnostics = (await state.open(path)).diagnostics
            actions = await code_actions(state, path, diagnostics[1])
            suppress = next(a for a in actions if a.title.startswith("Suppress"))
            suppressed = apply(COMPOSE, edits_of(suppress, path))
            assert '      NOTE_😀: "😀 http://172.17.0.1:9091/metrics"  # composefix: ignore=CF105\n' in suppressed
            after = await state.change_and_wait(path, suppressed)
            # The other CF105 stays, and the comment is used (no unused-suppression finding).
            assert [d.code for d in after.diagnostics] == ["CF105", "CF106"]
            assert after.diagnostics[0].range.start.line == 5

    run(scenario())


def test_suppression_inside_a_block_scalar_goes_above_the_entry(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  worker:\n"
        "    image: example/worker\n"
        "    entrypoint:\n"
        "      - sh\n"
        "      - -c\n"
        "      - |\n"
        "        echo start\n"
        "        exec worker --broker amqp://172.17.0.1:5672\n"
    )
    path = project(tmp_path, text)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            (diagnostic,) = (await state.open(path)).diagnostics
            assert diagnostic.range.start.line == 8
            actions = await code_actions(state, path, diagnostic)
            suppress = next(a for a in actions if a.title.startswith("Suppress"))
            suppressed = apply(text, edits_of(suppress, path))
            # A comment at the end of line 9 would be part of the script: it goes above the list item instead.
            assert suppressed == text.replace("      - |\n", "      # composefix: ignore=CF105\n      - |\n")
            after = await state.change_and_wait(path, suppressed)
            assert after.diagnostics == ()

    run(scenario())


def test_change_publishes_new_diagnostics_and_debounces(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            await state.open(path)
            before = state.count(path)
            text = COMPOSE
            for n in range(5):  # typing: five changes 20 ms apart, well inside the debounce delay
                text = text + f"      # note {n}\n"
                state.change(path, text)
                await asyncio.sleep(0.02)
            text = text.replace("dockerhost:172.17.0.1", "dockerhost:host-gateway")
            state.change(path, text)
            published = await state.next_diagnostics(path, before)
            # One check for the burst, of its last version: no diagnostics of an older version.
            assert published.version == state.versions[uri(path)] == 7
            assert [d.code for d in published.diagnostics] == ["CF105", "CF105"]
            await asyncio.sleep(0.6)
            assert state.count(path) == before + 1

    run(scenario())


def test_hover_shows_the_rule_documentation(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            diagnostics = (await state.open(path)).diagnostics
            inside = types.Position(line=8, character=12)
            hover = await state.client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(uri(path)), inside)
            )
            assert hover is not None and isinstance(hover.contents, types.MarkupContent)
            assert hover.contents.kind == types.MarkupKind.Markdown
            assert hover.contents.value.startswith("**CF106 host-alias-fixed-ip**: ")
            assert "## What it does" in hover.contents.value
            assert hover.range == diagnostics[2].range
            outside = await state.client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(uri(path)), types.Position(line=3, character=4))
            )
            assert outside is None

    run(scenario())


def test_env_file_buffer_replaces_the_file_on_disk(tmp_path: Path) -> None:
    text = "services:\n  api:\n    image: example/api\n    environment:\n      BROKER: amqp://${BROKER_HOST}:5672\n"
    path = project(tmp_path, text, _env="BROKER_HOST=172.17.0.1\n")
    env = tmp_path / ".env"

    async def scenario() -> None:
        async with session(tmp_path) as state:
            assert (await state.open(path)).diagnostics == ()
            (diagnostic,) = (await state.open(env)).diagnostics
            assert summary([diagnostic]) == [("CF105", 0, 12, 0, 22)]
            # An unsaved edit of `.env`: the project is read with it, the file on disk still says 172.17.0.1.
            cleared = await state.change_and_wait(env, "BROKER_HOST=broker\n")
            assert cleared.diagnostics == ()
            assert env.read_text() == "BROKER_HOST=172.17.0.1\n"
            # And a compose buffer's variable pointing elsewhere moves the finding back to the compose file.
            state.change(env, "BROKER_HOST=172.17.0.1\n")
            moved = text.replace("${BROKER_HOST}", "172.17.0.1")
            published = await state.change_and_wait(path, moved)
            assert summary(published.diagnostics) == [("CF105", 4, 21, 4, 31)]

    run(scenario())


def test_configuration_is_read_as_check_reads_it(tmp_path: Path) -> None:
    path = project(tmp_path, _composefix_toml='ignore = ["CF106"]\n')
    assert (tmp_path / ".composefix.toml").is_file()

    async def scenario() -> None:
        async with session(tmp_path) as state:
            published = await state.open(path)
            assert [d.code for d in published.diagnostics] == ["CF105", "CF105"]

    run(scenario())


def test_a_file_of_no_project_gets_no_diagnostics(tmp_path: Path) -> None:
    project(tmp_path)
    other = tmp_path / "notes.yaml"
    other.write_text("a: 172.17.0.1\n", encoding="utf-8")

    async def scenario() -> None:
        async with session(tmp_path) as state:
            assert (await state.open(other)).diagnostics == ()

    run(scenario())


def test_shutdown_and_exit_end_the_process(tmp_path: Path) -> None:
    path = project(tmp_path)
    ended: list[int | None] = []

    async def scenario() -> None:
        async with session(tmp_path) as state:
            await state.open(path)
            process = state.client._server
            assert process is not None
        await asyncio.wait_for(process.wait(), 10)
        ended.append(process.returncode)

    run(scenario())
    assert ended == [0]


@pytest.mark.parametrize("command", [["server", "--help"]])
def test_server_command_is_listed(command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "composefix", *command], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "language server" in done.stdout


def test_check_does_not_import_the_language_server() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "composefix", "check", "examples/clean/compose.yaml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "composefix" in imported
    assert not imported & {"pygls", "lsprotocol", "cattrs"}


def test_env_file_opened_alone_finds_the_project_above_it(tmp_path: Path) -> None:
    text = "services:\n  api:\n    image: example/api\n    env_file: config/app.env\n"
    path = project(tmp_path, text)
    (tmp_path / "config").mkdir()
    env = tmp_path / "config" / "app.env"
    env.write_text("# the broker\nBROKER_URL=amqp://172.17.0.1:5672\n", encoding="utf-8")

    async def scenario() -> None:
        async with session(tmp_path) as state:
            (diagnostic,) = (await state.open(env)).diagnostics
            assert summary([diagnostic]) == [("CF105", 1, 18, 1, 28)]
            assert diagnostic.message == check_json(tmp_path)[0]["message"]
            # The compose file opened afterwards has no finding of its own.
            assert (await state.open(path)).diagnostics == ()

    run(scenario())


def test_a_broken_configuration_is_shown_once(tmp_path: Path) -> None:
    path = project(tmp_path, _composefix_toml="targets = [\n")
    messages: list[str] = []

    async def scenario() -> None:
        async with session(tmp_path) as state:

            @state.client.feature(types.WINDOW_SHOW_MESSAGE)
            def on_message(params: types.ShowMessageParams) -> None:
                messages.append(params.message)

            assert (await state.open(path)).diagnostics == ()
            await state.change_and_wait(path, COMPOSE + "# edited\n")

    run(scenario())
    assert len(messages) == 1
    assert messages[0].startswith("composefix: ")
    assert ".composefix.toml" in messages[0]


def test_crlf_lines_are_counted_as_the_client_counts_them(tmp_path: Path) -> None:
    text = COMPOSE.replace("\n", "\r\n")
    path = project(tmp_path, text)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            published = await state.open(path, text)
            assert summary(published.diagnostics) == [
                ("CF105", 5, 45, 5, 55),
                ("CF105", 6, 26, 6, 36),
                ("CF106", 8, 8, 8, 31),
            ]
            actions = await code_actions(state, path, published.diagnostics[1])
            suppressed = apply(text, edits_of(actions[-1], path))
            assert '"😀 http://172.17.0.1:9091/metrics"  # composefix: ignore=CF105\r\n' in suppressed

    run(scenario())


def test_a_fix_in_env_edits_both_files_it_needs(tmp_path: Path) -> None:
    text = "services:\n  api:\n    image: example/api\n    environment:\n      BROKER: amqp://${BROKER_HOST}:5672\n"
    path = project(tmp_path, text, _env="BROKER_HOST=172.17.0.1\n")
    env = tmp_path / ".env"

    async def scenario() -> None:
        async with session(tmp_path) as state:
            await state.open(path)
            # An unsaved edit of the compose file: the fix's edit there is computed on that buffer, not the disk.
            edited = "# unsaved\n" + text
            await state.change_and_wait(path, edited)
            (diagnostic,) = (await state.open(env)).diagnostics
            (fix,) = [a for a in await code_actions(state, env, diagnostic) if a.is_preferred]
            assert fix.edit is not None and fix.edit.document_changes is not None
            changes = {
                c.text_document.uri: c for c in fix.edit.document_changes if isinstance(c, types.TextDocumentEdit)
            }
            assert {u: c.text_document.version for u, c in changes.items()} == {uri(env): 1, uri(path): 2}
            assert apply("BROKER_HOST=172.17.0.1\n", changes[uri(env)].edits) == "BROKER_HOST=host.docker.internal\n"
            patched = apply(edited, changes[uri(path)].edits)
            assert patched == "# unsaved\n" + text + '    extra_hosts:\n      - "host.docker.internal:host-gateway"\n'

    run(scenario())


def test_a_buffer_over_the_size_limit_is_not_parsed(tmp_path: Path) -> None:
    from composefix.app.editing import analyze, real

    path = project(tmp_path)
    huge = "services: {}\n# " + "x" * (21 * 1024 * 1024) + "\n"
    analysis = analyze((real(path),), {real(path): huge})
    ((finding,),) = analysis.findings.values()
    assert finding.message == (
        "cannot read this compose file: file is 22,020,112 bytes, over the 20,971,520-byte limit "
        "(raise it with --max-file-size)"
    )


def test_suppression_joins_a_comment_already_on_the_line() -> None:
    from composefix.app.editing import suppression_edit
    from composefix.fixing.plan import apply_edits

    text = (
        "services:\n"
        "  api:\n"
        "    image: example/api\n"
        "    network_mode: host  # composefix: ignore=CF101 -- the proxy needs it\n"
        "    environment:\n"
        "      URL: http://localhost:8080\n"
    )
    edit = suppression_edit(text, "compose.yaml", 4, "CF102")
    assert edit is not None
    assert apply_edits(text, [edit]).splitlines()[3] == (
        "    network_mode: host  # composefix: ignore=CF101,CF102 -- the proxy needs it"
    )
    assert suppression_edit(text, "compose.yaml", 99, "CF102") is None


def test_save_checks_at_once(tmp_path: Path) -> None:
    path = project(tmp_path)

    async def scenario() -> None:
        async with session(tmp_path) as state:
            await state.open(path)
            before = state.count(path)
            # A configuration file appears (it is read again: a new file, or a new modification time), then the
            # document is saved.
            (tmp_path / ".composefix.toml").write_text('ignore = ["CF106"]\n', encoding="utf-8")
            state.client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri(path)))
            )
            published = await state.next_diagnostics(path, before)
            assert published.version == 1
            assert [d.code for d in published.diagnostics] == ["CF105", "CF105"]

    run(scenario())
