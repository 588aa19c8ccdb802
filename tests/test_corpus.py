"""The real-world corpus ($COMPOSEFIX_CORPUS, or ../shared/corpus; skipped when there is none): no crash, sane
positions, CF101 complete."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from tests.helpers import CORPUS, require_corpus

pytestmark = pytest.mark.slow


def compose_rows() -> list[dict[str, str]]:
    with (require_corpus() / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["kind"] == "compose"]


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory):
    rows = compose_rows()
    assert rows, "the corpus manifest lists no compose file"
    out = tmp_path_factory.mktemp("corpus") / "report.json"
    paths = [str(CORPUS / row["local_path"]) for row in rows]
    result = CliRunner().invoke(app, ["check", "--format", "json", "-o", str(out), *paths])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return rows, json.loads(out.read_text(encoding="utf-8"))


def test_every_file_checked(corpus_report):
    rows, report = corpus_report
    assert sorted(report["files"]) == sorted(str(CORPUS / row["local_path"]) for row in rows)
    assert report["summary"]["files"] == len(rows)


def test_every_position_is_inside_its_file(corpus_report):
    _, report = corpus_report
    lines: dict[str, list[str]] = {}
    for finding in report["findings"]:
        if finding["file"] not in lines:
            with open(finding["file"], encoding="utf-8", errors="replace", newline="") as handle:
                lines[finding["file"]] = handle.read().splitlines()
        text = lines[finding["file"]]
        assert 1 <= finding["line"] <= max(len(text), 1), finding
        assert finding["line"] <= finding["end_line"] <= max(len(text), 1), finding
        line = text[finding["line"] - 1] if text else ""
        assert 1 <= finding["column"] <= len(line) + 1, finding


def test_cf101_reports_every_host_mode_file(corpus_report):
    rows, report = corpus_report
    tagged = {str(CORPUS / r["local_path"]) for r in rows if "host_mode" in r["tags"].split(",")}
    flagged = {f["file"] for f in report["findings"] if f["code"] == "CF101"}
    assert flagged == tagged


def test_files_compose_accepts_have_no_parse_or_schema_error(corpus_report):
    rows, report = corpus_report
    accepted = {str(CORPUS / r["local_path"]) for r in rows if r["compose_ok"] == "yes"}
    rejected_by_us = {f["file"] for f in report["findings"] if f["code"] in ("CF001", "CF002", "CF003")}
    assert rejected_by_us & accepted == set()


def test_jobs_two_gives_the_same_report(corpus_report, tmp_path):
    rows, report = corpus_report
    out = tmp_path / "two.json"
    paths = [str(CORPUS / row["local_path"]) for row in rows]
    result = CliRunner().invoke(app, ["check", "--jobs", "2", "--format", "json", "-o", str(out), *paths])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(out.read_text(encoding="utf-8")) == report
