"""The figures `python -m tests.accuracy` reaches on the labelled corpus, held as thresholds."""

from __future__ import annotations

import pytest

from tests.accuracy import CODES, CORPUS, Score, score

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result() -> Score:
    if not (CORPUS / "labels.jsonl").is_file():
        pytest.skip(f"no labelled corpus at {CORPUS} (labels.jsonl): set COMPOSEFIX_CORPUS to the corpus folder")
    return score(CORPUS)


def test_every_labelled_file_is_scored(result: Score) -> None:
    assert result.files >= 343


def test_overall(result: Score) -> None:
    overall = result.overall
    assert overall.precision is not None and overall.precision >= 0.99, overall
    assert overall.recall is not None and overall.recall >= 0.99, overall


def test_loopback_rules_together(result: Score) -> None:
    loopback = result.loopback
    assert loopback.precision is not None and loopback.precision >= 0.95, (loopback, result.false_positives)
    assert loopback.recall is not None and loopback.recall >= 0.95, (loopback, result.false_negatives)


@pytest.mark.parametrize(
    "kind", ["host_network", "ports_ignored_host_mode", "host_alias_fixed_ip", "host_alias_without_gateway"]
)
def test_structural_rules(result: Score, kind: str) -> None:
    counts = result.kinds[kind]
    assert counts.precision is not None and counts.precision >= 0.99, (CODES[kind], counts)
    assert counts.recall is not None and counts.recall >= 0.99, (CODES[kind], counts)


def test_no_warning_on_a_place_labelled_must_not_flag(result: Score) -> None:
    assert result.overall.must_not == 0, [fp for fp in result.false_positives if fp[1] != "info"]
