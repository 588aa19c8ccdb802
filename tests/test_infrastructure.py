"""The test suite's own plumbing: where the corpus comes from, and CI refusing to run without it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.helpers import ROOT, corpus_problem


def test_a_missing_corpus_is_skipped_unless_it_was_named(tmp_path: Path):
    assert corpus_problem(tmp_path, explicit=False) == (
        "skip",
        f"no corpus at {tmp_path} (set COMPOSEFIX_CORPUS to a corpus folder to run the corpus tests)",
    )
    assert corpus_problem(tmp_path, explicit=True) == ("fail", f"COMPOSEFIX_CORPUS={tmp_path} has no manifest.tsv")
    (tmp_path / "manifest.tsv").write_text("id\tkind\tlocal_path\n", encoding="utf-8")
    assert corpus_problem(tmp_path, explicit=False) is None
    assert corpus_problem(tmp_path, explicit=True) is None


def test_ci_fails_loudly_without_the_corpus_beside_the_checkout(tmp_path: Path):
    """.ci/run checks for ../shared/corpus before anything else (no engine, no venv is touched)."""
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", checkout / ".ci" / "run")
    result = subprocess.run(
        ["bash", str(checkout / ".ci" / "run")], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 1
    assert result.stderr == f"CI needs the real-world corpus at {tmp_path}/shared/corpus (manifest.tsv not found)\n"
    assert result.stdout == ""
    assert sorted(p.name for p in checkout.iterdir()) == [".ci"]  # no venv made, nothing installed
