"""CF002: compose-spec validation, located at the offending key or value, in words a person understands."""

from __future__ import annotations

from tests.helpers import ROOT, lint, spans


def messages(text: str) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.message) for f in lint(text, select=("CF002",))]


def test_unknown_service_key_at_that_key_with_suggestion():
    assert messages(
        """\
        services:
          web:
            image: nginx
            enviroment:
              A: "1"
        """
    ) == [(4, 5, 'unknown key "enviroment" in service "web" (did you mean "environment"?)')]


def test_unknown_top_level_key_without_close_match():
    assert messages("services: {}\nbanana: 1\n") == [(2, 1, 'unknown key "banana" at the top level')]


def test_unknown_key_in_nested_mapping():
    assert messages(
        """\
        services:
          web:
            image: nginx
            healthcheck:
              tset: ["CMD", "true"]
        """
    ) == [(5, 7, 'unknown key "tset" in `services.web.healthcheck` (did you mean "test"?)')]


def test_wrong_type_at_the_value():
    found = lint("services:\n  web:\n    image: nginx\n    ports: 8080\n", select=("CF002",))
    assert spans(found) == [("CF002", 4, 12, 4, 16)]
    assert found[0].message == "`services.web.ports` must be a list, not an integer"


def test_empty_value_where_a_mapping_is_needed():
    assert messages("services:\n  web:\n    image: nginx\n    healthcheck:\n") == [
        (4, 17, "`services.web.healthcheck` must be a mapping, not empty")
    ]


def test_interpolated_values_are_not_judged_before_interpolation():
    assert messages("services:\n  web:\n    image: nginx\n    pull_policy: ${PULL_POLICY:-always}\n") == []


def test_root_not_a_mapping_and_empty_file():
    assert messages("- a\n- b\n") == [(1, 1, "`the file` must be a mapping, not a list")]
    assert messages("") == [(1, 1, "the file is empty: a compose file needs at least a `services` mapping")]


def test_valid_file_has_no_schema_finding():
    assert messages("services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n") == []


def test_no_schema_option_turns_it_off():
    assert lint("services: {}\nbanana: 1\n", schema=False) == []


def test_vendored_schema_matches_its_recorded_digest():
    import hashlib

    from composefix.reading.schema import bundled_schema_path

    path = bundled_schema_path()
    assert path == ROOT / "schemas" / "compose-spec.json" or path.parent.name == "_schemas"
    recorded = (path.parent / "compose-spec.sha256").read_text(encoding="utf-8")
    assert recorded == f"{hashlib.sha256(path.read_bytes()).hexdigest()}  compose-spec.json\n"
    assert (path.parent / "compose-spec.LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache License")


def test_same_problems_without_the_fast_validator(monkeypatch):
    from composefix.reading import schema

    text = "services:\n  web:\n    image: nginx\n    enviroment: {A: 1}\n    ports: 8080\n"
    with_fast = lint(text, select=("CF002",))
    monkeypatch.setattr(schema, "_fast_validator", lambda path: None)
    without = lint(text, select=("CF002",))
    assert [(f.line, f.column, f.message) for f in with_fast] == [(f.line, f.column, f.message) for f in without]
    assert len(without) == 2


def test_a_schema_file_that_is_not_json_is_a_usage_error(tmp_path):
    from typer.testing import CliRunner

    from composefix.cli import app

    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  api:\n    image: x\n")
    bad = tmp_path / "schema.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--schema", str(bad), str(compose)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"composefix: error: cannot read the compose schema {bad}: Expecting property")
    assert result.stderr.count("\n") == 1
