"""Rule documentation as Markdown (the source of docs/rules.md)."""

from __future__ import annotations

from composefix.model import Target, describe_targets
from composefix.rules.base import Rule


def _shift_headings(doc: str) -> str:
    return "\n".join("#" + line if line.startswith("## ") else line for line in doc.strip().splitlines())


def markdown(rules: list[Rule]) -> str:
    parts = [
        "# composefix rules",
        "",
        "Generated from the rule docstrings by `composefix rules --format markdown`; a test keeps it current.",
        "",
        "| code | name | default severity | concerns | summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        summary = rule.summary.replace("|", "\\|")
        parts.append(
            f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | {rule.severity.value} | "
            f"{'every engine' if rule.targets == frozenset(Target) else describe_targets(rule.targets)} | {summary} |"
        )
    for rule in rules:
        parts += [
            "",
            f"## {rule.code} {rule.name}",
            "",
            f"*{rule.summary}.* Default severity: {rule.severity.value}.",
            "",
        ]
        parts.append(_shift_headings(rule.doc))
    return "\n".join(parts) + "\n"
