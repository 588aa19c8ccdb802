"""The JSON report validates against schemas/report.schema.json."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from composefix.cli import app
from composefix.resources import load_schema
from tests.helpers import ROOT


def test_real_output_validates(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["check", "--format", "json", "examples"])
    report = json.loads(result.stdout)
    schema = load_schema("report.schema.json")
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(report))
    assert errors == []
    assert report["summary"]["findings"] == len(report["findings"]) > 0
    assert report["files"] == sorted(report["files"])


def test_config_schema_is_a_valid_schema():
    Draft202012Validator.check_schema(load_schema("config.schema.json"))
