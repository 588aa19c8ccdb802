"""SARIF 2.1.0 for code scanning: rules from the registry with their docs, results with regions and fixes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from composefix import __version__
from composefix.model import Finding, Severity, Span
from composefix.reporting.safe import SafeReport
from composefix.rules import RULES

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
DOCS_URI = "https://github.com/composefix/composefix/blob/main/docs/rules.md"


def _uri(path: str) -> str:
    """A relative URI (forward slashes, percent-encoded) for a path below the current folder."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(Path.cwd().resolve())
        except (ValueError, RuntimeError):  # outside the current folder, or a symlink loop (found by fuzzing)
            return candidate.as_uri()
    return "/".join(part.replace("%", "%25").replace(" ", "%20") for part in candidate.as_posix().split("/"))


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": max(span.end.column, span.start.column + 1)
        if span.end.line == span.start.line
        else span.end.column,
    }


def _location(file: str, span: Span) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"},
            "region": _region(span),
        }
    }


def _result(finding: Finding, index: dict[str, int], report: SafeReport) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message + (f" Help: {finding.help}" if finding.help else "")},
        "locations": [_location(finding.file, finding.span)],
    }
    if finding.related:
        result["relatedLocations"] = [
            {**_location(r.file, r.span), "id": i, "message": {"text": r.message}}
            for i, r in enumerate(finding.related)
        ]
    if finding.fix is not None and finding.fix.edits:
        changes: dict[str, list[dict[str, Any]]] = {}
        for edit in finding.fix.edits:
            if edit.file not in report.sources:
                continue
            changes.setdefault(edit.file, []).append(
                {
                    "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start},
                    "insertedContent": {"text": edit.text},
                }
            )
        if changes:
            result["fixes"] = [
                {
                    "description": {"text": f"{finding.fix.title} ({finding.fix.applicability.value} fix)"},
                    "artifactChanges": [
                        {"artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"}, "replacements": items}
                        for file, items in changes.items()
                    ],
                }
            ]
    return result


def report_dict(report: SafeReport) -> dict[str, Any]:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {
                "text": rule.doc.split("## Why is this bad?")[0].replace("## What it does", "").strip()
            },
            "help": {"text": rule.doc.strip(), "markdown": rule.doc.strip()},
            "helpUri": f"{DOCS_URI}#{rule.code.lower()}-{rule.name}",
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"tags": sorted(t.value for t in rule.targets)},
        }
        for rule in RULES
    ]
    index = {rule.code: i for i, rule in enumerate(RULES)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "composefix",
                        "version": __version__,
                        "informationUri": "https://github.com/composefix/composefix",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}} for path in report.files],
                "results": [_result(f, index, report) for f in report.findings],
            }
        ],
    }


def render(report: SafeReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
