"""The `${VAR}` grammar (with where each character came from) and the `.env` format."""

from __future__ import annotations

import pytest

from composefix.reading.document import Document
from composefix.reading.interpolate import InterpolationError, Interpolator, parse_env
from composefix.reading.texts import Piece, Source, Text


def literal(value: str, file: str = "compose.yaml", start: int = 0) -> Text:
    return Text(value, (Piece(0, len(value), Source(file, start, start + len(value), True)),))


VARS = {"SET_VAR": literal("shellval", ".env", 100), "EMPTY_VAR": literal("", ".env", 200)}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${SET_VAR}", "shellval"),
        ("$SET_VAR", "shellval"),
        ("${EMPTY_VAR:-dflt}", "dflt"),
        ("${EMPTY_VAR-dflt}", ""),
        ("${UNSET_VAR:-dflt}", "dflt"),
        ("${UNSET_VAR-dflt}", "dflt"),
        ("${SET_VAR:+alt}", "alt"),
        ("${EMPTY_VAR:+alt}", ""),
        ("${EMPTY_VAR+alt}", "alt"),
        ("$$NOT_INTERPOLATED", "$NOT_INTERPOLATED"),
        ("${UNSET_VAR:-${SET_VAR}}", "shellval"),
        ("http://${DB_HOST:-localhost}:5432", "http://localhost:5432"),
        ("${UNSET_VAR}", ""),
        ("$5 and $ alone", "$5 and $ alone"),
        ("${NEEDED2?msg}".replace("NEEDED2", "EMPTY_VAR"), ""),
        ("price: 5$", "price: 5$"),
    ],
)
def test_forms_match_platform_facts_6_7(template, expected):
    assert Interpolator(VARS).interpolate(literal(template)).value == expected


def test_required_variable_missing_is_an_error_with_its_message():
    with pytest.raises(InterpolationError) as info:
        Interpolator(VARS).interpolate(literal("x ${NEEDED:?NEEDED must be set}"))
    assert info.value.required
    assert info.value.message == "required variable NEEDED is missing a value: NEEDED must be set"
    assert (info.value.source.start, info.value.source.end) == (2, 31)


@pytest.mark.parametrize("template", ["${", "${A:-", "${A B}", "${-x}", "${A!x}"])
def test_syntax_errors(template):
    with pytest.raises(InterpolationError) as info:
        Interpolator(VARS).interpolate(literal(template))
    assert not info.value.required
    assert "invalid interpolation" in info.value.message


def test_unset_variables_are_recorded():
    interpolator = Interpolator(VARS)
    interpolator.interpolate(literal("${A} $B ${SET_VAR}"))
    assert [name for name, _ in interpolator.unset] == ["A", "B"]


def test_default_span_points_at_the_default_text():
    template = "postgres://${DB_HOST:-localhost}:5432"
    result = Interpolator({}).interpolate(literal(template, start=40))
    start = result.value.index("localhost")
    source = result.origin(start, start + len("localhost"))
    assert source is not None and source.exact and source.file == "compose.yaml"
    assert (source.start, source.end) == (40 + template.index("localhost"), 40 + template.index("localhost") + 9)
    literal_part = result.origin(0, 11)  # "postgres://"
    assert (literal_part.start, literal_part.end) == (40, 51)


def test_variable_value_points_into_the_env_file():
    result = Interpolator(VARS).interpolate(literal("http://${SET_VAR}:80"))
    source = result.origin(7, 15)
    assert source.file == ".env" and (source.start, source.end) == (100, 108)
    assert result.origin(0, 20) is None  # spans several origins


def env(text: str, **kwargs):
    return parse_env(Document(path=".env", text=text), **kwargs)


def values(parsed) -> dict[str, str | None]:
    return {k: (v.value if v is not None else None) for k, v in parsed.values.items()}


def test_env_format():
    parsed = env(
        "# comment\n"
        "\n"
        "UNQ=http://localhost:8080 # comment\n"
        "export EXP=1\n"
        "SQ='$SET_VAR literal'\n"
        'DQ="${SET_VAR} interpolated\\n"\n'
        "COLON: value\n"
        "BARE\n"
        "REF=${UNQ}/x\n"
        "MULTI='a\nb'\n"
        "HASH=a#b\n",
        variables={"SET_VAR": literal("shellval")},
    )
    assert values(parsed) == {
        "UNQ": "http://localhost:8080",
        "EXP": "1",
        "SQ": "$SET_VAR literal",
        "DQ": "shellval interpolated\n",
        "COLON": "value",
        "BARE": None,
        "REF": "http://localhost:8080/x",
        "MULTI": "a\nb",
        "HASH": "a#b",
    }
    assert parsed.problems == []


def test_env_value_positions_are_exact():
    text = "A=1\nURL=postgres://localhost:5432/db\n"
    parsed = env(text)
    url = parsed.values["URL"]
    source = url.origin(11, 20)
    assert text[source.start : source.end] == "localhost"


def test_env_raw_format_keeps_quotes_and_dollars():
    parsed = env("J='{\"a\": 1}'\nD=$HOME\n", raw=True)
    assert values(parsed) == {"J": "'{\"a\": 1}'", "D": "$HOME"}


def test_env_bad_lines_are_problems_not_crashes():
    parsed = env("GOOD=1\nthis is not a variable\n=novalue\nLAST=2\nOPEN='never closed\n")
    assert values(parsed) == {"GOOD": "1", "LAST": "2"}
    assert [p.message for p in parsed.problems] == [
        "line is not `KEY=VALUE`: 'this is not a variable'",
        "line is not `KEY=VALUE`: '=novalue'",
        "unterminated ' quote in the value of OPEN",
    ]
