"""Issue 15, the output side: what composefix writes, prints and waits for when a hostile repository (or engine)
points it somewhere. Every test here writes only inside its own temp folder."""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.masking import clean, escape, mask

FORMATS = ("text", "json", "sarif", "github", "junit")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


# --- B. masking: one place, every message --------------------------------------------------------------------


def test_a_secret_quoted_by_an_error_is_masked_in_every_format(folder: Path) -> None:
    (folder / "compose.yaml").write_text("services:\n  db:\n    environment:\n      DB_PASSWORD: !!int hunter2\n")
    for fmt in FORMATS:
        code, out, err = run("check", "--format", fmt, ".")
        assert code == 1, fmt
        assert "CF001" in out, fmt
        assert "hunter2" not in out + err, fmt
    _, text, _ = run("check", ".")
    expected = "compose.yaml:4:20: CF001 [error] cannot read `****` as `!!int`\n 4 |       DB_PASSWORD: !!int ****\n"
    assert expected in text


def test_masking_keeps_interpolation_syntax() -> None:
    required = "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Set POSTGRES_PASSWORD in .env}"
    assert mask(required) == required
    assert mask("X: ${DB_PASSWORD:-hunter2}") == "X: ${DB_PASSWORD:-****}"
    assert mask("DB_PASSWORD: ${DB_PASSWORD}") == "DB_PASSWORD: ${DB_PASSWORD}"
    assert mask("DB_PASSWORD=$FROM_ENV") == "DB_PASSWORD=$FROM_ENV"
    assert mask("postgres://u:${PW}@db/x") == "postgres://u:${PW}@db/x"


def test_the_required_variable_message_is_printed_whole(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres\n    environment:\n"
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Set POSTGRES_PASSWORD in .env}\n"
    )
    _, out, _ = run("check", ".")
    assert " 5 |       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Set POSTGRES_PASSWORD in .env}\n" in out


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgres://u:p/a@ss@db:5432/x", "postgres://u:****@db:5432/x"),
        ("redis://:s3cr:et@cache/0", "redis://:****@cache/0"),
        ("mysql -u root -phunter3 -h db", "mysql -u root -p**** -h db"),
        ('["psql", "--password", "X9secret", "-h", "db"]', '["psql", "--password", "****", "-h", "db"]'),
        ("app --token tok123 --verbose", "app --token **** --verbose"),
        ("app --api-key=k3y --db-password 'two words'", "app --api-key=**** --db-password '****'"),
        ('{"password": "my pass word"}', '{"password": "****"}'),
    ],
)
def test_urls_with_any_password_and_password_flags_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "mkdir -p /data && ssh -p22 host",  # -p is a password only for a MySQL client
        "http://localhost:8080/path http://user@host:80",
        "COMPASS=north BYPASS_PROXY=1",
        "rewrite --diff --show-secrets",
        "SECRET_KEY=",
    ],
)
def test_masking_leaves_what_is_not_a_secret(text: str) -> None:
    assert mask(text) == text


def test_masking_is_linear() -> None:
    """A 64k-character run took 4 s per call (quadratic backtracking); now each case grows linearly."""
    shapes = ["a", "PASSWORD", "a://", "x:", "-p", "${", "A_KEY ", ":// ", "http://a:@"]
    for shape in shapes:
        timings = []
        for size in (16_000, 128_000):
            text = shape * (size // len(shape))
            start = time.perf_counter()
            mask(text)
            timings.append(time.perf_counter() - start)
        assert timings[1] < 1.0, shape
        assert timings[1] < 8 * timings[0] * 4 + 0.05, (shape, timings)  # x8 input: ~x8 time, never x64


def test_diff_masks_secrets_unless_asked(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        "services:\n  api:\n    image: x\n    environment:\n"
        "      DB: postgres://u:Hunter2pw@172.17.0.1:5432/db\n      API_TOKEN: tok-12345\n"
    )
    code, out, _ = run("rewrite", "--diff", "--no-verify", ".")
    assert code == 1
    assert '+      DB: "postgres://u:****@host.docker.internal:5432/db"\n' in out
    assert "Hunter2pw" not in out
    code, shown, _ = run("rewrite", "--diff", "--no-verify", "--show-secrets", ".")
    assert code == 1
    assert '+      DB: "postgres://u:Hunter2pw@host.docker.internal:5432/db"\n' in shown


def test_a_file_reached_outside_the_project_is_never_quoted(tmp_path: Path, folder: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine github.com login bot password ghp_abcdefSECRET\n")
    (folder / "compose.yaml").write_text(f"services:\n  a:\n    extends:\n      file: {netrc}\n      service: a\n")
    for fmt in FORMATS:
        _, out, err = run("check", "--format", fmt, ".")
        assert "ghp_abcdefSECRET" not in out + err, fmt
        assert "login bot" not in out + err, fmt
    _, out, _ = run("check", ".")
    assert f"{netrc}:1:1:" in out  # the location and the problem are reported


# --- B. control characters -------------------------------------------------------------------------------------


def test_escape_shows_control_characters() -> None:
    assert escape("a\x1b[2Jb\nc\u202ed\ud800\t") == "a\\x1b[2Jb\\nc\\u202ed\\ud800\\t"
    assert clean("x\x1b]0;title\x07 DB_PASSWORD=hunter2") == "x\\x1b]0;title\\x07 DB_PASSWORD=****"


def test_escape_sequences_in_names_are_never_printed_raw(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        'services:\n  "evil\\e]0;pwned\\a\\e[2J":\n    image: x\n    network_mode: host\n'
        "    environment:\n      U: http://localhost:80\n"
    )
    for fmt in FORMATS:
        _, out, err = run("check", "--format", fmt, ".")
        assert "CF101" in out, fmt
        assert "\x1b" not in out + err, fmt
        assert "\x07" not in out + err, fmt
    _, out, _ = run("check", ".")
    assert "Service `evil\\x1b]0;pwned\\x07\\x1b[2J` uses `network_mode: host`" in out


def test_a_folder_name_cannot_forge_a_finding_line(folder: Path) -> None:
    forged = folder / "nl\ncompose.yaml:1:1: CF000 [error] fake"
    forged.mkdir()
    (forged / "compose.yaml").write_text("services:\n  a:\n    image: x\n    network_mode: host\n")
    for fmt in ("text", "github"):
        _, out, _ = run("check", "--format", fmt, ".")
        assert "CF101" in out
        assert not any(line.startswith("compose.yaml:1:1: CF000") for line in out.splitlines()), fmt
        assert "CF000" not in "".join(line for line in out.splitlines() if not line.startswith(("nl\\n", "::"))), fmt


def test_control_characters_keep_junit_well_formed_and_json_printable(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        'services:\n  "a\\x01\\x0b\\ud800b":\n    image: x\n    network_mode: host\n'
        "    environment:\n      U: http://localhost:80\n"
    )
    code, out, _ = run("check", "--format", "junit", ".")
    assert code == 1
    suites = ET.fromstring(out)
    messages = [f.get("message", "") for f in suites.iter("failure")]
    assert any("a\\x01\\x0b" in m for m in messages)
    code, out, _ = run("check", "--format", "json", ".")
    json.loads(out)
    out.encode("utf-8")  # no lone surrogate reaches the output


# --- helpers for the write and verify tests ---------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() and not p.is_symlink() else b"<link>"
        for p in sorted(root.rglob("*"))
        if not p.is_dir() or p.is_symlink()
    }


UNPORTABLE = "services:\n  api:\n    image: x\n    environment:\n      DB: postgres://u:p@172.17.0.1:5432/db\n"


def _env_without_docker(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PATH": str(tmp_path)}
