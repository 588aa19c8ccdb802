"""Human-readable output: `file:line:col: CODE [severity] message`, a source frame with carets, a help line."""

from __future__ import annotations

from collections import Counter

from composefix.model import Finding, Severity
from composefix.reporting.formats import RenderOptions
from composefix.reporting.safe import SafeReport, Source

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _frame(source: Source, finding: Finding, color: bool) -> list[str]:
    line = finding.span.start.line
    start = finding.span.start.column - 1
    end = finding.span.end.column - 1 if finding.span.end.line == line else None
    shown_line = source.line(line, start, end)
    shown, start, end = shown_line.text, shown_line.start, shown_line.end
    width = max(1, end - start)
    gutter = " " * len(str(line))
    carets = _paint("^" * width, _COLORS[finding.severity], color)
    frame = [f" {line} | {shown}", f" {gutter} | {' ' * start}{carets}"]
    if finding.help:
        frame.append(f" {gutter} = help: {finding.help}")
    frame.append(f" {gutter} = see: composefix rules {finding.code}")
    return frame


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def statistics(report: SafeReport) -> str:
    """Counts per rule, most frequent first (`--statistics`)."""
    counts = Counter((f.code, f.name) for f in report.findings)
    width = len(str(max(counts.values(), default=0)))
    rows = [f"{n:>{width}}  {code}  {name}" for (code, name), n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]
    return "".join(row + "\n" for row in rows)


def render(report: SafeReport, options: RenderOptions) -> str:
    if options.statistics:
        return statistics(report)
    lines: list[str] = []
    for finding in report.findings:
        severity = _paint(finding.severity.value, _COLORS[finding.severity], options.color)
        code = _paint(finding.code, "1", options.color)
        lines.append(f"{finding.file}:{finding.line}:{finding.column}: {code} [{severity}] {finding.message}")
        if options.show_source:
            source = report.sources.get(finding.file)
            if source is not None:
                lines.extend(_frame(source, finding, options.color))
            elif finding.help:
                lines.append(f"  = help: {finding.help}")
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
