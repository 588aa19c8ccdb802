"""Run the enabled rules over documents; apply severities, per-file ignores and inline suppressions."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from composefix import suppress
from composefix.document import Document, to_data
from composefix.model import DEFAULT_TARGETS, Finding, Severity, Target
from composefix.project import project_file
from composefix.rules import RULES, expand
from composefix.rules.base import Context, Rule, Settings
from composefix.schema import validate

UNUSED_SUPPRESSION = "CF900"


@dataclass(frozen=True, slots=True)
class Options:
    targets: frozenset[Target] = DEFAULT_TARGETS
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    # (glob, codes): globs match the file's path as reported, or its name.
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    desktop_host_networking: bool = False
    bridge_ips: tuple[str, ...] = ()
    schema: bool = True
    schema_path: str | None = None

    def enabled(self) -> list[Rule]:
        chosen: set[str] = set()
        for selector in self.select:
            chosen |= expand(selector)
        for selector in self.ignore:
            chosen -= expand(selector)
        return [rule for rule in RULES if rule.code in chosen and rule.concerns(self.targets)]

    def settings(self) -> Settings:
        return Settings(self.targets, self.desktop_host_networking, self.bridge_ips)


@dataclass(slots=True)
class FileResult:
    doc: Document
    findings: list[Finding]

    @property
    def path(self) -> str:
        return self.doc.path


@dataclass(slots=True)
class Report:
    files: list[FileResult]
    targets: frozenset[Target]

    @property
    def findings(self) -> list[Finding]:
        return [f for result in self.files for f in result.findings]

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


def check_document(doc: Document, options: Options, rules: list[Rule] | None = None) -> FileResult:
    """All findings for one parsed document."""
    rules = options.enabled() if rules is None else rules
    enabled = {rule.code for rule in rules}
    ctx = Context(project_file(doc), options.settings())
    if doc.ok and options.schema and "CF002" in enabled:
        ctx.schema_problems = validate(doc, to_data(doc.root), options.schema_path)
    findings: list[Finding] = []
    for rule in rules:
        if rule.code == UNUSED_SUPPRESSION:
            continue
        if not doc.ok and rule.code not in ("CF001", "CF003"):
            continue  # Compose refuses the file: nothing else is worth saying until it parses
        findings.extend(rule.check(ctx))
    ignored = _ignored_here(doc.path, options)
    findings = [f for f in findings if f.code not in ignored]
    pragmas = suppress.parse(doc)
    findings = pragmas.apply(findings)
    if UNUSED_SUPPRESSION in enabled and UNUSED_SUPPRESSION not in ignored:
        ctx.unused_suppressions = pragmas.unused(enabled - ignored)
        unused_rule = next(rule for rule in rules if rule.code == UNUSED_SUPPRESSION)
        findings.extend(pragmas.apply(list(unused_rule.check(ctx))))
    findings = [_with_severity(f, options) for f in findings]
    findings.sort(key=Finding.sort_key)
    return FileResult(doc, findings)


def _with_severity(finding: Finding, options: Options) -> Finding:
    level = options.severity.get(finding.code)
    if level is None or level == finding.severity:
        return finding
    from dataclasses import replace

    return replace(finding, severity=level)


def check_documents(docs: list[Document], options: Options) -> Report:
    rules = options.enabled()
    return Report([check_document(doc, options, rules) for doc in docs], options.targets)
