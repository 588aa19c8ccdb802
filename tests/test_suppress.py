"""Inline suppressions: trailing (that node and below), own line (the next node and below), file-wide."""

from __future__ import annotations

from tests.helpers import lint, where

TWO = """\
services:
  a:
    network_mode: host
  b:
    network_mode: host
"""


def test_trailing_on_a_key_covers_the_whole_node():
    text = TWO.replace("  a:\n", "  a:  # composefix: ignore=CF101 -- Linux-only tool\n")
    assert where(lint(text, select=("CF101", "CF900"))) == [("CF101", 5, 19)]


def test_own_line_covers_the_next_node_only():
    text = TWO.replace("  b:\n", "  # composefix: ignore=host-network-mode\n  b:\n")
    assert where(lint(text, select=("CF101", "CF900"))) == [("CF101", 3, 19)]


def test_own_line_before_a_nested_key():
    text = TWO.replace(
        "    network_mode: host\n  b:", "    # composefix: ignore=CF101\n    network_mode: host\n  b:", 1
    )
    assert where(lint(text, select=("CF101", "CF900"))) == [("CF101", 6, 19)]


def test_file_ignore_covers_everything():
    text = "# composefix: file-ignore=CF101,CF102\n" + TWO
    assert lint(text, select=("CF101", "CF900")) == []


def test_file_ignore_only_names_its_codes():
    text = "# composefix: file-ignore=CF110\n" + TWO
    assert where(lint(text, select=("CF101", "CF110", "CF900"))) == [
        ("CF900", 1, 27),
        ("CF101", 4, 19),
        ("CF101", 6, 19),
    ]


def test_pragma_inside_a_string_is_not_a_suppression():
    text = 'services:\n  a:\n    network_mode: host\n    command: "echo # composefix: ignore=CF101"\n'
    assert where(lint(text, select=("CF101", "CF900"))) == [("CF101", 3, 19)]


def test_pragma_inside_a_block_scalar_is_not_a_suppression():
    text = "services:\n  a:\n    command: |\n      # composefix: ignore=CF101\n    network_mode: host\n"
    assert where(lint(text, select=("CF101", "CF900"))) == [("CF101", 5, 19)]


def test_several_codes_and_names():
    text = (
        "services:\n  a:  # composefix: ignore=CF101, ports-ignored-in-host-mode\n"
        "    network_mode: host\n    ports: ['80:80']\n"
    )
    assert lint(text) == []
