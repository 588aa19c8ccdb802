"""Human-readable output: `file:line:col: CODE [severity] message`, a source frame with carets, a help line."""

from __future__ import annotations

from collections import Counter

from composefix.addresses import MASK, mask, secret_spans
from composefix.engine import Report
from composefix.model import Finding, Severity
from composefix.report import RenderOptions

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _masked(text: str, start: int, end: int) -> tuple[str, int, int]:
    """``text`` with its secrets masked, and the 0-based [start, end) columns moved to match."""
    for s_start, s_end in reversed(secret_spans(text)):
        text = text[:s_start] + MASK + text[s_end:]
        delta = len(MASK) - (s_end - s_start)
        if s_end <= start:
            start, end = start + delta, end + delta
        elif s_start < end:
            end = max(start + 1, end + delta)
    return text, start, end


def _frame(report_line: str, finding: Finding, color: bool) -> list[str]:
    line = finding.span.start.line
    start = finding.span.start.column - 1
    end = finding.span.end.column - 1 if finding.span.end.line == line else len(report_line)
    shown, start, end = _masked(report_line.replace("\t", " "), start, max(end, start + 1))
    width = max(1, end - start)
    gutter = " " * len(str(line))
    carets = _paint("^" * width, _COLORS[finding.severity], color)
    frame = [f" {line} | {shown}", f" {gutter} | {' ' * start}{carets}"]
    if finding.help:
        frame.append(f" {gutter} = help: {mask(finding.help)}")
    frame.append(f" {gutter} = see: composefix rules {finding.code}")
    return frame


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def statistics(report: Report) -> str:
    """Counts per rule, most frequent first (`--statistics`)."""
    counts = Counter((f.code, f.name) for f in report.findings)
    width = len(str(max(counts.values(), default=0)))
    rows = [f"{n:>{width}}  {code}  {name}" for (code, name), n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]
    return "".join(row + "\n" for row in rows)


def render(report: Report, options: RenderOptions) -> str:
    if options.statistics:
        return statistics(report)
    lines: list[str] = []
    for finding in report.findings:
        severity = _paint(finding.severity.value, _COLORS[finding.severity], options.color)
        code = _paint(finding.code, "1", options.color)
        lines.append(f"{finding.file}:{finding.line}:{finding.column}: {code} [{severity}] {mask(finding.message)}")
        if options.show_source:
            doc = report.documents.get(finding.file)
            if doc is not None and doc.text:
                lines.extend(_frame(doc.line_text(finding.line), finding, options.color))
            elif finding.help:
                lines.append(f"  = help: {mask(finding.help)}")
            lines.append("")
    if not options.summary:
        return "".join(line + "\n" for line in lines if line)
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
