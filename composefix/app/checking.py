"""`check`: read the projects of a run (with the file-reading policy), run the rules, and decide the exit code."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from composefix.app import EXIT_ERROR, MAX_FILE_BYTES, UsageError
from composefix.app.settings import STDIN, RunSettings
from composefix.reading.files import Reader
from composefix.rules.runner import Report, check_projects

# From this many projects on, --jobs defaults to one process per CPU (a pool costs ~60 ms to start on 2 cores).
PARALLEL_FROM = 40


class CheckRun(NamedTuple):
    """The report, the files that could not be read (one line each), and the exit code of the run."""

    report: Report
    io_errors: list[str]
    exit_code: int


def run_check(
    settings: RunSettings,
    progress: Callable[[int, int], None] | None = None,
    stdin: Callable[[int], bytes] | None = None,
) -> CheckRun:
    """Check every project of ``settings``; `stdin(limit)` reads `-` (default: the process's stdin)."""
    from composefix.reading.schema import SchemaError

    flags = settings.flags
    limit = flags.max_file_size
    read = functools.partial(read_file, limit=limit)
    reader = Reader(read)
    projects = settings.projects
    if any("-" in group for group in projects):
        from composefix.reading.document import load

        try:
            data = stdin(limit + 1) if stdin is not None else sys.stdin.buffer.read(limit + 1)
        except (AttributeError, OSError, ValueError):  # no stdin at all, or a closed one
            raise UsageError("stdin: cannot read it (closed?); pass file names instead of `-`") from None
        if len(data) > limit:
            raise UsageError(f"stdin: more than {limit:,} bytes (raise the limit with --max-file-size)")
        reader.documents[STDIN] = load(data, STDIN)
    io_errors: list[str] = []
    readable: list[list[Path]] = []
    for group in projects:
        paths = [Path(STDIN if name == "-" else name) for name in group]
        problems = [e for e in (unreadable(p, limit) for p in paths if str(p) != STDIN) if e]
        io_errors += problems
        if not problems:
            readable.append(paths)
    jobs = flags.jobs or (os.cpu_count() or 1 if len(readable) >= PARALLEL_FROM else 1)
    jobs = max(1, min(jobs, len(readable)))  # never more workers than projects
    fixes = flags.output_format in ("json", "sarif")
    targets = settings.options.targets
    try:
        if jobs > 1 and STDIN not in reader.documents and not flags.verbose:
            from composefix.app.parallel import check_parallel

            report = check_parallel(readable, settings.options, jobs, read=read, fixes=fixes, progress=progress)
        else:
            report = check_projects(readable, settings.options, reader, progress)
            if fixes:
                from composefix.fixing.plan import with_fixes

                report.findings = with_fixes(report.findings, report.projects, targets)
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    return CheckRun(report, io_errors, EXIT_ERROR if io_errors else report.exit_code(settings.fail_on))


def files_read(report: Report) -> list[str]:
    """`--verbose`: the files each project read, marking those outside its folder (Compose reads them too)."""
    lines: list[str] = []
    for project in report.projects:
        base = Path(os.path.realpath(project.directory))
        lines.append(f"project {', '.join(project.compose_files)}:")
        for path in project.documents:
            resolved = Path(os.path.realpath(path))  # never raises on a symlink loop
            outside = base not in resolved.parents and resolved != base
            lines.append(f"  read {path}{' (outside the project folder)' if outside else ''}")
    return lines


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refusing files over ``limit`` (and anything that is not a regular file) before reading."""
    from composefix.reading.files import read_regular

    return read_regular(path, limit)


def unreadable(path: Path, limit: int = MAX_FILE_BYTES) -> str | None:
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
