"""Rule documentation as Markdown (the source of docs/rules.md)."""

from __future__ import annotations

import re

from composefix.model import Target, describe_targets
from composefix.rules.base import Rule

# A rule docstring cites the platform facts as `docs/platforms.md#<section>` (a path from the repository root, as
# `composefix rules CODE` prints it); in docs/rules.md, beside platforms.md, it becomes a link.
_PLATFORMS = re.compile(r"\bdocs/platforms\.md(#[a-z0-9-]+)")


def _shift_headings(doc: str) -> str:
    return "\n".join("#" + line if line.startswith("## ") else line for line in doc.strip().splitlines())


def _link_platforms(doc: str) -> str:
    return _PLATFORMS.sub(r"[docs/platforms.md\1](platforms.md\1)", doc)


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
        parts.append(_link_platforms(_shift_headings(rule.doc)))
    return "\n".join(parts) + "\n"
