"""Run the enabled rules over projects; apply severities, per-file ignores and inline suppressions."""

from __future__ import annotations

import fnmatch
import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from composefix import suppress
from composefix.document import Document, to_data
from composefix.model import DEFAULT_TARGETS, Finding, Severity, Target
from composefix.project import Project, Reader, load_project
from composefix.rules import RULES, expand
from composefix.rules.base import Context, Rule, Settings
from composefix.schema import SchemaProblem, validate

UNUSED_SUPPRESSION = "CF900"


class Options(NamedTuple):
    """What to check and how: targets, rule selection, severities and project-loading options."""

    targets: frozenset[Target] = DEFAULT_TARGETS
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = {}  # never mutated (a NamedTuple)
    # (glob, codes): globs match the file's path as reported, or its name.
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    desktop_host_networking: bool = False
    bridge_ips: tuple[str, ...] = ()
    file_sharing: tuple[str, ...] = ()
    schema: bool = True
    schema_path: str | None = None
    profiles: tuple[str, ...] = ("*",)
    environ: dict[str, str] | None = None
    env_files: tuple[Path, ...] | None = None
    project_directory: Path | None = None

    def enabled(self) -> list[Rule]:
        chosen: set[str] = set()
        for selector in self.select:
            chosen |= expand(selector)
        for selector in self.ignore:
            chosen -= expand(selector)
        return [rule for rule in RULES if rule.code in chosen and rule.concerns(self.targets)]

    def settings(self) -> Settings:
        return Settings(self.targets, self.desktop_host_networking, self.bridge_ips, self.file_sharing)


@dataclass(slots=True, eq=False)
class Report:
    """The result of a check: files read, their documents, the findings and the projects."""

    # The files the user asked to check, in order; findings may also point at files they reach (env files...).
    files: list[str]
    documents: dict[str, Document]
    findings: list[Finding]
    targets: frozenset[Target]
    projects: list[Project] = field(default_factory=list)

    def exit_code(self, fail_on: Severity) -> int:
        """0 when nothing is at or above ``fail_on``, else 1 (2 is for errors, decided by the caller)."""
        return 1 if any(f.severity.rank >= fail_on.rank for f in self.findings) else 0


def _ignored_here(path: str, options: Options) -> frozenset[str]:
    codes: set[str] = set()
    posix = PurePosixPath(path.replace("\\", "/"))
    for glob, ignored in options.per_file_ignores:
        if fnmatch.fnmatch(str(posix), glob) or fnmatch.fnmatch(posix.name, glob) or posix.match(glob):
            codes |= ignored
    return frozenset(codes)


class Checker:
    """Checks projects that share one file cache, schema results and suppression bookkeeping."""

    def __init__(self, options: Options, reader: Reader | None = None) -> None:
        self.options = options
        self.rules = options.enabled()
        self.enabled = {rule.code for rule in self.rules}
        self.reader = reader or Reader()
        self.schema: dict[str, list[SchemaProblem]] = {}
        # One finding per rule and place: text shared through an anchor or `extends` is reported once, naming
        # every service that uses it.
        self.findings: dict[tuple[str, str, int, int], Finding] = {}
        self.also: dict[tuple[str, str, int, int], list[str]] = {}
        self.compose_docs: dict[str, Document] = {}
        self.projects: list[Project] = []

    def check(self, files: list[Path]) -> Project:
        opts = self.options
        project = load_project(
            files,
            reader=self.reader,
            project_directory=opts.project_directory,
            environ=opts.environ,
            env_files=list(opts.env_files) if opts.env_files is not None else None,
            profiles=list(opts.profiles),
        )
        self.projects.append(project)
        compose_docs = {path: doc for path, doc in project.documents.items() if path not in project.env_files}
        self.compose_docs.update(compose_docs)
        if opts.schema and "CF002" in self.enabled:
            for path, doc in compose_docs.items():
                if path not in self.schema:
                    self.schema[path] = validate(doc, to_data(doc.root), opts.schema_path) if doc.ok else []
        ctx = Context(project, opts.settings(), {p: self.schema.get(p, []) for p in compose_docs})
        for rule in self.rules:
            if rule.code == UNUSED_SUPPRESSION:
                continue
            for finding in rule.check(ctx):
                key = (finding.code, finding.file, finding.span.start.offset, finding.span.end.offset)
                first = self.findings.setdefault(key, finding)
                if first is not finding and finding.service and finding.service != first.service:
                    others = self.also.setdefault(key, [])
                    if finding.service not in others:
                        others.append(finding.service)
        return project

    def report(self, files: list[str]) -> Report:
        findings: list[Finding] = []
        by_file: dict[str, list[Finding]] = {}
        for key, finding in self.findings.items():
            others = self.also.get(key)
            if others:
                names = ", ".join(f"`{name}`" for name in others[:5]) + (" ..." if len(others) > 5 else "")
                finding = finding._replace(message=f"{finding.message} (the same text also serves {names})")
            by_file.setdefault(finding.file, []).append(finding)
        documents = dict(self.reader.documents)
        asked = set(files)
        for path in sorted(set(by_file) | set(self.compose_docs), key=lambda p: (p not in asked, p)):
            found = by_file.get(path, [])
            ignored = _ignored_here(path, self.options)
            found = [f for f in found if f.code not in ignored]
            doc = documents.get(path)
            if doc is not None and path in self.compose_docs:
                pragmas = suppress.parse(doc)
                found = pragmas.apply(found)
                if UNUSED_SUPPRESSION in self.enabled and UNUSED_SUPPRESSION not in ignored:
                    rule = next(r for r in self.rules if r.code == UNUSED_SUPPRESSION)
                    unused = pragmas.unused(self.enabled - ignored)
                    found += pragmas.apply(list(rule.check(Context.for_unused(path, unused))))
            findings.extend(self._severity(f) for f in found)
        order = {path: index for index, path in enumerate(files)}
        findings.sort(
            key=lambda f: (order.get(f.file, len(order)), f.file, f.span.start.offset, f.span.end.offset, f.code)
        )
        return Report(files, documents, findings, self.options.targets, self.projects)

    def _severity(self, finding: Finding) -> Finding:
        level = self.options.severity.get(finding.code)
        if level is None or level == finding.severity:
            return finding
        return finding._replace(severity=level)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: checking builds trees that stay alive until the report is out, and
    the collector kept walking them (1.06 s of a 2.22 s check of the 943 corpus files in one process; peak
    memory is the same without it, as nearly all garbage is freed by reference counting). Restores the
    collector's state on the way out."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_projects(
    projects: list[list[Path]],
    options: Options,
    reader: Reader | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check each project (a list of files merged in order); the report lists every first file."""
    checker = Checker(options, reader)
    checked: dict[str, None] = {}  # ordered and without repeats, in linear time
    with paused_gc():
        for index, files in enumerate(projects):
            if progress is not None:
                progress(index, len(projects))
            project = checker.check(files)
            checked.update(dict.fromkeys(project.compose_files))
        return checker.report(list(checked))


def check_text(text: str, path: str, options: Options) -> Report:
    """Check one document given as text (tests, stdin)."""
    from composefix.document import parse

    reader = Reader()
    reader.documents[path] = parse(text, path)
    return check_projects([[Path(path)]], options, reader)
