"""Machine-readable output, versioned and described by schemas/report.schema.json."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from composefix import __version__
from composefix.model import Finding, Severity, Target
from composefix.reporting.safe import SafeReport

REPORT_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": finding.file,
        "line": finding.span.start.line,
        "column": finding.span.start.column,
        "end_line": finding.span.end.line,
        "end_column": finding.span.end.column,
        "path": finding.path,
        "service": finding.service,
        "help": finding.help if finding.help else None,
        "fix": (
            {
                "title": finding.fix.title,
                "applicability": finding.fix.applicability.value,
                "edits": [{"file": e.file, "start": e.start, "end": e.end, "text": e.text} for e in finding.fix.edits],
            }
            if finding.fix is not None
            else None
        ),
        "related": [
            {
                "file": r.file,
                "line": r.span.start.line,
                "column": r.span.start.column,
                "message": r.message,
            }
            for r in finding.related
        ],
    }


def report_dict(report: SafeReport) -> dict[str, Any]:
    findings = report.findings
    by_severity = Counter(f.severity.value for f in findings)
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "composefix", "version": __version__},
        "targets": [t.value for t in Target if t in report.targets],
        "files": list(report.files),
        "summary": {
            "files": len(report.files),
            "findings": len(findings),
            "by_severity": {s.value: by_severity.get(s.value, 0) for s in Severity},
            "by_code": dict(sorted(Counter(f.code for f in findings).items())),
        },
        "findings": [finding_dict(f) for f in findings],
    }


def render(report: SafeReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
