"""Shared test helpers: lint a snippet, summarise findings, find the real-world corpus."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from composefix.model import DEFAULT_TARGETS, Finding, Target
from composefix.rules.runner import Options, check_text

if TYPE_CHECKING:
    from composefix.fixing.rewrite import Outcome
    from composefix.fixing.survival import Survival

ROOT = Path(__file__).resolve().parent.parent
# The real-world corpus (compose files listed in manifest.tsv) is not part of the repository. It is found at
# $COMPOSEFIX_CORPUS, else at ../shared/corpus beside the clone; .ci/run always sets the variable.
CORPUS_VARIABLE = "COMPOSEFIX_CORPUS"
CORPUS = Path(os.environ.get(CORPUS_VARIABLE, ROOT.parent / "shared" / "corpus"))


def corpus_problem(corpus: Path, explicit: bool) -> tuple[str, str] | None:
    """None when ``corpus`` holds a manifest; else ("skip" or "fail", reason). A corpus named explicitly
    (through the variable) that is missing is an error: only an absent, unnamed corpus is skipped."""
    if (corpus / "manifest.tsv").is_file():
        return None
    if explicit:
        return "fail", f"{CORPUS_VARIABLE}={corpus} has no manifest.tsv"
    return "skip", f"no corpus at {corpus} (set {CORPUS_VARIABLE} to a corpus folder to run the corpus tests)"


def require_corpus() -> Path:
    """The corpus folder; skips the calling test when there is none (fails when $COMPOSEFIX_CORPUS names a
    folder without a manifest)."""
    problem = corpus_problem(CORPUS, CORPUS_VARIABLE in os.environ)
    if problem is not None:
        kind, reason = problem
        if kind == "fail":
            pytest.fail(reason)
        pytest.skip(reason)
    return CORPUS


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


def survival_of(
    outcome: Outcome, files: list[Path], texts: Mapping[str, str], options: Options, *, in_place: bool
) -> Survival:
    """What a rewrite's written ``texts`` keep of the original's connections, loaded as each target loads them
    (the check the rewrite makes itself, done again independently of it)."""
    from composefix.fixing.survival import compare, loaded

    project = outcome.plan.project
    rewritten = loaded(
        project,
        files,
        texts,
        options,
        in_place=in_place,
        portable=outcome.portable_file,
        desktop=outcome.desktop_file,
    )
    return compare(project, rewritten, options)
