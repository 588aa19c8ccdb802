"""Rewrite every corpus file with fixable findings (override and in-place), in a scratch copy: no crash, every
override accepted by real Compose, every claimed fix verified by re-analysis."""

from __future__ import annotations

import pytest

from tests.corpus_rewrite import compose_rows, run
from tests.helpers import require_corpus

pytestmark = pytest.mark.slow


def test_corpus_rewrites():
    corpus = require_corpus()
    tally = run(corpus)
    assert tally.errors == []
    assert tally.files == len(compose_rows(corpus))
    # Something to fix, and every rewrite that reports a fix writes it.
    assert tally.with_fixes > 0
    assert tally.claimed_unwritten == []
    assert tally.compose_accepted + tally.compose_skipped == tally.override_written
    # A refusal is a verification that caught a plan it could not carry out; none is expected on the corpus.
    assert tally.override_refused == [] and tally.in_place_refused == []
    # Connections survive: no written result loses an edge the original makes on Linux, and every rewrite checked.
    assert tally.edges_broken == []
    assert tally.unchecked == []
    assert tally.edges_kept > 0
    # A fix refused for a connection says which one.
    assert all("the rewrite would break a connection on " in reason for *_, reason in tally.refused)
