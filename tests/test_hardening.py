"""Bad input, faults and leaks: nothing crashes, nothing is lost, no secret is printed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.fixing import rewrite as rewrite_module
from composefix.fixing.rewrite import RewriteError, write_atomic


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, ["check", *args], input=input)
    assert "Traceback" not in result.output
    return result


def findings(*args: str) -> list[tuple[str, int, int, str]]:
    result = check("--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [(f["code"], f["line"], f["column"], f["message"]) for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [("CF002", 1, 1, "the file is empty: a compose file needs at least a `services` mapping")]),
        (
            b"# only a comment\n# and another\n",
            [("CF002", 1, 1, "the file is empty: a compose file needs at least a `services` mapping")],
        ),
        (b"- a\n- b\n", [("CF002", 1, 1, "`the file` must be a mapping, not a list")]),
        (b"services:\n  - web\n", [("CF002", 2, 3, "`services` must be a mapping, not a list")]),
        (b"services:\n  web:\n", [("CF002", 2, 7, "`services.web` must be a mapping, not empty")]),
        (b"services:\n  web: nginx\n", [("CF002", 2, 8, "`services.web` must be a mapping, not a string")]),
        (b"services:\n  web:\n    image: ng\xe9inx\n", [("CF001", 3, 14, "invalid UTF-8 byte 0xe9 at byte offset 30")]),
        ("services: {}\n".encode("utf-16"), [("CF001", 1, 1, "file is UTF-16 encoded; Compose files must be UTF-8")]),
        (b"services:\x00\x01\x02\xff", [("CF001", 1, 10, "file contains a NUL byte (binary file?)")]),
        (
            b"services:\n\tweb: {}\n",
            [
                (
                    "CF001",
                    2,
                    1,
                    "a tab character where YAML needs spaces (tabs cannot indent YAML) "
                    "(while scanning for the next token)",
                )
            ],
        ),
        (b"services:\n  web:\n    image: !!int nginx\n", [("CF001", 3, 12, "cannot read `nginx` as `!!int`")]),
        (
            b"x: 1\nx: 2\nservices:\n  a:\n    image: i\n    image: j\n    labels: {k: 1, k: 2}\n",
            [
                # A duplicate key no longer hides the file's other findings (the first value is checked).
                ("CF002", 1, 1, 'unknown key "x" at the top level'),
                ("CF003", 2, 1, 'duplicate key "x" (first defined at line 1, column 1)'),
                ("CF003", 6, 5, 'duplicate key "image" (first defined at line 5, column 5)'),
                ("CF003", 7, 20, 'duplicate key "k" (first defined at line 7, column 14)'),
            ],
        ),
    ],
)
def test_bad_files_are_findings(project, content, expected):
    (project / "compose.yaml").write_bytes(content)
    assert findings("compose.yaml") == expected


def test_unknown_tags_are_read_as_compose_does(project):
    (project / "compose.yaml").write_text("services:\n  web:\n    image: !custom nginx\n    labels: !foo {a: b}\n")
    assert findings("compose.yaml") == []


def test_alias_bomb_and_deep_nesting_finish_quickly(project):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    (project / "bomb.yaml").write_text("\n".join(lines) + "\n")
    (project / "deep.yaml").write_text("services: " + "[" * 10_000 + "]" * 10_000 + "\n")
    (project / "deepblock.yaml").write_text("services:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3000)))
    started = time.perf_counter()
    found = findings("bomb.yaml", "deep.yaml", "deepblock.yaml")
    assert time.perf_counter() - started < 20
    codes = {(f[0], f[3].split(" (")[0]) for f in found}
    assert ("CF001", "aliases expand to more than 250,000 nodes") in codes
    assert ("CF001", "nesting is deeper than 100 levels") in codes


def test_one_megabyte_line(project):
    (project / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n    command: " + "x" * 1_000_000 + "\n")
    assert findings("compose.yaml") == []


def test_size_limit_is_configurable(project):
    big = project / "compose.yaml"
    with big.open("w") as handle:
        handle.write("services:\n  web:\n    image: nginx\n")
        handle.write("# " + "x" * 1000 + "\n" * 1)
        handle.write(("#" + " " * 1022 + "\n") * (50 * 1024))  # ~50 MB of comments
    result = check("compose.yaml")
    assert result.exit_code == 2
    assert (
        "compose.yaml: cannot read: file is 52," in result.stderr and "over the 20,971,520-byte limit" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert check("--max-file-size", "60000000", "compose.yaml").exit_code == 0


def test_directory_missing_path_and_symlink_loop(project):
    (project / "a" / "b").mkdir(parents=True)
    (project / "a" / "b" / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (project / "a" / "b" / "loop").symlink_to(project / "a")
    result = check("--format", "json", "a")
    assert json.loads(result.stdout)["files"] == ["a/b/compose.yaml"]
    missing = check("nope")
    assert missing.exit_code == 2 and missing.stderr == "composefix: error: nope: no such file or directory\n"


def test_cycles_env_lines_and_interpolation_errors(project):
    (project / "a.yaml").write_text("include:\n  - b.yaml\nservices:\n  a:\n    image: x\n")
    (project / "b.yaml").write_text(
        "include:\n  - a.yaml\nservices:\n  b:\n    image: x\n    extends: c\n  c:\n    extends: b\n"
    )
    (project / "bad.env").write_text("GOOD=1\nthis line is not a variable\n")
    (project / "compose.yaml").write_text(
        "services:\n  app:\n    image: x\n    env_file: bad.env\n    environment:\n"
        "      A: ${UNCLOSED\n      B: ${X:-\n"
    )
    found = findings("a.yaml", "compose.yaml")
    messages = [f[3] for f in found]
    assert any("`include` cycle" in m for m in messages)
    assert any("`extends` cycle" in m for m in messages)
    assert ("CF001", 2, 1, "env file: line is not `KEY=VALUE`: 'this line is not a variable'") in found
    assert sum("invalid interpolation" in m for m in messages) == 2


def test_invalid_toml_config(project):
    (project / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (project / ".composefix.toml").write_text("targets = [\n")
    result = check()
    assert result.exit_code == 2
    assert result.stderr.startswith("composefix: error: ") and ".composefix.toml: invalid TOML: " in result.stderr


# --- writes --------------------------------------------------------------------------------------------------

FIXABLE = "services:\n  api:\n    image: x\n    environment:\n      CACHE: redis://172.17.0.1:6379\n"


def rewrite(*args: str):
    result = CliRunner().invoke(app, ["rewrite", *args])
    assert "Traceback" not in result.output
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_disk_full_leaves_the_original_and_no_temporary_file(project, monkeypatch):
    (project / "compose.yaml").write_text(FIXABLE)
    before = snapshot(project)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rewrite_module.os, "fsync", full)
    result = rewrite("--in-place")
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr and "nothing was replaced" in result.stderr
    assert snapshot(project) == before


def test_permission_denied_leaves_the_original(project, monkeypatch):
    (project / "compose.yaml").write_text(FIXABLE)
    before = snapshot(project)

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("composefix.reporting.writing._create_exclusive", denied)
    result = rewrite("--in-place", "--no-verify")
    assert result.exit_code == 2 and "Permission denied" in result.stderr
    assert snapshot(project) == before


def test_compose_rejecting_the_result_writes_nothing(project, monkeypatch):
    from composefix.platform import compose_cli

    (project / "compose.yaml").write_text(FIXABLE)
    before = snapshot(project)
    calls = iter([compose_cli.ComposeResult(True, ""), compose_cli.ComposeResult(False, "invalid compose project")])
    monkeypatch.setattr(compose_cli, "config", lambda *args, **kwargs: next(calls))
    result = rewrite("--in-place")
    assert result.exit_code == 2
    assert "Docker Compose rejects the result: invalid compose project; nothing written" in result.stderr
    assert snapshot(project) == before


def test_symlinked_file_is_written_through(project):
    real = project / "real"
    real.mkdir()
    (real / "compose.yaml").write_text(FIXABLE)
    (project / "compose.yaml").symlink_to(real / "compose.yaml")
    assert rewrite("--in-place", "compose.yaml").exit_code == 0
    assert (project / "compose.yaml").is_symlink()
    assert "host.docker.internal" in (real / "compose.yaml").read_text()


def test_concurrent_rewrites_never_corrupt(project):
    (project / "compose.yaml").write_text(FIXABLE)
    command = [sys.executable, "-m", "composefix", "rewrite", "--in-place", "--no-verify", "compose.yaml"]
    results: list[subprocess.CompletedProcess[str]] = []

    def run() -> None:
        results.append(subprocess.run(command, cwd=project, capture_output=True, text=True, check=False))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.returncode in (0, 2) for r in results), [r.stderr for r in results]
    assert all("Traceback" not in r.stderr for r in results)
    text = (project / "compose.yaml").read_text()
    assert text == FIXABLE.replace("172.17.0.1", "host.docker.internal") + (
        '    extra_hosts:\n      - "host.docker.internal:host-gateway"\n'
    )
    assert [p.name for p in project.iterdir() if p.name.startswith(".compose")] == []


def test_write_atomic_keeps_mode(tmp_path):
    path = tmp_path / "compose.yaml"
    path.write_text("a: 1\n")
    os.chmod(path, 0o600)
    write_atomic(path, "a: 2\n", bom=False, expected="a: 1\n")
    assert path.read_text() == "a: 2\n" and path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(RewriteError):
        write_atomic(path, "a: 3\n", bom=False, expected="a: 1\n")


# --- secrets and reads ----------------------------------------------------------------------------------------

SECRETS = ["Pw-Secret-1", "Tok-Secret-2", "Sec-Secret-3", "Key-Secret-4"]


def test_secrets_never_reach_any_output(project):
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    image: x\n    network_mode: host\n    environment:\n"
        f"      DATABASE_URL: postgres://u:{SECRETS[0]}@172.17.0.1:5432/db\n"
        f"      API_TOKEN: {SECRETS[1]}  # composefix: ignore=CF999\n"
        f"      CLIENT_SECRET: {SECRETS[2]}\n      AWS_ACCESS_KEY: {SECRETS[3]}\n"
        f"      DB_PASSWORD: [{SECRETS[0]}]\n"
    )
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = check("--format", fmt)
        assert result.exit_code == 1
        for secret in SECRETS:
            assert secret not in result.output, (fmt, secret)
    result = rewrite("--diff", "--no-verify")
    for secret in SECRETS[1:]:
        assert secret not in result.stdout.split("+++", 1)[0]


def test_check_never_writes_and_never_fetches(project, monkeypatch):
    (project / "compose.yaml").write_text(
        "include:\n  - https://example.com/compose.yaml\nservices:\n  api:\n    image: x\n    network_mode: host\n"
        "    env_file: ../outside.env\n"
    )
    (project.parent / "outside.env").write_text("A=1\n")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("composefix opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    before = snapshot(project)
    mtimes = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    result = check("-v", "--format", "json")
    assert snapshot(project) == before and {p: p.stat().st_mtime_ns for p in project.rglob("*")} == mtimes
    codes = [(f["code"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert any(code == "CF004" and "https:" in message for code, message in codes)
    assert "outside.env (outside the project folder)" in result.stderr
