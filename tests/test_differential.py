"""composefix's merged model agrees with the real Compose v2 binary on every corpus project Compose accepts."""

from __future__ import annotations

import pytest

from tests.differential import FIELDS, compare, compose_binary, run
from tests.helpers import require_corpus

pytestmark = pytest.mark.slow


def test_compose_binary_is_the_go_binary():
    binary = compose_binary()
    assert binary.is_file()
    assert binary.read_bytes()[:4] == b"\x7fELF"  # not the Python wrapper, which swallows exit codes


def test_models_agree_with_compose_config():
    outcomes = run(require_corpus())
    compared = [o for o in outcomes if o.compared]
    assert compared  # a harness that compares nothing agrees with anything (the harness is tested below)
    disagreements = [(o.path, m[0], m[1]) for o in compared for m in o.mismatches or []]
    assert disagreements == [], f"{len(disagreements)} disagreements on {FIELDS}: {disagreements[:10]}"


def test_the_harness_compares_every_field_of_a_project_compose_accepts(tmp_path):
    """The comparison itself works (Compose runs, its model is read, every field is compared, a difference is
    reported), so that the corpus test's agreement means something."""
    compose = tmp_path / "compose.yaml"
    text = (
        "services:\n"
        "  api:\n"
        "    image: example/api\n"
        '    ports: ["127.0.0.1:8080:80/tcp", "9000"]\n'
        '    expose: ["3000"]\n'
        "    environment: [DB=postgres://db:5432/app, EMPTY=]\n"
        '    extra_hosts: ["host.docker.internal:host-gateway"]\n'
        '    command: run --port "80"\n'
        "    entrypoint: [/bin/entry]\n"
        "    healthcheck: {test: curl -f http://localhost/health}\n"
        "  agent:\n"
        "    image: example/agent\n"
        "    network_mode: host\n"
    )
    compose.write_text(text, encoding="utf-8")
    agree = compare(compose)
    assert (agree.compared, agree.services, agree.mismatches, agree.relaxed) == (True, 2, [], False)
    # A disagreement is reported: composefix merges extra.yaml, which Compose (finding its files itself) ignores.
    extra = tmp_path / "extra.yaml"
    extra.write_text("services:\n  api:\n    command: other\n", encoding="utf-8")
    differ = compare(compose, extra)
    assert [(name, field) for name, field, _, _ in differ.mismatches or []] == [("api", "command")]
    compose.write_text(text.replace("image: example/agent", "image: [not, a, string]"), encoding="utf-8")
    assert not compare(compose).compared  # Compose rejects it: not compared
