"""Docs as tests: each rule's docstring has the sections, its Example triggers it, its Use instead does not."""

from __future__ import annotations

import re

import pytest

from composefix.cli import app
from composefix.model import Applicability, Target
from composefix.reporting.rulesdoc import markdown
from composefix.rules import BY_CODE, RULES
from tests.helpers import ROOT, lint

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Platforms")
ALL = frozenset(Target)


def block(doc: str, heading: str) -> str:
    section = doc.split(heading, 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, f"no yaml block under {heading}"
    return match.group(1)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_docstring_has_the_sections_in_order(rule):
    positions = [rule.doc.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions), [s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_example_triggers_the_rule_and_use_instead_does_not(rule):
    selection = (rule.code,) if rule.code != "CF900" else ("ALL",)
    bad = lint(block(rule.doc, "## Example"), select=selection, targets=ALL)
    assert rule.code in {f.code for f in bad}
    good = lint(block(rule.doc, "## Use instead"), select=selection, targets=ALL)
    assert rule.code not in {f.code for f in good}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_fixable_rules_document_their_fix_safety(rule):
    if rule.fixable is not None:
        section = rule.doc.split("## Fix safety", 1)[1].split("## Platforms", 1)[0]
        assert section.strip().startswith("Unsafe" if rule.fixable is Applicability.UNSAFE else "Safe")
        assert rule.doc.index("## Use instead") < rule.doc.index("## Fix safety") < rule.doc.index("## Platforms")
    else:
        assert "## Fix safety" not in rule.doc


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_use_instead_is_clean_for_every_rule(rule):
    good = lint(block(rule.doc, "## Use instead"), targets=ALL)
    assert [f.code for f in good if f.code not in ("CF101",)] == []


def test_docs_rules_md_is_current():
    expected = markdown(list(RULES))
    path = ROOT / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == expected, "run: composefix rules --format markdown > docs/rules.md"


def test_rules_cli_markdown_matches(monkeypatch):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["rules", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout == markdown(list(RULES))


# CF900's fix removes a comment, in place only (its docs say so; override mode reports it unfixed).
FIX_MODES = [(rule, mode) for rule in RULES if rule.fixable for mode in ("in-place", "override")]
FIX_MODES.remove((BY_CODE["CF900"], "override"))


@pytest.mark.parametrize(("rule", "mode"), FIX_MODES, ids=lambda x: x if isinstance(x, str) else x.code)
def test_applying_the_documented_fix_clears_the_example(rule, mode, tmp_path):
    """The rewrite of the docstring's Example (every rule, every target, unsafe fixes allowed) leaves no finding
    of the rule: in place (the patched file) and in override mode (the file with the override)."""
    from pathlib import Path

    from composefix.fixing.rewrite import rewrite, write
    from composefix.rules.runner import Options, check_projects

    in_place = mode == "in-place"
    path = tmp_path / "compose.yaml"
    path.write_text(block(rule.doc, "## Example"), encoding="utf-8")
    options = Options(targets=ALL, environ={})
    outcome = rewrite(
        [path], options, in_place=in_place, output=None, unsafe=True, publish={}, force=False, compose=None
    )
    assert rule.code in {f.code for f, _ in outcome.fixed}, outcome.unfixed
    write(outcome)
    overrides = [tmp_path / "compose.override.yaml", tmp_path / "compose.desktop.yaml"]
    files = [path] if in_place else [path, *(f for f in overrides if f.exists())]
    after = check_projects([[Path(f) for f in files]], options).findings
    assert rule.code not in {f.code for f in after}
