"""Shared test helpers: lint a snippet, summarise findings."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from composefix.engine import Options, check_text
from composefix.model import DEFAULT_TARGETS, Finding, Target

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))


def lint(
    text: str,
    *,
    select: tuple[str, ...] = ("ALL",),
    targets: frozenset[Target] | set[Target] = DEFAULT_TARGETS,
    path: str = "compose.yaml",
    **options: object,
) -> list[Finding]:
    """Findings for a YAML snippet (dedented), with the given rule selection and targets."""
    options.setdefault("environ", {})
    opts = Options(targets=frozenset(targets), select=select, **options)  # type: ignore[arg-type]
    return check_text(textwrap.dedent(text), path, opts).findings


def where(findings: list[Finding]) -> list[tuple[str, int, int]]:
    """(code, line, column) of each finding."""
    return [(f.code, f.line, f.column) for f in findings]


def spans(findings: list[Finding]) -> list[tuple[str, int, int, int, int]]:
    return [(f.code, f.line, f.column, f.span.end.line, f.span.end.column) for f in findings]
