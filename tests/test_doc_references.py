"""Every reference in the README, docs/, the rule docs and the code resolves inside the repository: links to
files exist, `docs/platforms.md#section` names a section of docs/platforms.md, and nothing points at files a
user of the project does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from composefix.rules import RULES
from tests.helpers import ROOT

DOCS = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "schemas").glob("*.md")),
]
CODE = sorted((ROOT / "composefix").rglob("*.py"))


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text."""
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", markdown, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


PLATFORMS = anchors((ROOT / "docs" / "platforms.md").read_text(encoding="utf-8"))


def test_anchors_follow_github():
    assert anchors("# A `b` c\n## The docker0 bridge address\n### Host networking per engine\n") == {
        "a-b-c",
        "the-docker0-bridge-address",
        "host-networking-per-engine",
    }
    assert {"host-networking-per-engine", "the-host-gateway-value", "minimum-compose-versions"} <= PLATFORMS


@pytest.mark.parametrize("path", DOCS + CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_outside_the_repository(path: Path):
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"shared/docs|design §|platform-facts|\.\./shared", text) == []


@pytest.mark.parametrize("path", DOCS + CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_platform_sections_exist(path: Path):
    text = path.read_text(encoding="utf-8")
    cited = set(re.findall(r"docs/platforms\.md#([a-z0-9-]+)", text))
    if path.parent.name == "docs":
        cited |= set(re.findall(r"\]\(platforms\.md#([a-z0-9-]+)\)", text))
        if path.name == "platforms.md":
            cited |= set(re.findall(r"\]\(#([a-z0-9-]+)\)", text))
    assert sorted(cited - PLATFORMS) == []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_at_files(path: Path):
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"


@pytest.mark.parametrize("rule", [r for r in RULES if r.code[2] == "1"], ids=lambda r: r.code)
def test_platform_rules_cite_the_platform_facts(rule):
    """The CF1xx rules rest on platform behaviour: each cites its section of docs/platforms.md."""
    assert re.search(r"docs/platforms\.md#[a-z0-9-]+", rule.doc), rule.code
