"""The fast forms of masking's searches find exactly what their plain forms find (random text, hypothesis)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from composefix import masking

# The plain forms, as they were written before they were made faster.
PLAIN_HINT = re.compile(r"PASS|TOKEN|SECRET|KEY", re.IGNORECASE)
PLAIN_MYSQL = re.compile(r"\b(?:mysql\w*|mariadb\w*)\b", re.IGNORECASE)


def plain_url_spans(text: str) -> Iterator[tuple[int, int]]:
    """Every token of the text, each looked at for `scheme://user:password@host`."""
    for token in masking._URL_TOKEN.finditer(text):
        begin, stop = token.span()
        scheme = text.find("://", begin, stop)
        if scheme <= begin:
            continue
        authority = scheme + 3
        colon = text.find(":", authority, stop)
        at = text.rfind("@", authority, stop)
        if colon == -1 or at < colon:
            continue
        user = text[authority:colon]
        if "/" in user or "@" in user or colon + 1 == at:
            continue
        reference = masking._REFERENCE.match(text, colon + 1)
        if reference is not None and reference.end() == at:
            continue
        yield colon + 1, at


# Characters that matter to the searches (separators, URL punctuation, the letters of the words in both cases and
# their other case forms: `ſ`, the Kelvin sign, dotted and dotless i) and a few others.
PIECES = [
    *":/@$ \t\n\r'\"`<>{}_-=.,p",
    "\u017f",
    "\u212a",
    "\u0130",
    "\u0131",
    "\u00a0",
    "\u2028",
    "é",
    "://",
    "s://u:p@h",
    "postgres://app:",
    "http",
    "@db",
    "${X}",
    "pass",
    "PaSs",
    "token",
    "SECRET",
    "key",
    "KEY",
    "\u212aey",
    "\u017fecret",
    "mysql",
    "MariaDB",
    "my\u0131sql",
    "-p",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_url_spans_are_those_of_every_token(text: str) -> None:
    assert list(masking._url_spans(text)) == list(plain_url_spans(text))


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_secret_word_hints_are_those_of_the_case_insensitive_words(text: str) -> None:
    assert [m.span() for m in masking._HINT.finditer(text)] == [m.span() for m in PLAIN_HINT.finditer(text)]


def hint_spans(text: str) -> list[tuple[int, int]]:
    """The secret words as _assignment_spans walks them (each search from the end of the last hit)."""
    find = masking._hint_finder(text)
    spans, pos = [], 0
    while (hit := find(pos)) is not None:
        spans.append(hit.span())
        pos = hit.end()
    return spans


@settings(max_examples=1000, deadline=None)
@given(st.one_of(TEXT, st.lists(st.sampled_from([p for p in PIECES if p.isascii()]), max_size=60).map("".join)))
def test_the_secret_words_found_in_ascii_and_other_text_are_the_case_insensitive_words(text: str) -> None:
    """ASCII text is searched lower-cased, other text with the case-insensitive pattern: the same spans."""
    assert hint_spans(text) == [m.span() for m in PLAIN_HINT.finditer(text)]


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_mysql_clients_are_those_of_the_case_insensitive_names(text: str) -> None:
    assert [m.span() for m in masking._MYSQL.finditer(text)] == [m.span() for m in PLAIN_MYSQL.finditer(text)]


def test_the_other_case_forms_of_the_letters_count() -> None:
    """`ſ` matches `s` and the Kelvin sign matches `k` case-insensitively: both are found as before."""
    assert [m.group() for m in masking._HINT.finditer("\u212aEY \u017fecret pa\u017f\u017f")] == [
        "\u212aEY",
        "\u017fecret",
        "pa\u017f\u017f",
    ]
    assert masking.mask("DB_PA\u017f\u017fWORD=hunter22 u://a:b@c") == "DB_PA\u017f\u017fWORD=**** u://a:****@c"
