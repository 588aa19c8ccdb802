"""JUnit XML: one testcase per file checked, one failure per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from composefix.model import Finding
from composefix.reporting.safe import SafeReport


def render(report: SafeReport) -> str:
    files = list(report.files) + sorted({f.file for f in report.findings} - set(report.files))
    by_file: dict[str, list[Finding]] = {path: [] for path in files}
    for finding in report.findings:
        by_file[finding.file].append(finding)
    failures = sum(len(items) for items in by_file.values())
    suites = ET.Element("testsuites", name="composefix", tests=str(len(files)), failures=str(failures), errors="0")
    suite = ET.SubElement(
        suites, "testsuite", name="composefix", tests=str(len(files)), failures=str(failures), errors="0", skipped="0"
    )
    for path in files:
        case = ET.SubElement(suite, "testcase", classname="composefix", name=path, file=path)
        for f in by_file[path]:
            failure = ET.SubElement(
                case,
                "failure",
                type=f"{f.code} {f.name}",
                message=f.message,
            )
            failure.text = f"{f.file}:{f.line}:{f.column}: {f.code} [{f.severity.value}] {f.message}" + (
                f"\nhelp: {f.help}" if f.help else ""
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
