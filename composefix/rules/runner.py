"""Run the enabled rules over projects; apply severities, per-file ignores and inline suppressions."""

from __future__ import annotations

import fnmatch
import gc
import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from composefix.model import DEFAULT_TARGETS, Finding, Fix, Position, Severity, Span, Target
from composefix.reading.document import Document, Kind, to_data
from composefix.reading.document import Mapping as YamlMapping
from composefix.reading.files import Reader, real_path
from composefix.reading.loader import load_project
from composefix.reading.project import Project, ProjectProblem
from composefix.reading.schema import SchemaProblem, validate
from composefix.rules import RULES, expand, suppress
from composefix.rules.base import Context, Rule, Settings


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
    # Fix inputs (rewrite): ports to publish per service, local images' EXPOSE ports by image reference.
    publish: Mapping[str, tuple[int, ...]] = {}
    image_ports: Mapping[str, tuple[int, ...]] = {}

    def enabled(self) -> list[Rule]:
        chosen: set[str] = set()
        for selector in self.select:
            chosen |= expand(selector)
        for selector in self.ignore:
            chosen -= expand(selector)
        return [rule for rule in RULES if rule.code in chosen and rule.concerns(self.targets)]

    def settings(self) -> Settings:
        return Settings(
            self.targets,
            self.desktop_host_networking,
            self.bridge_ips,
            self.publish,
            self.image_ports,
            self.file_sharing,
        )


@dataclass(slots=True, eq=False)
class Report:
    """The result of a check: files read, their documents, the findings and the projects."""

    # The files the user asked to check, in order; findings may also point at files they reach (env files...).
    files: list[str]
    documents: dict[str, Document]
    findings: list[Finding]
    targets: frozenset[Target]
    projects: list[Project] = field(default_factory=list)
    # The secret values of a document's text, as composefix.masking.ordered_secrets gives them (longest first, the
    # order the report is masked with), worked out where the text was read: `--jobs` workers send them with the
    # texts, so the process printing the report does not scan every file again. Only check_parallel fills it, with
    # the documents it builds from the same texts; a document missing here is scanned when the report is masked.
    secrets: dict[str, list[str]] = field(default_factory=dict)

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
        # Ordered and without repeats (a dict used as a set): thousands of services sharing one anchor stay linear.
        self.also: dict[tuple[str, str, int, int], dict[str, None]] = {}
        self.more_fixes: dict[tuple[str, str, int, int], list[Fix]] = {}
        self.compose_docs: dict[str, Document] = {}
        self.projects: list[Project] = []
        # Files whose contents are never shown (why, by path): read outside the project folder, or reached through
        # a reference and not a compose file. Their findings say where and what, not which text.
        self.private: dict[str, str] = {}

    def check(self, files: list[Path]) -> Project:
        try:
            return self._check(files, None)
        except RecursionError:
            # The reader's limits keep every step well inside the recursion limit; should one still be reached,
            # the file gets a finding and the run goes on.
            return self._check(files, "the file is nested too deeply to check")

    def _check(self, files: list[Path], failure: str | None) -> Project:
        opts = self.options
        if failure is None:
            project = load_project(
                files,
                reader=self.reader,
                project_directory=opts.project_directory,
                environ=opts.environ,
                env_files=list(opts.env_files) if opts.env_files is not None else None,
                profiles=list(opts.profiles),
            )
        else:
            project = Project(name="", directory=files[0].parent, compose_files=[str(files[0])])
            start = Position(1, 1, 0)
            project.problems.append(ProjectProblem(Kind.SYNTAX, str(files[0]), Span(start, start), failure))
        self.projects.append(project)
        compose_docs = {path: doc for path, doc in project.documents.items() if path not in project.env_files}
        self.compose_docs.update(compose_docs)
        self._find_private(project, compose_docs)
        if opts.schema and any(rule.uses_schema for rule in self.rules):
            for path, doc in compose_docs.items():
                if path not in self.schema:
                    self.schema[path] = validate(doc, to_data(doc.root), opts.schema_path) if doc.readable else []
        ctx = Context(project, opts.settings(), {p: self.schema.get(p, []) for p in compose_docs})
        for rule in self.rules:
            if rule.after_suppressions:
                continue
            for finding in rule.check(ctx):
                key = (finding.code, finding.file, finding.span.start.offset, finding.span.end.offset)
                first = self.findings.setdefault(key, finding)
                if first is not finding and finding.fix is not None:
                    # The same text, fixed for another service that uses it (added once, at the report: thousands
                    # of services sharing one anchor stay linear).
                    if first.fix is None:
                        self.findings[key] = first = first._replace(fix=finding.fix)
                    else:
                        self.more_fixes.setdefault(key, []).append(finding.fix)
                if first is not finding and finding.service and finding.service != first.service:
                    self.also.setdefault(key, {})[finding.service] = None
        return project

    def _find_private(self, project: Project, compose_docs: dict[str, Document]) -> None:
        """Inside means below the project folder or the repository (the nearest folder with `.git`) holding it."""
        roots = [real_path(project.directory)]
        repository = _repository_root(roots[0])
        if repository is not None:
            roots.append(repository)
        asked = set(project.compose_files)
        for path, doc in project.documents.items():
            real = real_path(Path(path))
            if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
                self.private.setdefault(path, "outside the project folder")
            elif path in compose_docs and path not in asked and not isinstance(doc.root, YamlMapping):
                self.private.setdefault(path, "not a compose file")

    def _hide(self, finding: Finding) -> Finding:
        """A finding on a private file: where and which rule, never the file's text."""
        why = self.private[finding.file]
        rule = next((r for r in RULES if r.code == finding.code), None)
        summary = rule.summary if rule is not None else "problem"
        message = f"{summary} (details not shown: the file is {why})"
        return finding._replace(message=message, help=None, path="", related=(), fix=None)

    def report(self, files: list[str]) -> Report:
        findings: list[Finding] = []
        by_file: dict[str, list[Finding]] = {}
        for key, finding in self.findings.items():
            extra = self.more_fixes.get(key)
            if extra and finding.fix is not None:
                finding = finding._replace(fix=_with_fixes(finding.fix, extra))
            others = self.also.get(key)
            if others:
                first = list(itertools.islice(others, 5))
                names = ", ".join(f"`{name}`" for name in first) + (" ..." if len(others) > 5 else "")
                finding = finding._replace(message=f"{finding.message} (the same text also serves {names})")
            if finding.file in self.private:
                finding = self._hide(finding)
            by_file.setdefault(finding.file, []).append(finding)
        documents = {path: doc for path, doc in self.reader.documents.items() if path not in self.private}
        asked = set(files)
        for path in sorted(set(by_file) | set(self.compose_docs), key=lambda p: (p not in asked, p)):
            found = by_file.get(path, [])
            ignored = _ignored_here(path, self.options)
            found = [f for f in found if f.code not in ignored]
            doc = documents.get(path)
            if doc is not None and path in self.compose_docs:
                pragmas = suppress.parse(doc)
                found = pragmas.apply(found)
                for rule in self.rules:
                    if rule.after_suppressions and rule.code not in ignored:
                        unused = pragmas.unused(self.enabled - ignored)
                        found += pragmas.apply(list(rule.check(Context.for_unused(path, unused, doc))))
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


