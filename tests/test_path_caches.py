"""Answers about folders that are shared between the folders of a run are those of each folder alone."""

from __future__ import annotations

import os
from pathlib import Path

from composefix import engine


def plain_repository_root(folder: str) -> str | None:
    here = folder
    while True:
        parent = os.path.dirname(here)
        if parent == here:
            return None
        if os.path.lexists(os.path.join(here, ".git")):
            return here
        here = parent


def test_repository_roots_shared_between_folders_are_each_folders_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "_REPOSITORY_ROOTS", {})
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "sub").mkdir()
    (tmp_path / "repo" / "sub" / ".git").write_text("gitdir: ../.git/modules/sub\n")  # a submodule
    folders = ["repo/a/b/c", "repo/a/d", "repo/sub/x/y", "repo/sub", "repo", "plain/e/f", "plain/e", "repo/a"]
    for name in folders:
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
    real = [str((tmp_path / name).resolve()) for name in folders]
    alone = [plain_repository_root(folder) for folder in real]
    repo, sub = str((tmp_path / "repo").resolve()), str((tmp_path / "repo" / "sub").resolve())
    assert alone[:5] == [repo, repo, sub, sub, repo]
    assert [engine._repository_root(folder) for folder in real] == alone
    # Answered from what the first pass recorded (a `.git` added since is not seen: the answers hold for one run).
    (tmp_path / "repo" / "a" / ".git").mkdir()
    assert [engine._repository_root(folder) for folder in real] == alone
    assert engine._REPOSITORY_ROOTS[str((tmp_path / "repo" / "a" / "b").resolve())] == repo
