"""Golden tests: `composefix check` on each example matches its expected text and JSON output."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from tests.helpers import ROOT

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))
FORMATS = {
    "text": "expected-check.txt",
    "json": "expected-check.json",
    "sarif": "expected-check.sarif",
    "github": "expected-check.github",
    "junit": "expected-check.junit.xml",
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
        if fmt == "sarif":  # keep the machine's folder out of the repository
            data = json.loads(text)
            data["runs"][0]["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file:///project/"}}
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        expected_file.write_text(text, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    if fmt == "json":
        actual = json.loads(result.stdout)
        actual["tool"]["version"] = json.loads(expected)["tool"]["version"]
        assert actual == json.loads(expected)
    elif fmt == "sarif":
        actual, wanted = json.loads(result.stdout), json.loads(expected)
        for doc in (actual, wanted):  # the absolute base folder and the version depend on the machine
            doc["runs"][0]["originalUriBaseIds"] = {}
            doc["runs"][0]["tool"]["driver"]["version"] = ""
        assert actual == wanted
    else:
        assert result.stdout == expected
    assert result.exit_code == (0 if example == "clean" else 1)
