"""Configuration: discovery upward, validation with file and line, effect on checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from composefix.app.config import ConfigError, find_config, load_config
from composefix.model import Severity, Target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_table_is_found_upward_and_read(tmp_path):
    write(tmp_path / ".git" / "HEAD", "")
    cfg_path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.composefix]\ntargets = ["linux", "colima"]\nignore = ["CF110"]\n'
        'fail-on = "error"\n\n[tool.composefix.severity]\nCF101 = "error"\nbridge-network-mode = "info"\n',
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg_path
    cfg = load_config(cfg_path)
    assert cfg.targets == frozenset({Target.LINUX, Target.COLIMA})
    assert cfg.ignore == ("CF110",)
    assert cfg.fail_on == Severity.ERROR
    assert cfg.severity == {"CF101": Severity.ERROR, "CF110": Severity.INFO}


def test_pyproject_without_table_is_skipped_and_search_stops_at_repo_root(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.composefix]\n")
    repo = tmp_path / "repo"
    write(repo / ".git" / "HEAD", "")
    write(repo / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(repo) is None


def test_dot_composefix_toml_wins_in_the_same_folder(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.composefix]\n")
    dot = write(tmp_path / ".composefix.toml", 'targets = ["desktop"]\n')
    assert find_config(tmp_path) == dot
    assert load_config(dot).targets == frozenset({Target.DESKTOP})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('targets = ["linux"]\nfail_on = "error"\n', ":2: unknown key `fail_on` (did you mean `fail-on`?)"),
        ('target = ["linux"]\n', ":1: unknown key `target` (did you mean `targets`?)"),
        ("[per-file-ignore]\n", ":1: unknown key `per-file-ignore` (did you mean `per-file-ignores`?)"),
        ("Inspect_Images = true\n", ":1: unknown key `Inspect_Images` (did you mean `inspect-images`?)"),
        ("colour = true\n", ":1: unknown key `colour`; the known keys are: "),
        ('targets = ["linux", "mac"]\n', ":1: `targets.1`: 'mac' is not one of"),
        ('select = ["CF1O1"]\n', ":1: unknown rule `CF1O1` (did you mean CF101?)"),
        ('\n[severity]\nCF101 = "fatal"\n', ":3: `severity.CF101`: 'fatal' is not one of"),
        ("targets = [\n", ": invalid TOML: "),
    ],
)
def test_invalid_config_names_file_and_line(tmp_path, text, message):
    path = write(tmp_path / ".composefix.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_pyproject_error_line_points_into_the_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.composefix]\nbogus = 1\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml:5: unknown key `bogus`"):
        load_config(path)


def test_answers_shared_between_paths_are_those_of_each_path_alone(tmp_path):
    """`find_config(start, known)`: a run with many paths looks at each folder once, and still gets each path's own
    answer (the nearest configuration of its own ancestry, the search stopping at its repository root)."""
    write(tmp_path / "pyproject.toml", "[tool.composefix]\n")
    repo = tmp_path / "repo"
    write(repo / ".git" / "HEAD", "")
    root_cfg = write(repo / "pyproject.toml", '[tool.composefix]\ntargets = ["linux"]\n')
    own = write(repo / "c" / ".composefix.toml", 'targets = ["desktop"]\n')
    for folder in ("a/b", "c/d/e", "plain"):
        (repo / folder).mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "x"
    outside.mkdir(parents=True)
    starts = [repo / "c" / "d" / "e", repo / "a" / "b", repo / "c", repo / "a", repo, repo / "plain", outside]
    alone = [find_config(start) for start in starts]
    assert alone == [own, root_cfg, own, root_cfg, root_cfg, root_cfg, tmp_path / "pyproject.toml"]
    known: dict[str, Path | None] = {}
    assert [find_config(start, known) for start in starts] == alone
    # Every folder on the way was recorded once with its answer; nothing above a repository root was looked at.
    assert known[str(repo / "c" / "d")] == own
    assert known[str(repo / "a")] == root_cfg
    assert known[str(tmp_path / "elsewhere")] == tmp_path / "pyproject.toml"
    assert known[str(tmp_path)] == tmp_path / "pyproject.toml"
    # A second pass answers from what was recorded, without looking at the files again.
    (repo / "c" / ".composefix.toml").unlink()
    assert [find_config(start, known) for start in starts] == alone
