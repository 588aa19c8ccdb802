"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding."""

from __future__ import annotations

from composefix.model import Severity
from composefix.reporting.safe import SafeReport

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message part: `%`, CR and LF are escaped (actions/toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also `:` and `,` (actions/toolkit `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: SafeReport) -> str:
    lines = []
    for f in report.findings:
        properties = ",".join(
            f"{key}={escape_property(str(value))}"
            for key, value in (
                ("file", f.file),
                ("line", f.span.start.line),
                ("col", f.span.start.column),
                ("endLine", f.span.end.line),
                ("endColumn", f.span.end.column),
                ("title", f"{f.code} {f.name}"),
            )
        )
        message = f.message + (f"\n{f.help}" if f.help else "")
        lines.append(f"::{COMMANDS[f.severity]} {properties}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)
