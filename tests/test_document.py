"""Parsing: positions, encodings, anchors, merge keys, tags, duplicate keys, limits."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composefix.reading.document import (
    Document,
    Kind,
    Mapping,
    Scalar,
    Sequence,
    find,
    find_key,
    load,
    parse,
    resolve_plain,
    to_data,
)

# The rule each kind of reading problem becomes (CF001, CF003).
CODES = {Kind.SYNTAX: "CF001", Kind.DUPLICATE_KEY: "CF003"}


def problems(doc):
    return [(CODES[p.kind], p.span.start.line, p.span.start.column, p.message) for p in doc.problems]


def test_positions_are_one_based_lines_and_character_columns():
    doc = parse('services:\n  web:\n    image: "ngïnx"\n    command: écho 日本\n', "c.yaml")
    image = find(doc.root, ("services", "web", "image"))
    assert isinstance(image, Scalar)
    assert (image.span.start.line, image.span.start.column) == (3, 12)
    assert (image.span.end.line, image.span.end.column) == (3, 19)
    assert doc.source(image.span) == '"ngïnx"'
    command = find(doc.root, ("services", "web", "command"))
    assert doc.source(command.span) == "écho 日本"
    assert command.span.start.offset == doc.text.index("écho")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="a\u00e9\n\r", max_size=40))
def test_line_starts_follow_every_kind_of_line_break(text: str) -> None:
    """Text with no `\r` takes the fast way (line lengths added up), other text a match per break: both give the
    offset after each `\n`, `\r\n` and lone `\r`, and so the same lines."""
    doc = Document(path="compose.yaml", text=text)
    expected = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    assert doc._starts() == expected
    assert [doc.line_text(n) for n in range(1, doc.line_count + 1)] == [
        text[a:b].rstrip("\r\n") for a, b in zip(expected, [*expected[1:], len(text)], strict=True)
    ]


def test_crlf_and_bom_keep_offsets_into_the_decoded_text():
    data = "\ufeffservices:\r\n  web:\r\n    image: nginx\r\n".encode()
    doc = load(data, "c.yaml")
    assert doc.bom and doc.newline == "\r\n"
    image = find(doc.root, ("services", "web", "image"))
    assert (image.span.start.line, image.span.start.column) == (3, 12)
    assert doc.text[image.span.start.offset : image.span.end.offset] == "nginx"
    assert doc.line_text(3) == "    image: nginx"


def test_invalid_utf8_is_cf001_with_byte_offset_and_position():
    doc = load(b"services:\n  web:\n    image: ng\xffinx\n", "c.yaml")
    assert problems(doc) == [("CF001", 3, 14, "invalid UTF-8 byte 0xff at byte offset 30")]


def test_utf16_and_nul_bytes_are_cf001():
    assert problems(load("a: 1".encode("utf-16"), "c.yaml"))[0][3].startswith("file is UTF-16")
    assert problems(load(b"a: 1\nb: \x00", "c.yaml")) == [("CF001", 2, 4, "file contains a NUL byte (binary file?)")]


def test_yaml_syntax_error_position():
    doc = parse('services:\n  web:\n    ports: ["8080:80"\n', "c.yaml")
    assert [(c, line) for c, line, _, _ in problems(doc)] == [("CF001", 4)]
    assert doc.root is None


def test_tab_indentation_is_named():
    doc = parse("services:\n\tweb: {}\n", "c.yaml")
    assert problems(doc)[0][:3] == ("CF001", 2, 1)
    assert "tab" in problems(doc)[0][3]


def test_flow_sequence_with_colon_scalars_parses_as_compose_does():
    # libyaml rejects `[8080:80]`; go-yaml (Compose) and YAML 1.2 read one string.
    doc = parse("services:\n  web:\n    ports: [8080:80]\n", "c.yaml")
    assert doc.ok
    assert to_data(doc.root) == {"services": {"web": {"ports": ["8080:80"]}}}


def test_duplicate_keys_are_cf003_at_the_second_occurrence_at_every_level():
    doc = parse("services:\n  web:\n    image: a\n    image: b\n  web:\n    image: c\nservices: {}\n", "c.yaml")
    assert [(c, line, col) for c, line, col, _ in problems(doc)] == [
        ("CF003", 4, 5),
        ("CF003", 5, 3),
        ("CF003", 7, 1),
    ]
    assert problems(doc)[0][3] == 'duplicate key "image" (first defined at line 3, column 5)'


def test_merge_keys_and_aliases_are_resolved_and_marked():
    text = (
        "x-env: &env\n"
        "  A: one\n"
        "  B: two\n"
        "services:\n"
        "  web:\n"
        "    environment:\n"
        "      <<: *env\n"
        "      B: mine\n"
        "    labels: *env\n"
    )
    doc = parse(text, "c.yaml")
    assert doc.ok  # overriding a merged key is not a duplicate
    env = find(doc.root, ("services", "web", "environment"))
    assert isinstance(env, Mapping)
    assert to_data(env) == {"B": "mine", "A": "one"}
    assert env.entries["A"].value.via == "merge-key"
    assert env.entries["A"].value.span.start.line == 2  # the text lives at the anchor
    assert env.entries["B"].value.via is None
    labels = find(doc.root, ("services", "web", "labels"))
    assert labels.via == "alias"
    assert labels.entries["A"].value.via == "alias"


def test_merge_key_list_earlier_wins():
    doc = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n", "c.yaml")
    assert to_data(find(doc.root, ("c",))) == {"x": 1, "y": 2}


def test_reset_and_override_tags_parse_and_reset_entries_drop_from_data():
    doc = parse("services:\n  app:\n    network_mode: !reset null\n    ports: !override\n      - 80:80\n", "o.yaml")
    assert doc.ok
    mode = find(doc.root, ("services", "app", "network_mode"))
    assert mode.tag == "!reset" and mode.value is None
    assert find(doc.root, ("services", "app", "ports")).tag == "!override"
    assert to_data(doc.root) == {"services": {"app": {"ports": ["80:80"]}}}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8080", 8080),
        ("0x1F", 31),
        ("0o17", 15),
        ("0755", 493),
        ("1.5", 1.5),
        ("true", True),
        ("False", False),
        ("yes", "yes"),  # YAML 1.2 / go-yaml v3: a string
        ("on", "on"),
        ("~", None),
        ("null", None),
        ("8080:80", "8080:80"),  # not sexagesimal
        ("1_000", 1000),
        ("-12", -12),
        ("abc", "abc"),
    ],
)
def test_plain_scalars_resolve_like_go_yaml(text, value):
    assert resolve_plain(text) == value


def test_special_floats():
    assert math.isinf(resolve_plain(".inf")) and math.isnan(resolve_plain(".nan"))


def test_explicit_tags_and_quotes_keep_strings():
    doc = parse("a: '8080'\nb: !!str 80\nc: !!int 7\nd: \"true\"\n", "c.yaml")
    assert to_data(doc.root) == {"a": "8080", "b": "80", "c": 7, "d": "true"}


def test_empty_and_comment_only_files_have_no_root():
    assert parse("", "c.yaml").root is None
    assert parse("# nothing\n", "c.yaml").root is None
    assert parse("", "c.yaml").ok


def test_deep_nesting_is_an_error_not_a_crash():
    doc = parse("[" * 100_000 + "]" * 100_000, "deep.yaml")
    assert problems(doc) == [("CF001", 1, 1, "nesting is deeper than 100 levels")]
    doc = parse("- " * 20_000 + "x\n", "deep.yaml")
    assert problems(doc)[0][3] == "nesting is deeper than 100 levels"


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    doc = parse("\n".join(lines) + "\n", "bomb.yaml")
    assert problems(doc)[0][0] == "CF001"
    assert "billion laughs" in problems(doc)[0][3]


def test_undefined_alias_is_cf001():
    doc = parse("a: *nothing\n", "c.yaml")
    assert problems(doc)[0][:3] == ("CF001", 1, 4)


def test_find_key_and_sequences():
    doc = parse("services:\n  web:\n    ports:\n      - 80:80\n      - 443:443\n", "c.yaml")
    ports = find(doc.root, ("services", "web", "ports"))
    assert isinstance(ports, Sequence) and not ports.flow
    assert find(doc.root, ("services", "web", "ports", 1)).value == "443:443"
    key = find_key(doc.root, ("services", "web", "ports"))
    assert (key.span.start.line, key.span.start.column) == (3, 5)
    assert find(doc.root, ("services", "nope")) is None


def test_fuzz_found_parser_path_is_a_finding_not_a_crash():
    # Found by tests/test_fuzz.py: ruamel's pure-Python parser read a loader attribute we had not set.
    text = 'services:\n#x\n  web:\n      ports:\n      - {{"8080:80"\n    depends_on:\n      - api\n'
    assert [p.kind for p in parse(text, "c.yaml").problems] == [Kind.SYNTAX]
