"""Fuzzing: arbitrary bytes and text, and mutated compose documents, through parsing, checking and rewriting.

CI runs a bounded number of examples. A longer run: COMPOSEFIX_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composefix.document import load, parse
from composefix.engine import Options, check_projects
from composefix.project import Reader
from composefix.rewrite import RewriteError, rewrite
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
