"""The `composefix` command line: wiring, options and exit codes only."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from composefix import __version__

app = typer.Typer(
    name="composefix",
    help="Find and fix Docker Compose settings that break between Linux Docker Engine and VM-backed engines.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
MAX_FILE_BYTES = 20 * 1024 * 1024


class UsageError(Exception):
    """A bad option value, path or configuration: exit 2 with a one-line message."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"composefix: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"composefix {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """composefix: portable Docker Compose projects."""


def _read_input(name: str) -> tuple[str, bytes]:
    """(display path, bytes) of a file or of stdin (`-`)."""
    if name == "-":
        return "<stdin>", sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    path = Path(name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise OSError(f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a compose file")
    return name, path.read_bytes()


@app.command()
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Compose files or folders to walk (`-` reads stdin). Default: the current folder."),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    select: Annotated[list[str] | None, typer.Option(help="Rules to run: codes, prefixes or names.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules to skip: codes, prefixes or names.")] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(help="Engines to support: linux, desktop, colima, orbstack, podman, rancher."),
    ] = None,
    fail_on: Annotated[str | None, typer.Option(help="Exit 1 at this severity or above: error, warning, info.")] = None,
    no_schema: Annotated[bool, typer.Option("--no-schema", help="Skip compose-spec schema validation.")] = False,
    schema: Annotated[Path | None, typer.Option(help="Use this compose-spec JSON schema file.")] = None,
    config: Annotated[Path | None, typer.Option(help="Configuration file (default: searched upward).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks for internal errors.")] = False,
) -> None:
    """Report portability problems with file:line:column."""
    try:
        code = _check(paths or [], output_format, select, ignore, target, fail_on, no_schema, schema, config, output)
    except UsageError as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:  # an internal error: one line, unless --debug
        if debug:
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)") from None
    raise typer.Exit(code)


def _check(
    paths: list[str],
    output_format: str,
    select: list[str] | None,
    ignore: list[str] | None,
    target: list[str] | None,
    fail_on: str | None,
    no_schema: bool,
    schema: Path | None,
    config_path: Path | None,
    output: Path | None,
) -> int:
    from composefix.config import Config, ConfigError, find_config, load_config
    from composefix.discovery import DiscoveryError, collect, default_paths
    from composefix.document import load
    from composefix.engine import Options, check_documents
    from composefix.model import Severity, Target
    from composefix.report import REPORTERS, RenderOptions
    from composefix.rules import UnknownRuleError, expand
    from composefix.schema import SchemaError

    if output_format not in REPORTERS:
        raise UsageError(f"unknown format `{output_format}`; choose one of: {', '.join(REPORTERS)}")
    try:
        if config_path is not None:
            if not config_path.is_file():
                raise UsageError(f"{config_path}: no such configuration file")
            cfg = load_config(config_path)
        else:
            found = find_config(Path.cwd())
            cfg = load_config(found) if found else Config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None

    targets = cfg.targets
    if target:
        names = _split(target)
        try:
            targets = frozenset(Target(name.lower()) for name in names)
        except ValueError:
            bad = next(n for n in names if n.lower() not in {t.value for t in Target})
            raise UsageError(f"unknown target `{bad}`; choose from: {', '.join(t.value for t in Target)}") from None
    selected = tuple(_split(select)) or cfg.select
    ignored = tuple(_split(ignore)) + cfg.ignore
    try:
        for selector in (*selected, *ignored):
            expand(selector)
    except UnknownRuleError as exc:
        raise UsageError(str(exc)) from None
    level = cfg.fail_on
    if fail_on is not None:
        try:
            level = Severity(fail_on.lower())
        except ValueError:
            raise UsageError(f"--fail-on takes error, warning or info, not `{fail_on}`") from None

    try:
        files = collect(paths, cfg.exclude) if paths else default_paths()
    except DiscoveryError as exc:
        raise UsageError(str(exc)) from None
    if not files:
        where = ", ".join(paths) if paths else "the current folder"
        raise UsageError(f"no compose files found in {where}; pass file names or folders")

    options = Options(
        targets=targets,
        select=selected,
        ignore=ignored,
        severity=cfg.severity,
        per_file_ignores=cfg.per_file_ignores,
        desktop_host_networking=cfg.desktop_host_networking,
        bridge_ips=cfg.bridge_ips,
        schema=not no_schema,
        schema_path=str(schema) if schema else None,
    )
    if schema is not None and not schema.is_file():
        raise UsageError(f"{schema}: no such schema file")

    docs = []
    io_errors = []
    for name in files:
        try:
            display, data = _read_input(name)
        except OSError as exc:
            io_errors.append(f"{name}: cannot read: {exc.strerror or exc}")
            continue
        docs.append(load(data, display))
    try:
        report = check_documents(docs, options)
    except SchemaError as exc:
        raise UsageError(str(exc)) from None

    color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    rendered = REPORTERS[output_format](report, RenderOptions(color=color))
    if output is not None:
        try:
            output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(rendered)
    for message in io_errors:
        typer.echo(f"composefix: error: {message}", err=True)
    if io_errors:
        return EXIT_ERROR
    return report.exit_code(level)


@app.command()
def rules(
    rule: Annotated[str | None, typer.Argument(help="A rule code or name: show its documentation.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
) -> None:
    """List the rules, or show one rule's documentation."""
    from composefix.rules import RULES, UnknownRuleError, lookup

    if output_format not in ("text", "json", "markdown"):
        raise _fail(f"unknown format `{output_format}`; choose one of: text, json, markdown")
    try:
        chosen = [lookup(rule)] if rule else list(RULES)
    except UnknownRuleError as exc:
        raise _fail(str(exc)) from None
    if output_format == "json":
        payload = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "targets": sorted(t.value for t in r.targets),
                "summary": r.summary,
                "doc": r.doc,
            }
            for r in chosen
        ]
        typer.echo(json.dumps(payload if rule is None else payload[0], indent=2))
    elif output_format == "markdown":
        from composefix.rulesdoc import markdown

        typer.echo(markdown(chosen), nl=False)
    elif rule:
        r = chosen[0]
        typer.echo(f"{r.code} {r.name} [{r.severity.value}]\n\n{r.summary}\n\n{r.doc.strip()}")
    else:
        width = max(len(r.name) for r in chosen)
        for r in chosen:
            typer.echo(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}")


def main() -> None:
    app()
