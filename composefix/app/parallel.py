"""`--jobs N`: check chunks of projects in worker processes; the report is the same as with one process."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from composefix.model import Finding
from composefix.reading.document import Document
from composefix.rules.runner import Options, Report, check_projects


def _work(
    args: tuple[list[list[str]], Options, Callable[[Path], bytes] | None, bool],
) -> tuple[list[str], list[Finding], dict[str, tuple[str, bool]]]:
    from composefix.reading.files import Reader

    projects, options, read, fixes = args
    report = check_projects([[Path(p) for p in group] for group in projects], options, Reader(read))
    findings = report.findings
    if fixes:
        from composefix.fixing.plan import with_fixes

        findings = with_fixes(findings, report.projects, options.targets)
    else:
        # A rule's fix holds parsed nodes: send back only what a report shows.
        findings = [f._replace(fix=None) for f in findings]
    # Send back only the text of files that have findings (source frames) or that their fixes edit (a finding in
    # an env_file whose fix adds `extra_hosts` to the compose file), not the parsed trees.
    shown = {f.file for f in findings} | {e.file for f in findings if f.fix is not None for e in f.fix.edits}
    texts = {
        path: (report.documents[path].text, report.documents[path].bom)
        for path in sorted(shown)
        if path in report.documents
    }
    return report.files, findings, texts


def check_parallel(
    projects: list[list[Path]],
    options: Options,
    jobs: int,
    *,
    read: Callable[[Path], bytes] | None = None,
    fixes: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Like check_projects, split over ``jobs`` processes; chunks keep the order of the projects."""
    size = max(1, len(projects) // (jobs * 4))
    chunks = [[[str(p) for p in group] for group in projects[i : i + size]] for i in range(0, len(projects), size)]
    jobs = max(1, min(jobs, len(chunks)))  # a worker process per chunk at most
    files: dict[str, None] = {}  # ordered and without repeats
    findings: dict[tuple[str, str, int, int, str], Finding] = {}
    texts: dict[str, tuple[str, bool]] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, (chunk_files, chunk_findings, chunk_texts) in enumerate(
            pool.map(_work, [(chunk, options, read, fixes) for chunk in chunks])
        ):
            if progress is not None:
                progress(min((done + 1) * size, len(projects)) - 1, len(projects))
            files.update(dict.fromkeys(chunk_files))
            for f in chunk_findings:
                findings.setdefault((f.code, f.file, f.span.start.offset, f.span.end.offset, f.message), f)
            texts.update(chunk_texts)
    order = {path: index for index, path in enumerate(files)}
    ordered = sorted(
        findings.values(),
        key=lambda f: (order.get(f.file, len(order)), f.file, f.span.start.offset, f.span.end.offset, f.code),
    )
    documents = {path: Document(path=path, text=text, bom=bom) for path, (text, bom) in texts.items()}
    return Report(list(files), documents, ordered, options.targets)
