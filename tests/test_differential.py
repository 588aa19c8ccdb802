"""composefix's merged model agrees with the real Compose v2 binary on every corpus project Compose accepts."""

from __future__ import annotations

import pytest

from tests.differential import FIELDS, compose_binary, run
from tests.helpers import CORPUS

pytestmark = pytest.mark.slow


def test_compose_binary_is_the_go_binary():
    binary = compose_binary()
    assert binary.is_file()
    assert binary.read_bytes()[:4] == b"\x7fELF"  # not the Python wrapper, which swallows exit codes


def test_models_agree_with_compose_config():
    if not (CORPUS / "manifest.tsv").is_file():
        pytest.fail(f"corpus not found at {CORPUS} (set COMPOSEFIX_CORPUS)")
    outcomes = run(CORPUS)
    compared = [o for o in outcomes if o.compared]
    # Most of the corpus must be comparable; a drop means the harness (not composefix) broke.
    assert len(compared) >= 700, len(compared)
    assert sum(o.services for o in compared) >= 1800
    disagreements = [(o.path, m[0], m[1]) for o in compared for m in o.mismatches or []]
    assert disagreements == [], f"{len(disagreements)} disagreements on {FIELDS}: {disagreements[:10]}"
