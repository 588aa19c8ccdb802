"""One run's settings: the configuration file and the command line's flags, merged in one place.

Precedence, for every setting: a flag on the command line, else the configuration file, else the default.
The configuration file is `--config FILE` when given; else the nearest `.composefix.toml` (or `pyproject.toml`
with a `[tool.composefix]` table) found from the folder of the first compose file upward, stopping at the
repository root (a folder with `.git`). The first compose file is the first `-f` file, else the first path
argument (a folder argument is its own start), else the first `COMPOSE_FILE` entry, else the current folder.

`RunSettings` is not `composefix.rules.base.Settings`: that one is the small part of these settings a rule sees.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from composefix.app import MAX_FILE_BYTES, UsageError
from composefix.app.config import Config, ConfigError, find_config, load_config
from composefix.model import Severity, Target
from composefix.rules.runner import Options

STDIN = "<stdin>"


class Flags(NamedTuple):
    """What the command line said, before the configuration is applied (empty or None: not given)."""

    command: str = "check"  # "check", "rewrite" or "graph"
    paths: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    targets: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    schema: bool = True
    schema_path: Path | None = None
    config: Path | None = None
    profiles: tuple[str, ...] = ()
    project_directory: Path | None = None
    env_files: tuple[Path, ...] | None = None
    # check: the report file; rewrite: the override file.
    output: Path | None = None
    output_format: str = "text"
    quiet: bool = False
    verbose: bool = False
    statistics: bool = False
    max_file_size: int = MAX_FILE_BYTES
    jobs: int = 0
    # rewrite only
    in_place: bool = False
    diff: bool = False
    unsafe_fixes: bool = False
    publish: tuple[str, ...] = ()
    verify: bool | None = None
    force: bool = False
    exit_zero: bool = False
    inspect_images: bool = False
    show_secrets: bool = False
    edit_outside_project: bool = False
    # rewrite: the before/after picture (`--graph FORMAT`) and where to write it (default: stdout)
    graph: str | None = None
    graph_output: Path | None = None
    # rewrite: the override file every machine loads (the changes every engine needs).
    portable_output: Path | None = None


class RunSettings(NamedTuple):
    """Everything one `check` or `rewrite` run uses, validated: flags over configuration over defaults."""

    flags: Flags
    config: Config
    # What the rules engine needs (targets, rule selection, severities, project loading).
    options: Options
    fail_on: Severity
    # The compose files to read, grouped into projects (each merged in order, as `docker compose -f`).
    projects: tuple[tuple[str, ...], ...]
    publish: Mapping[str, list[int]]
    inspect_images: bool
    # Lines for stderr about how a setting was decided (`--target auto`, a configuration left unused).
    notices: tuple[str, ...] = ()

    def fails(self, severity: Severity) -> bool:
        """Whether a finding of this severity left standing makes the run exit 1 (`--fail-on`)."""
        return severity.rank >= self.fail_on.rank


def config_start(flags: Flags, environ: Mapping[str, str] | None = None) -> Path:
    """The folder the configuration search starts from: that of the first compose file of the run."""
    if flags.files:
        return flags.files[0].parent
    for raw in flags.paths:
        if raw == "-":
            continue
        path = Path(raw)
        return path if path.is_dir() else path.parent
    from composefix.reading.discovery import compose_file_variable

    named = compose_file_variable(dict(os.environ if environ is None else environ), Path.cwd())
    if named:
        return Path(named[0]).parent
    return Path.cwd()


def _found_config(start: Path, known: dict[str, Path | None] | None = None) -> Path | None:
    """The configuration file for ``start``, as the user would write its path (relative when below here);
    ``known`` as in `find_config`."""
    from composefix.reading.files import display_path

    found = find_config(start, known)
    return Path(display_path(found)) if found is not None else None


def load_configuration(flags: Flags) -> Config:
    try:
        if flags.config is not None:
            if not flags.config.is_file():
                raise UsageError(f"{flags.config}: no such configuration file")
            return load_config(flags.config)
        found = _found_config(config_start(flags))
        return load_config(found) if found else Config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def unused_configurations(flags: Flags, used: Path | None) -> list[str]:
    """Notes for the other paths of the run whose own configuration differs from the one the run uses."""
    if flags.config is not None:
        return []
    # Folder names as strings first, then each made a Path once (a run over the corpus names 943 files in ~770
    # folders).
    names = [str(path.parent) for path in flags.files]
    names += [raw if os.path.isdir(raw) else str(Path(raw).parent) for raw in flags.paths if raw != "-"]
    notes: list[str] = []
    seen = {used.resolve() if used is not None else None}
    known: dict[str, Path | None] = {}  # each folder looked at once, however many paths it holds
    for start in dict.fromkeys(Path(name) for name in dict.fromkeys(names[1:])):
        found = _found_config(start, known)
        if found is None or found.resolve() in seen:
            continue
        seen.add(found.resolve())
        uses = f"uses {used}" if used is not None else "uses no configuration file"
        notes.append(
            f"note: {found} is not used: this run {uses} (found from the first path's folder); "
            f"check {start} on its own to apply it"
        )
    return notes


def resolve_targets(
    names: tuple[str, ...], default: frozenset[Target], auto: bool, notices: list[str]
) -> frozenset[Target]:
    """The targets named on the command line (or the configured ones); `auto` asks the Docker engine."""
    known = {t.value for t in Target}
    for name in names:
        if name.lower() not in known and name.lower() != "auto":
            raise UsageError(f"unknown target `{name}`; choose from: {', '.join(t.value for t in Target)}, auto")
    lowered = [name.lower() for name in names]
    chosen = frozenset(Target(name) for name in lowered if name != "auto") if names else default
    if "auto" in lowered or (not names and auto):
        from composefix.platform.docker_engine import auto_targets

        detected, notice = auto_targets()
        notices.append(notice)
        chosen = (chosen if names else frozenset()) | detected
    return chosen


def parse_publish(values: tuple[str, ...], configured: Mapping[str, list[int]]) -> dict[str, list[int]]:
    result = {name: list(ports) for name, ports in configured.items()}
    for value in values:
        # `SERVICE=` with no port: the service publishes nothing (it only makes outgoing connections).
        name, sep, ports = value.partition("=")
        try:
            numbers = [int(p) for p in ports.split(",") if p.strip()]
        except ValueError:
            numbers = [0]
        if not name or not sep or any(not 0 < n < 65536 for n in numbers):
            raise UsageError(f"--publish takes SERVICE=PORT[,PORT] (or SERVICE= for no port), not `{value}`")
        result.setdefault(name, []).extend(numbers)
    return result


def _profiles_from_environment() -> tuple[str, ...]:
    value = os.environ.get("COMPOSE_PROFILES", "")
    return tuple(p.strip() for p in value.split(",") if p.strip()) or ("*",)


def build(flags: Flags) -> RunSettings:
    """Validate ``flags``, read the configuration, and decide every setting of the run (raises UsageError)."""
    from composefix.rules import UnknownRuleError, expand

    rewriting = flags.command == "rewrite"
    if flags.command == "check":
        from composefix.reporting.formats import REPORTERS

        if flags.output_format not in REPORTERS:
            raise UsageError(f"unknown format `{flags.output_format}`; choose one of: {', '.join(REPORTERS)}")
    cfg = load_configuration(flags)
    try:
        notices = unused_configurations(flags, cfg.path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    targets = resolve_targets(flags.targets, cfg.targets, cfg.targets_auto, notices)
    selected = flags.select or cfg.select
    ignored = flags.ignore + cfg.ignore
    try:
        for selector in (*selected, *ignored):
            expand(selector)
    except UnknownRuleError as exc:
        raise UsageError(str(exc)) from None
    for env_path in flags.env_files or ():
        if not env_path.is_file():
            raise UsageError(f"{env_path}: no such env file")
    fail_on = cfg.fail_on
    if flags.fail_on is not None:
        try:
            fail_on = Severity(flags.fail_on.lower())
        except ValueError:
            raise UsageError(f"--fail-on takes error, warning or info, not `{flags.fail_on}`") from None
    if flags.schema_path is not None and not flags.schema_path.is_file():
        raise UsageError(f"{flags.schema_path}: no such schema file")
    if rewriting and flags.graph is not None:
        from composefix.graph.drawing import FORMATS

        if flags.graph not in FORMATS:
            raise UsageError(f"unknown --graph format `{flags.graph}`; choose one of: {', '.join(FORMATS)}")
    if rewriting and flags.in_place and flags.output is not None:
        raise UsageError("--in-place patches the files themselves: it takes no --output")
    if rewriting and flags.in_place and flags.portable_output is not None:
        raise UsageError("--in-place patches the files themselves: it takes no --portable-output")
    publish = parse_publish(flags.publish, cfg.publish) if rewriting else {}
    options = Options(
        targets=targets,
        select=selected,
        ignore=ignored,
        severity=cfg.severity,
        per_file_ignores=cfg.per_file_ignores,
        desktop_host_networking=cfg.desktop_host_networking,
        bridge_ips=cfg.bridge_ips,
        file_sharing=cfg.file_sharing,
        # `rewrite` plans from the rules' findings; schema problems are not its business (nor its cost).
        schema=flags.schema and not rewriting,
        schema_path=str(flags.schema_path) if flags.schema_path else None,
        profiles=flags.profiles or _profiles_from_environment(),
        env_files=flags.env_files,
        project_directory=flags.project_directory,
    )
    projects = find_projects(flags, cfg.exclude)
    if rewriting:
        if any("-" in group for group in projects):
            raise UsageError("rewrite needs files on disk, not stdin")
        if flags.output is not None and len(projects) > 1:
            raise UsageError("--output names one file, but the paths make several projects; rewrite them one by one")
        if flags.graph is not None and len(projects) > 1:
            raise UsageError("--graph draws one project, but the paths make several; rewrite them one by one")
        if flags.portable_output is not None and len(projects) > 1:
            raise UsageError(
                "--portable-output names one file, but the paths make several projects; rewrite them one by one"
            )
    return RunSettings(
        flags=flags,
        config=cfg,
        options=options,
        fail_on=fail_on,
        projects=tuple(tuple(group) for group in projects),
        publish=publish,
        inspect_images=flags.inspect_images or cfg.inspect_images,
        notices=tuple(notices),
    )


def find_projects(flags: Flags, excludes: tuple[str, ...]) -> list[list[str]]:
    """The projects of the run: `-f` files as one project, paths walked and grouped, else COMPOSE_FILE or the
    current folder."""
    from composefix.reading.discovery import (
        DiscoveryError,
        collect,
        compose_file_variable,
        default_paths,
        group_projects,
    )

    projects: list[list[str]] = []
    for path in flags.files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
    if flags.files:
        projects.append([str(p) for p in flags.files])
    if flags.paths:
        try:
            projects += group_projects(collect(list(flags.paths), excludes))
        except DiscoveryError as exc:
            raise UsageError(str(exc)) from None
    if not flags.paths and not flags.files:
        from_variable = compose_file_variable(dict(os.environ), Path.cwd())
        if from_variable:
            missing = [p for p in from_variable if not Path(p).is_file()]
            if missing:
                raise UsageError(f"{missing[0]}: no such file (named by COMPOSE_FILE)")
            projects.append(from_variable)
        else:
            projects += group_projects(default_paths())
    if not projects:
        where = ", ".join(flags.paths) if flags.paths else "the current folder"
        raise UsageError(f"no compose files found in {where}; pass file names or folders")
    return projects
