"""Golden tests: each example's override file, in-place result and diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from tests.helpers import ROOT

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))


def copy(example: str, tmp_path: Path) -> Path:
    folder = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, folder, ignore=shutil.ignore_patterns("expected*"))
    return folder


def compare(actual: str, expected: Path, update: bool) -> None:
    if update:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_override_file(example, tmp_path, monkeypatch, update_golden):
    folder = copy(example, tmp_path)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["rewrite", "compose.yaml"])
    assert result.exit_code == 0, result.output
    expected = ROOT / "examples" / example / "expected-rewrite" / "compose.desktop.yaml"
    written = folder / "compose.desktop.yaml"
    if example == "clean":
        assert not written.exists()
        assert "nothing to fix" in result.output
        return
    compare(written.read_text(encoding="utf-8"), expected, update_golden)
    again = CliRunner().invoke(app, ["rewrite", "compose.yaml"])
    assert "compose.desktop.yaml: already up to date" in again.output


@pytest.mark.parametrize("example", EXAMPLES)
def test_in_place(example, tmp_path, monkeypatch, update_golden):
    folder = copy(example, tmp_path)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["rewrite", "--in-place", "--unsafe-fixes", "compose.yaml"])
    assert result.exit_code == 0, result.output
    compare(
        (folder / "compose.yaml").read_text(encoding="utf-8"),
        ROOT / "examples" / example / "expected-in-place" / "compose.yaml",
        update_golden,
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_diff_writes_nothing(example, tmp_path, monkeypatch, update_golden):
    folder = copy(example, tmp_path)
    monkeypatch.chdir(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    # --show-secrets: the golden diff is the one `git apply` takes (by default --diff masks secrets)
    result = CliRunner().invoke(app, ["rewrite", "--diff", "--show-secrets", "compose.yaml"])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    diff = "".join(line + "\n" for line in result.stdout.splitlines() if line[:1] in ("-", "+", "@", " ", "\\"))
    assert result.exit_code == 0, result.output  # as without --diff: every finding of the examples can be fixed
    compare(diff, ROOT / "examples" / example / "expected.diff", update_golden)
