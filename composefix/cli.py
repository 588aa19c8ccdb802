"""The `composefix` command line: wiring, options and exit codes only."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from composefix import __version__
from composefix.app import EXIT_ERROR, EXIT_OK, MAX_FILE_BYTES, MAX_JOBS, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from composefix.app.settings import Flags, RunSettings

app = typer.Typer(
    name="composefix",
    help="Find and fix Docker Compose settings that break between Linux Docker Engine and VM-backed engines.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

__all__ = ["EXIT_ERROR", "app"]

# Set to a list by the console script (`composefix.entry`), which leaves with `os._exit` once the output is out:
# a check's report then goes here instead of being freed object by object when the command returns (the parsed
# trees of the 943 corpus files took ~0.1 s to free, for a process about to end). None for library callers and
# tests, which keep nothing.
KEPT: "list[object] | None" = None


def _fail(message: str) -> typer.Exit:
    from composefix.masking import clean

    typer.echo(f"composefix: error: {clean(message)}", err=True)
    return typer.Exit(EXIT_ERROR)


def _split(values: list[str] | None) -> tuple[str, ...]:
    """`--select a,b --select c` -> (a, b, c)."""
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def _flags(
    command: str,
    paths: list[str] | None,
    file: list[Path] | None,
    target: list[str] | None,
    config: Path | None,
    profile: list[str] | None,
    env_file: list[Path] | None,
    output: Path | None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    **rest: Any,
) -> "Flags":
    """The options every command shares, as `Flags`; ``rest`` are the command's own, already in Flags' terms."""
    from composefix.app.settings import Flags

    return Flags(
        command=command,
        paths=tuple(paths or ()),
        files=tuple(file or ()),
        select=_split(select),
        ignore=_split(ignore),
        targets=_split(target),
        config=config,
        profiles=_split(profile),
        env_files=tuple(env_file) if env_file else None,
        output=output,
        **rest,
    )


def _settings(flags: "Flags") -> "RunSettings":
    """Flags over configuration over defaults; its notices (a deprecated key, ...) go to stderr, masked."""
    from composefix.app.settings import build
    from composefix.masking import clean

    settings = build(flags)
    for notice in settings.notices:
        typer.echo(clean(notice), err=True)
    return settings


def _version(value: bool) -> None:
    if value:
        typer.echo(f"composefix {__version__}")
        raise typer.Exit()


def _run(action: "Callable[[], int]", debug: bool) -> NoReturn:
    """Run a command's action: its exit code; a usage error is one line (exit 2); so is an internal error, unless
    --debug asks for the traceback."""
    try:
        code = action()
    except UsageError as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:
        if debug:
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)") from None
    raise typer.Exit(code)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """composefix: portable Docker Compose projects."""


@app.command()
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Compose files or folders to walk (`-` reads stdin). Default: the current folder."),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option("--file", "-f", help="A project made of these files, merged in order (as `docker compose -f`)."),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text, json, sarif, github or junit.")] = "text",
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
    profile: Annotated[
        list[str] | None, typer.Option(help="Only services of these profiles (default: every service).")
    ] = None,
    project_directory: Annotated[
        Path | None, typer.Option(help="The project folder (default: the first file's).")
    ] = None,
    env_file: Annotated[list[Path] | None, typer.Option(help="Variables for interpolation instead of `.env`.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the finding lines: no source, no summary.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also say which files each project read.")] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help="Counts per rule instead of the findings.")] = False,
    max_file_size: Annotated[
        int, typer.Option(help="Refuse files larger than this many bytes.", min=1)
    ] = MAX_FILE_BYTES,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", help="Worker processes (0: one per CPU for many files).", min=0, max=MAX_JOBS),
    ] = 0,
    debug: Annotated[bool, typer.Option(help="Show tracebacks for internal errors.")] = False,
) -> None:
    """Report portability problems with file:line:column."""
    flags = _flags(
        "check",
        paths,
        file,
        target,
        config,
        profile,
        env_file,
        output,
        select=select,
        ignore=ignore,
        output_format=output_format,
        fail_on=fail_on,
        schema=not no_schema,
        schema_path=schema,
        project_directory=project_directory,
        quiet=quiet,
        verbose=verbose,
        statistics=statistics,
        max_file_size=max_file_size,
        jobs=jobs,
    )
    _run(lambda: _check(flags), debug)


def _check(flags: "Flags") -> int:
    from composefix.app.checking import files_read, run_check
    from composefix.masking import clean
    from composefix.reporting.formats import REPORTERS, RenderOptions

    settings = _settings(flags)
    result = run_check(settings, progress=_progress_bar(len(settings.projects)))
    if flags.verbose:
        for line in files_read(result.report):
            typer.echo(clean(line), err=True)
    color = flags.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    render_options = RenderOptions(
        color=color, show_source=not flags.quiet, summary=not flags.quiet, statistics=flags.statistics
    )
    rendered = REPORTERS[flags.output_format](result.report, render_options)
    if flags.output is not None:
        from composefix.reporting.writing import WriteError, write_report

        inputs = [Path(p) for p in result.report.documents] + [Path(p) for g in settings.projects for p in g]
        try:
            write_report(flags.output, rendered, inputs=inputs)
        except WriteError as exc:
            raise UsageError(str(exc)) from None
    else:
        sys.stdout.write(rendered)
    for message in result.io_errors:
        typer.echo(f"composefix: error: {clean(message)}", err=True)
    if KEPT is not None:
        KEPT.append(result)
    return result.exit_code


@app.command()
def rewrite(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Compose files or folders (default: current folder).")
    ] = None,
    file: Annotated[
        list[Path] | None, typer.Option("--file", "-f", help="A project made of these files, merged in order.")
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Patch the files themselves (edits only).")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff; write nothing (same exit code as without --diff).")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Override file for VM-backed engines only (default: compose.desktop.yaml)."
        ),
    ] = None,
    portable_output: Annotated[
        Path | None,
        typer.Option(
            "--portable-output",
            help="Override file for the changes every engine needs (default: the automatic compose.override.yaml).",
        ),
    ] = None,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
    ] = False,
    publish: Annotated[
        list[str] | None,
        typer.Option(
            help="SERVICE=PORT[,PORT]: ports to publish for a host-mode service (SERVICE= for none: it only "
            "connects out)."
        ),
    ] = None,
    verify: Annotated[
        bool | None, typer.Option("--verify/--no-verify", help="Check the result with a real `docker compose config`.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Replace an output file composefix did not write, or a read-only file.")
    ] = False,
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Print secrets in --diff unmasked (to pipe it to `git apply`).")
    ] = False,
    edit_outside_project: Annotated[
        bool,
        typer.Option(
            "--edit-outside-project", help="Let --in-place edit files outside the project folder (env_file, include)."
        ),
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when findings stay unfixed (for fixing hooks).")
    ] = False,
    inspect_images: Annotated[
        bool, typer.Option("--inspect-images", help="Read local images' EXPOSE ports from the Docker engine.")
    ] = False,
    target: Annotated[list[str] | None, typer.Option(help="Engines to support (see `check`).")] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            "--graph", help="Also draw the project before and after the rewrite: mermaid, dot or svg (to stdout)."
        ),
    ] = None,
    graph_output: Annotated[
        Path | None, typer.Option("--graph-output", help="Write the --graph picture to this file.")
    ] = None,
    fail_on: Annotated[
        str | None, typer.Option(help="Exit 1 when a finding at this severity or above stays unfixed.")
    ] = None,
    select: Annotated[list[str] | None, typer.Option(help="Rules to fix: codes, prefixes or names.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules not to fix.")] = None,
    config: Annotated[Path | None, typer.Option(help="Configuration file (default: searched upward).")] = None,
    profile: Annotated[list[str] | None, typer.Option(help="Only services of these profiles.")] = None,
    env_file: Annotated[list[Path] | None, typer.Option(help="Variables for interpolation instead of `.env`.")] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks for internal errors.")] = False,
) -> None:
    """Fix what `check` finds: a portable override file (default), an in-place patch, or a diff."""
    flags = _flags(
        "rewrite",
        paths,
        file,
        target,
        config,
        profile,
        env_file,
        output,
        select=select,
        ignore=ignore,
        fail_on=fail_on,
        portable_output=portable_output,
        in_place=in_place,
        diff=diff,
        unsafe_fixes=unsafe_fixes,
        publish=tuple(publish or ()),
        verify=verify,
        force=force,
        exit_zero=exit_zero,
        inspect_images=inspect_images,
        show_secrets=show_secrets,
        edit_outside_project=edit_outside_project,
        graph=graph if graph is not None else ("mermaid" if graph_output is not None else None),
        graph_output=graph_output,
    )
    _run(lambda: _rewrite(flags), debug)


def _rewrite(flags: "Flags") -> int:
    from composefix.app.rewriting import messages, run_rewrite

    settings = _settings(flags)
    result = run_rewrite(settings)
    # `--graph` without `--graph-output`: the picture alone on stdout (to pipe it), rewrite's lines on stderr.
    picture_out = flags.graph is not None and flags.graph_output is None
    for text, err in messages(result):
        typer.echo(text, err=err or picture_out, nl=not text.endswith("\n"))
    if result.error is not None:
        raise UsageError(result.error)
    if flags.graph is not None and result.projects:
        from composefix.app.graphing import rewrite_picture
        from composefix.reporting.writing import WriteError, write_report

        done = result.projects[0]
        picture = rewrite_picture(settings, done.files, done.outcome)
        if flags.graph_output is None:
            sys.stdout.write(picture)
        else:
            inputs = [Path(name) for name in (*done.files, *done.outcome.writes)]
            try:
                write_report(flags.graph_output, picture, inputs=inputs, what="the picture")
            except WriteError as exc:
                raise UsageError(str(exc)) from None
    return result.exit_code


def _progress_bar(total: int) -> "Callable[[int, int], None] | None":
    """A one-line progress bar on stderr, only on a terminal and never in CI logs or pipes."""
    if total < 20 or not sys.stderr.isatty() or os.environ.get("CI") or os.environ.get("NO_COLOR"):
        return None

    def show(done: int, of: int) -> None:
        width = 30
        filled = width * (done + 1) // of
        end = "\n" if done + 1 == of else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done + 1}/{of} projects{end}")
        sys.stderr.flush()

    return show


@app.command()
def graph(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Compose files or a folder (default: current folder).")
    ] = None,
    file: Annotated[
        list[Path] | None, typer.Option("--file", "-f", help="A project made of these files, merged in order.")
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="The engine to draw (default: the first configured VM-backed one, else linux).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="mermaid, dot or svg.")] = "mermaid",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the picture to this file.")] = None,
    config: Annotated[Path | None, typer.Option(help="Configuration file (default: searched upward).")] = None,
    profile: Annotated[list[str] | None, typer.Option(help="Only services of these profiles.")] = None,
    env_file: Annotated[list[Path] | None, typer.Option(help="Variables for interpolation instead of `.env`.")] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks for internal errors.")] = False,
) -> None:
    """Draw the services, networks and connections as an engine runs them; broken connections in red."""
    flags = _flags(
        "graph", paths, file, [target] if target else [], config, profile, env_file, output, output_format=output_format
    )
    _run(lambda: _graph(flags), debug)


def _graph(flags: "Flags") -> int:
    from composefix.app.graphing import run_graph

    settings = _settings(flags)
    text, code = run_graph(settings)
    if text is not None:
        sys.stdout.write(text)
    return code


@app.command()
def server(
    debug: Annotated[bool, typer.Option(help="Show tracebacks for internal errors.")] = False,
) -> None:
    """Run the language server on stdin/stdout (for editors: diagnostics, quick fixes, rule docs on hover)."""

    def serve() -> int:
        import gc

        # The console script turns the cyclic collector off for short runs; a server runs for hours.
        gc.enable()
        from composefix.server import serve

        serve()
        return EXIT_OK

    _run(serve, debug)


@app.command()
def doctor(
    timeout: Annotated[int, typer.Option(help="Seconds to wait for the engine.", min=1)] = 3,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Which engine is here, what it and Docker Compose support, and the targets composefix would use."""
    from composefix.app.info import doctor as report

    def action() -> int:
        from composefix.masking import clean_lines

        text, error = report(timeout, output_format)
        typer.echo(clean_lines(text))
        if error is not None:
            raise UsageError(error)
        return EXIT_OK

    _run(action, debug=False)


@app.command()
def rules(
    rule: Annotated[str | None, typer.Argument(help="A rule code or name: show its documentation.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
) -> None:
    """List the rules, or show one rule's documentation."""
    from composefix.app.info import rules as text

    def action() -> int:
        typer.echo(text(rule, output_format), nl=False)
        return EXIT_OK

    _run(action, debug=False)