def _with_fixes(fix: Fix, others: list[Fix]) -> Fix:
    """``fix`` with ``others`` added as `Fix.merged` adds them one by one (each distinct fix once, never ``fix``
    itself), in linear time."""
    try:
        unique = dict.fromkeys((*fix.also, *others))
    except TypeError:  # a fix that cannot be hashed: one by one
        for other in others:
            fix = fix.merged(other)
        return fix
    unique.pop(fix, None)
    return fix._replace(also=tuple(unique))


# folder -> the answer of `_repository_root` (bounded: cleared when full).
_REPOSITORY_ROOTS: dict[str, str | None] = {}


def _repository_root(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` that holds `.git` (never the filesystem root).

    Every folder on the way keeps the answer, so that sibling folders share their parents' (the corpus's ~770
    folders looked at ~4,000 `.git` paths one by one before; ~900 this way)."""
    looked: list[str] = []
    here = folder
    while True:
        if here in _REPOSITORY_ROOTS:
            found = _REPOSITORY_ROOTS[here]
            break
        parent = os.path.dirname(here)
        if parent == here:
            found = None
            break
        looked.append(here)
        if os.path.lexists(os.path.join(here, ".git")):
            found = here
            break
        here = parent
    if len(_REPOSITORY_ROOTS) + len(looked) > 16384:
        _REPOSITORY_ROOTS.clear()
    _REPOSITORY_ROOTS.update(dict.fromkeys(looked, found))
    return found


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
    from composefix.reading.document import parse

    reader = Reader()
    reader.documents[path] = parse(text, path)
    return check_projects([[Path(path)]], options, reader)
