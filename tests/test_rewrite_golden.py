"""Golden tests: each example's override file, in-place result and diff."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from tests.differential import compose_binary
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
    names = ("compose.override.yaml", "compose.desktop.yaml")  # every machine loads the first; VM-backed ones both
    written = [name for name in names if (folder / name).exists()]
    if example == "clean":
        assert written == []
        assert "nothing to fix" in result.output
        return
    expected = ROOT / "examples" / example / "expected-rewrite"
    if update_golden:
        for stale in set(names) - set(written):
            (expected / stale).unlink(missing_ok=True)
    for name in written:
        compare((folder / name).read_text(encoding="utf-8"), expected / name, update_golden)
    assert written == [name for name in names if (expected / name).exists()]
    for count in range(1, len(written) + 1):  # a Linux machine, then a VM-backed one
        command = [str(compose_binary()), "-f", "compose.yaml"]
        for name in written[:count]:
            command += ["-f", name]
        checked = subprocess.run([*command, "config", "-q"], cwd=folder, capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
    again = CliRunner().invoke(app, ["rewrite", "compose.yaml"])
    assert f"{', '.join(written)}: already up to date" in again.output


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
