"""Fuzzing: arbitrary bytes and text, and mutated compose documents, through parsing, checking and rewriting.

CI runs a bounded number of examples. A longer run: COMPOSEFIX_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composefix.fixing.rewrite import RewriteError, rewrite
from composefix.reading.document import load, parse
from composefix.reading.files import Reader
from composefix.rules.runner import Options, check_projects
from tests.helpers import ROOT

EXAMPLES = int(os.environ.get("COMPOSEFIX_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
OPTIONS = Options(environ={}, schema=True)

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*/compose.yaml"))] + [
    "x-env: &env\n  URL: http://localhost:8000\nservices:\n  a:\n    image: x\n    environment:\n      <<: *env\n"
    "    network_mode: host\n  b:\n    network_mode: service:a\n    ports: ['80:80']\n",
    "services:\n  web: {image: nginx, ports: [8080:80], extra_hosts: {h: 172.17.0.1}}\n"
    "  db:\n    image: postgres\n    environment: [PGHOST=localhost, 'X=${A:-127.0.0.1}']\n",
]
TOKENS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ": ",
    "- ",
    "&a ",
    "*a",
    "<<: *a",
    "!reset ",
    "!override ",
    "${",
    "${A:-",
    "}",
    "\t",
    "\n",
    "\r\n",
    "'",
    '"',
    "#",
    "localhost:5432",
    "172.17.0.1",
    "host.docker.internal",
    "\\",
    "\x00",
    "network_mode: host\n",
    "    ",
    "\ufeff",
    "é",
    "%",
]


def check_text(text: str) -> None:
    reader = Reader()
    reader.documents["compose.yaml"] = parse(text, "compose.yaml")
    check_projects([[Path("compose.yaml")]], OPTIONS, reader)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data):
    reader = Reader()
    reader.documents["compose.yaml"] = load(data, "compose.yaml")
    check_projects([[Path("compose.yaml")]], OPTIONS, reader)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(text):
    check_text(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "swap"]))
        lines = text.splitlines(keepends=True)
        if kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif kind == "delete" and text:
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif kind == "duplicate" and lines:
            at = draw(st.integers(0, len(lines) - 1))
            text = "".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])
        elif kind == "swap" and len(lines) > 1:
            at = draw(st.integers(0, len(lines) - 2))
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
            text = "".join(lines)
    return text


@FUZZ
@given(mutated())
def test_mutated_documents_check_and_rewrite(text):
    check_text(text)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "compose.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        for in_place in (False, True):
            try:
                outcome = rewrite(
                    [path], OPTIONS, in_place=in_place, output=None, unsafe=True, publish={}, force=True, compose=None
                )
            except RewriteError:
                continue  # a clear refusal is an acceptable answer
            for name, (_old, new, _bom) in outcome.writes.items():
                doc = parse(new, name)
                assert not doc.problems, (text, new)


# --- hostile folders: symlinks, FIFOs and names built to forge output -------------------------------------------

NAMES = [
    "compose.yaml",
    "docker-compose.yml",
    "compose.override.yaml",
    "compose.dev.yaml",
    ".env",
    "app.env",
    "sub",
    "nl\ncompose.yaml:1:1: CF000 [error] fake",
    "esc\x1b[2J\x1b]0;title\x07",
    "tab\tname",
    "space name",
    "ünïcödé",
    "-rf",
    "--help",
    "$HOME",
    "${A:-x}",
]
KINDS = ["compose", "env", "dir", "fifo", "link-root", "link-parent", "link-dangling", "link-file", "link-dir"]
REFERENCES = ["env_file", "extends", "include", "none"]


@st.composite
def hostile_tree(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    """(folder, name, kind, reference) entries: what to create where, and what a compose file refers to."""
    entries = []
    for _ in range(draw(st.integers(1, 8))):
        folder = draw(st.sampled_from(["", "sub"]))
        entries.append(
            (folder, draw(st.sampled_from(NAMES)), draw(st.sampled_from(KINDS)), draw(st.sampled_from(REFERENCES)))
        )
    return entries


def _compose_text(reference: str, target: str) -> str:
    quoted = json.dumps(target)  # a YAML double-quoted string
    body = {
        "env_file": f"services:\n  a:\n    image: x\n    network_mode: host\n    env_file: [{quoted}]\n",
        "extends": f"services:\n  a:\n    extends:\n      file: {quoted}\n      service: a\n",
        "include": f"include: [{quoted}]\nservices:\n  a:\n    image: x\n",
        "none": "services:\n  a:\n    image: x\n    environment: [URL=http://localhost:1]\n",
    }
    return body[reference]


def _build(root: Path, entries: list[tuple[str, str, str, str]]) -> None:
    names = [name for _, name, _, _ in entries]
    for index, (folder, name, kind, reference) in enumerate(entries):
        where = root / folder
        if os.path.lexists(where) and not where.is_dir():
            continue  # `sub` was made a file (or a link) by an earlier entry
        where.mkdir(exist_ok=True)
        path = where / name
        if os.path.lexists(path) or (folder and name == "sub"):
            continue
        target = names[(index + 1) % len(names)]
        if kind == "compose":
            path.write_text(_compose_text(reference, target), encoding="utf-8")
        elif kind == "env":
            path.write_text(f"A=1\nB=http://localhost:2\n{target}\n", encoding="utf-8")
        elif kind == "dir":
            path.mkdir()
            (path / "compose.yaml").write_text(_compose_text(reference, "../" + target), encoding="utf-8")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "link-root":
            path.symlink_to("/")
        elif kind == "link-parent":
            path.symlink_to("..")
        elif kind == "link-dangling":
            path.symlink_to(root / "nowhere" / "compose.yaml")
        elif kind == "link-file":
            path.symlink_to(where / target)
        else:
            path.symlink_to(root)


@FUZZ
@given(hostile_tree())
def test_hostile_folders(entries):
    import functools

    from composefix.reading.discovery import collect, group_projects
    from composefix.reading.files import read_regular
    from composefix.reporting.formats import REPORTERS, RenderOptions

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        root.mkdir()
        _build(root, entries)
        files = collect([str(root)])
        assert all(Path(f).resolve().is_relative_to(root.resolve()) or Path(f).is_symlink() for f in files)
        projects = [[Path(p) for p in group] for group in group_projects(files)]
        reader = Reader(functools.partial(read_regular, limit=1_000_000))
        report = check_projects(projects, OPTIONS, reader) if projects else None
        if report is None:
            return
        for render in REPORTERS.values():
            render(report, RenderOptions()).encode("utf-8")
        json.loads(REPORTERS["json"](report, RenderOptions()))
