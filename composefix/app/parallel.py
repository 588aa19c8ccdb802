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
) -> tuple[list[str], list[Finding], dict[str, tuple[str, bool, list[str]]]]:
    from composefix.masking import ordered_secrets
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
    # With each text its secret values (what safe_report would scan it for), worked out here in parallel rather
    # than one file after another in the process that prints the report.
    documents = [report.documents[path] for path in sorted(shown) if path in report.documents]
    texts = {doc.path: (doc.text, doc.bom, ordered_secrets(doc.text)) for doc in documents}
    return report.files, findings, texts


def chunk_bounds(count: int, jobs: int) -> list[tuple[int, int]]:
    """(start, end) of each chunk of ``count`` projects, in order, for ``jobs`` workers: large chunks first, then
    smaller and smaller ones (guided scheduling: each takes half a worker's even share of what is left, down to a
    floor). A worker that finished takes the next chunk, so the small chunks at the end even out the workers'
    finishing times, while the large ones keep the number of chunks, each a round trip to a worker, low. With
    equal chunks (each an eighth of the corpus for two workers) one worker idled for up to ~0.2 s at the end."""
    floor = max(1, count // (jobs * 32))
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < count:
        size = min(count - start, max(floor, -(-(count - start) // (jobs * 2))))
        bounds.append((start, start + size))
        start += size
    return bounds


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
    bounds = chunk_bounds(len(projects), jobs)
    chunks = [[[str(p) for p in group] for group in projects[start:end]] for start, end in bounds]
    jobs = max(1, min(jobs, len(chunks)))  # a worker process per chunk at most
    files: dict[str, None] = {}  # ordered and without repeats
    findings: dict[tuple[str, str, int, int, str], Finding] = {}
    texts: dict[str, tuple[str, bool, list[str]]] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, (chunk_files, chunk_findings, chunk_texts) in enumerate(
            pool.map(_work, [(chunk, options, read, fixes) for chunk in chunks])
        ):
            if progress is not None:
                progress(bounds[done][1] - 1, len(projects))
            files.update(dict.fromkeys(chunk_files))
            for f in chunk_findings:
                findings.setdefault((f.code, f.file, f.span.start.offset, f.span.end.offset, f.message), f)
            texts.update(chunk_texts)
    order = {path: index for index, path in enumerate(files)}
    ordered = sorted(
        findings.values(),
        key=lambda f: (order.get(f.file, len(order)), f.file, f.span.start.offset, f.span.end.offset, f.code),
    )
    documents = {path: Document(path=path, text=text, bom=bom) for path, (text, bom, _) in texts.items()}
    secrets = {path: values for path, (_, _, values) in texts.items()}
    return Report(list(files), documents, ordered, options.targets, secrets=secrets)
