"""The scorer itself (`python -m tests.accuracy`), on a small labelled folder written here: any folder laid out
like the corpus can be scored, with no manifest.tsv."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.accuracy import main, score

COMPOSE = """\
services:
  web:
    image: example/web
    network_mode: host
    environment:
      DATABASE_URL: postgres://app@localhost:5432/app
  api:
    image: example/api
    environment:
      SITE_URL: http://localhost:8080
      MODE: production
      HINT: localhost:9999
      LEVEL: debug
      CACHE_URL: redis://localhost:7000
    healthcheck:
      test: curl -f http://localhost:8080/health
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = tmp_path / "acme__shop" / "deploy"
    project.mkdir(parents=True)
    (project / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    entry = {
        "file": "acme__shop/deploy/compose.yaml",
        "services": ["web", "api"],
        "labels": [
            {"kind": "host_network", "service": "web", "line": 4},
            {"kind": "loopback_to_host", "service": "web", "line": 6, "target": "host", "in_host_mode": True},
            # A label no finding meets: the site URL is handed to browsers, composefix stays silent there.
            {"kind": "loopback_to_host", "service": "api", "line": 10, "target": "host"},
            {"kind": "loopback_to_host", "service": "api", "line": 12, "target": "unknown", "confidence": "low"},
        ],
        "must_not_flag": [{"service": "api", "line": 16, "why": "healthcheck"}],
    }
    (tmp_path / "labels.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    assert not (tmp_path / "manifest.tsv").exists()
    return tmp_path


def test_scores_a_folder_without_a_manifest(folder: Path) -> None:
    result = score(folder)
    assert result.files == 1
    host = result.kinds["host_network"]
    assert (host.tp, host.fp, host.fn, host.found) == (1, 0, 0, 1)
    loopback = result.kinds["loopback_to_host"]
    # web's DSN: right (warning); api's redis URL: a warning nobody labelled; api's site URL: missed;
    # the low-confidence label on line 12 is neither right nor wrong.
    assert (loopback.tp, loopback.fp, loopback.fn, loopback.found) == (1, 1, 1, 1)
    assert (loopback.precision, loopback.recall) == (0.5, 0.5)
    assert [(place[1], place[3], severity) for place, severity, _ in result.false_positives] == [
        ("acme__shop/deploy/compose.yaml", 14, "warning")
    ]
    assert [(place[3], text) for place, text in result.false_negatives] == [(10, "")]
    assert result.overall.must_not == 0


def test_command_line_takes_the_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(folder), "--show", "FN"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("1 labelled compose files;")
    assert "loopback_to_host             CF103   0.500  0.500    1    1    1     1" in out
    assert "  acme__shop/deploy/compose.yaml:10 [CF103] (acme__shop/deploy/compose.yaml) " in out


def test_a_folder_without_labels_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"no labelled corpus at {tmp_path} (labels.jsonl not found): give --corpus or set COMPOSEFIX_CORPUS\n"
    )
