"""`composefix graph`: one project, one engine, one picture (Mermaid, DOT or SVG)."""

from __future__ import annotations

import functools
from pathlib import Path

from composefix.app import EXIT_OK, UsageError
from composefix.app.checking import read_file
from composefix.app.settings import RunSettings


def run_graph(settings: RunSettings) -> tuple[str | None, int]:
    """Draw the run's one project: the picture (None when it was written to ``--output``) and the exit code.

    Reads the project as `check` does (configuration, profiles, env files, file size limit); a file that does not
    parse, an unknown format or several projects are usage errors with the file and line.
    """
    from composefix.drawing import FORMATS, DrawError, choose_target, draw
    from composefix.project import Reader, load_project
    from composefix.writing import WriteError, write_report

    flags = settings.flags
    if flags.output_format not in FORMATS:
        raise UsageError(f"unknown format `{flags.output_format}`; choose one of: {', '.join(FORMATS)}")
    if len(settings.projects) != 1 or "-" in settings.projects[0]:
        raise UsageError("graph draws one project from files on disk: name its files (or one folder)")
    options = settings.options
    files = [Path(name) for name in settings.projects[0]]
    try:
        target = choose_target(options.targets, bool(flags.targets))
        project = load_project(
            files,
            reader=Reader(functools.partial(read_file, limit=flags.max_file_size)),
            project_directory=options.project_directory,
            environ=options.environ,
            env_files=list(options.env_files) if options.env_files is not None else None,
            profiles=list(options.profiles),
        )
        text = draw(
            project,
            target,
            flags.output_format,
            desktop_host_networking=options.desktop_host_networking,
            bridge_ips=options.bridge_ips,
        )
    except DrawError as exc:
        raise UsageError(str(exc)) from None
    if flags.output is None:
        return text, EXIT_OK
    try:
        write_report(flags.output, text, inputs=[*files, *(Path(p) for p in project.documents)], what="the picture")
    except WriteError as exc:
        raise UsageError(str(exc)) from None
    return None, EXIT_OK
