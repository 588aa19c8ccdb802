"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against a scratch git repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from composefix.reading.document import parse, to_data
from tests.helpers import ROOT

HOOKS = to_data(parse((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"), ".pre-commit-hooks.yaml").root)

MATCH = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.prod.yml",
    "deploy/staging/compose.yaml",
    "a/b/docker-compose.dev.yml",
    "docker-compose-dev.yml",
    "docker-compose-macos.yml",
    "compose-prod.yaml",
    "a/b/compose-ci.yml",
]
NO_MATCH = [
    "values.yaml",
    "my-compose.yaml",
    "compose.json",
    "docker-compose.yml.template",
    "kompose.yaml",
    "composer.yaml",
    "docker-composer.yml",
    "compose-.yaml",
    "compose.yaml/README.md",
    "compose.desktop.yaml",
    "x/compose.desktop.yaml",
    "compose.gpu.yaml",
    "x/compose.gpu.yml",
]


def test_hooks_are_declared():
    assert [h["id"] for h in HOOKS] == ["composefix", "composefix-rewrite"]
    assert all(h["language"] == "python" for h in HOOKS)
    assert HOOKS[0]["entry"] == "composefix check"
    assert HOOKS[1]["entry"].startswith("composefix rewrite --in-place")


@pytest.mark.parametrize("name", MATCH)
def test_files_pattern_matches_compose_files_in_any_folder(name):
    for hook in HOOKS:
        assert re.search(hook["files"], name) and not re.search(hook["exclude"], name)


@pytest.mark.parametrize("name", NO_MATCH)
def test_files_pattern_matches_nothing_else(name):
    for hook in HOOKS:
        assert not re.search(hook["files"], name) or re.search(hook["exclude"], name)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.slow
def test_real_pre_commit_runs_both_hooks(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    (repo / "good").mkdir()
    (repo / "good" / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (repo / "bad").mkdir()
    bad = repo / "bad" / "docker-compose.yml"
    bad.write_text("services:\n  api:\n    image: x\n    environment:\n      CACHE: redis://172.17.0.1:6379\n")
    git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    def try_repo(hook: str, *files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    good = try_repo("composefix", "good/compose.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    failing = try_repo("composefix", "good/compose.yaml", "bad/docker-compose.yml")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "bad/docker-compose.yml:5:22: CF105" in failing.stdout
    fixed = try_repo("composefix-rewrite", "bad/docker-compose.yml")
    assert fixed.returncode == 1  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in fixed.stdout
    assert bad.read_text() == (
        "services:\n  api:\n    image: x\n    environment:\n      CACHE: redis://host.docker.internal:6379\n"
        '    extra_hosts:\n      - "host.docker.internal:host-gateway"\n'
    )
    git(repo, "add", ".")
    again = try_repo("composefix", "good/compose.yaml", "bad/docker-compose.yml")
    assert again.returncode == 0, again.stdout + again.stderr
