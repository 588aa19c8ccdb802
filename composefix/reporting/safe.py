"""Reports made safe to print: every reporter receives a `SafeReport` (built by `safe_report`), never a raw
`Report`; the lines of a source file it may show are masked and escaped (composefix.masking says how)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from composefix.masking import (
    CONTROL,
    MASK,
    clean,
    escape,
    escaped,
    mask,
    ordered_secrets,
    secret_spans,
    without_values,
)

if TYPE_CHECKING:
    from composefix.model import Finding, Fix, Target
    from composefix.reading.document import Document
    from composefix.rules.runner import Report


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One source line as it may be printed, with the finding's 0-based [start, end) columns moved to match."""

    text: str
    start: int
    end: int


@dataclass(slots=True, eq=False)
class Source:
    """A file whose lines may be shown (inside the project, or named by the user)."""

    path: str
    document: Document
    # line number -> (the line, its masked and escaped spans): many findings on one long line scan it once.
    _lines: dict[int, tuple[str, list[tuple[int, int, str]]]] = field(default_factory=dict)

    def line(self, number: int, start: int, end: int | None) -> SourceLine:
        """Line ``number`` (1-based), masked, tabs as spaces and control characters escaped, and the columns
        [start, end) of a finding on it (end None: to the end of the line) moved to where they are shown."""
        if number not in self._lines:
            raw = self.document.line_text(number).replace("\t", " ")
            spans = [(s, e, MASK) for s, e in secret_spans(raw)]
            spans += [(m.start(), m.end(), escaped(m)) for m in CONTROL.finditer(raw)]
            spans.sort(key=lambda span: (span[0], -span[1]))
            self._lines[number] = raw, spans
        raw, spans = self._lines[number]
        end = max(len(raw) if end is None else end, start + 1)
        parts: list[str] = []
        last = 0
        shown_start, shown_end = start, end
        for s_start, s_end, replacement in spans:
            if s_start < last:
                continue  # a control character inside a masked secret
            parts += [raw[last:s_start], replacement]
            last = s_end
            delta = len(replacement) - (s_end - s_start)
            if s_end <= start:
                shown_start, shown_end = shown_start + delta, shown_end + delta
            elif s_start < end:
                shown_end = max(shown_start + 1, shown_end + delta)
        parts.append(raw[last:])
        return SourceLine("".join(parts), shown_start, shown_end)


@dataclass(slots=True, eq=False)
class SafeReport:
    """What the reporters see: a Report whose every string is masked and escaped, and the sources they may quote."""

    files: list[str]
    findings: list[Finding]
    targets: frozenset[Target]
    sources: dict[str, Source]


def safe_report(report: Report) -> SafeReport:
    """The report made safe to print.

    - Messages, help texts and related notes are masked, and so is any secret value of the finding's file quoted
      in them (`cannot read `hunter2` as `!!int``, schema errors), then every string is escaped.
    - Source lines are offered for the documents the report holds (files reached outside the project, such as
      `extends: {file: ~/.netrc}`, are not among them: they are reported by location, never quoted).
    """
    # The report holds no document of a private file (outside the project and its repository, or not a compose
    # file: engine.Checker hides them), so every document here may be quoted.
    sources = {path: Source(escape(path), doc) for path, doc in report.documents.items() if doc.text}
    values: dict[str, list[str]] = {}

    def known(path: str) -> list[str]:
        if path not in values:
            doc = report.documents.get(path)
            if path in report.secrets:
                values[path] = report.secrets[path]
            else:
                values[path] = ordered_secrets(doc.text) if doc is not None else []
        return values[path]

    def text(value: str, path: str) -> str:
        return escape(without_values(mask(value), known(path)))

    def printable_fix(f: Finding) -> Fix | None:
        """The fix with its edits, or None when an edit's text would print a secret (a fix is not masked: masked,
        it would write `****` into the file)."""
        if f.fix is None:
            return None
        for edit in f.fix.edits:
            if secret_spans(edit.text) or without_values(edit.text, known(edit.file)) != edit.text:
                return None
        edits = tuple(e._replace(file=escape(e.file)) for e in f.fix.edits if e.file in sources)
        return f.fix._replace(title=clean(f.fix.title), edits=edits)

    findings = []
    for f in report.findings:
        findings.append(
            f._replace(
                message=text(f.message, f.file),
                help=text(f.help, f.file) if f.help else f.help,
                file=escape(f.file),
                path=escape(f.path),
                service=escape(f.service) if f.service is not None else None,
                related=tuple(r._replace(file=escape(r.file), message=text(r.message, r.file)) for r in f.related),
                fix=printable_fix(f),
            )
        )
    return SafeReport(
        files=[escape(path) for path in report.files],
        findings=findings,
        targets=report.targets,
        sources={escape(path): source for path, source in sources.items()},
    )
