"""Answers about folders that are shared between the folders of a run are those of each folder alone."""

from __future__ import annotations

import os
from pathlib import Path

from composefix.rules import runner as engine


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


def test_real_paths_are_those_of_os_path_realpath(tmp_path: Path, monkeypatch) -> None:
    """`project.real_path` resolves a file through its folder's cached real path: the same answers as
    `os.path.realpath` for links to files and folders, `..` after a link, dangling links and missing files."""
    from composefix.reading.files import _real_folder, _real_path, real_path

    _real_path.cache_clear()
    _real_folder.cache_clear()
    base = tmp_path / "base"
    (base / "a" / "b").mkdir(parents=True)
    (base / "a" / "b" / "compose.yaml").write_text("services: {}\n")
    (base / "link-to-b").symlink_to(base / "a" / "b")
    (base / "a" / "b" / "file-link.yaml").symlink_to("compose.yaml")
    (base / "a" / "b" / "up.yaml").symlink_to("../b/compose.yaml")
    (base / "dangling.yaml").symlink_to("nowhere/compose.yaml")
    (base / "loop.yaml").symlink_to("loop.yaml")
    monkeypatch.chdir(base)
    paths = [
        "a/b/compose.yaml",
        "link-to-b/compose.yaml",
        "link-to-b/../compose.yaml",
        "link-to-b/file-link.yaml",
        "a/b/up.yaml",
        "dangling.yaml",
        "loop.yaml",
        "missing/compose.yaml",
        "a/b/",
        "a/b/.",
        "link-to-b/..",
        str(base / "link-to-b" / "compose.yaml"),
        ".",
    ]
    for path in paths:
        assert _real_path(path, os.getcwd()) == os.path.realpath(path), path
    assert real_path(Path("link-to-b/file-link.yaml")) == str((base / "a" / "b" / "compose.yaml").resolve())
