"""Human-readable output: `file:line:col: CODE [severity] message`, a source frame with carets, a help line."""

from __future__ import annotations

from collections import Counter

from composefix.addresses import mask
from composefix.engine import Report
from composefix.model import Finding, Severity
from composefix.report import RenderOptions

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _frame(report_line: str, finding: Finding, color: bool) -> list[str]:
    line = finding.span.start.line
    shown = mask(report_line.replace("\t", " "))
    start = finding.span.start.column
    if finding.span.end.line == line:
        width = max(1, finding.span.end.column - start)
    else:
        width = max(1, len(report_line) - start + 1)
    gutter = " " * len(str(line))
    carets = _paint("^" * width, _COLORS[finding.severity], color)
    frame = [f" {line} | {shown}", f" {gutter} | {' ' * (start - 1)}{carets}"]
    if finding.help:
        frame.append(f" {gutter} = help: {mask(finding.help)}")
    return frame


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(report: Report, options: RenderOptions) -> str:
    lines: list[str] = []
    for result in report.files:
        for finding in result.findings:
            severity = _paint(finding.severity.value, _COLORS[finding.severity], options.color)
            code = _paint(finding.code, "1", options.color)
            lines.append(
                f"{finding.file}:{finding.line}:{finding.column}: {code} [{severity}] {mask(finding.message)}"
            )
            if options.show_source:
                source = result.doc.line_text(finding.line) if finding.file == result.doc.path else ""
                if source or result.doc.text:
                    lines.extend(_frame(source, finding, options.color))
                elif finding.help:
                    lines.append(f"  = help: {mask(finding.help)}")
                lines.append("")
    findings = report.findings
    files = len(report.files)
    if not findings:
        lines.append(f"No findings in {_plural(files, 'file')}.")
    else:
        counts = Counter(f.severity for f in findings)
        parts = [_plural(counts[s], s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
        with_findings = len({f.file for f in findings})
        lines.append(
            f"{_plural(len(findings), 'finding')} in {_plural(with_findings, 'file')} "
            f"({', '.join(parts)}); {_plural(files, 'file')} checked."
        )
    return "\n".join(lines) + "\n"
