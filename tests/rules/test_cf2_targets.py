"""Every CF2xx rule is silent when none of the chosen targets is an engine it concerns, and fires on its
Example for at least one of them."""

from __future__ import annotations

import re

import pytest

from composefix.model import Target
from composefix.rules import RULES
from tests.helpers import lint
from tests.test_rule_docs import block

CF2 = [rule for rule in RULES if rule.code.startswith("CF2")]


def test_the_family_is_registered():
    assert [rule.code for rule in CF2] == [f"CF2{n:02d}" for n in range(1, 11)]


@pytest.mark.parametrize("rule", CF2, ids=lambda r: r.code)
def test_silent_without_its_engines_and_firing_with_one_of_them(rule):
    example = block(rule.doc, "## Example")
    others = frozenset(Target) - rule.targets
    if others:
        assert lint(example, select=(rule.code,), targets=others) == []
    fired = {t for t in rule.targets if lint(example, select=(rule.code,), targets={t})}
    assert fired, rule.code


@pytest.mark.parametrize("rule", CF2, ids=lambda r: r.code)
def test_each_cites_its_platform_facts(rule):
    assert re.search(r"docs/platforms\.md#[a-z0-9-]+", rule.doc), rule.code
