"""Loading projects as Compose does: merge rules, include, extends, env files, origins, discovery."""

from __future__ import annotations

import textwrap
from pathlib import Path

from composefix.analysis.strings import extra_hosts
from composefix.reading.discovery import compose_file_variable, group_projects
from composefix.reading.document import Kind, Mapping, Sequence
from composefix.reading.loader import load_project
from composefix.reading.ports import parse_entry
from composefix.reading.project import text_of
from composefix.reading.words import command_words


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def env(project, service: str) -> dict[str, str | None]:
    return {k: text_of(v) for k, v in project.services[service].env.items()}


def test_merge_rules_of_platform_facts_6_2(tmp_path):
    base = write(
        tmp_path,
        "base.yaml",
        """\
        services:
          app:
            image: alpine
            command: ["echo", "base"]
            network_mode: host
            ports: ["8080:80", "9000:9000"]
            expose: ["3000"]
            extra_hosts: ["db.local:10.0.0.1", "host.docker.internal:127.0.0.1"]
            environment:
              - FOO=base
              - DB_HOST=localhost
              - ONLY_BASE=1
            dns: 1.1.1.1
            healthcheck:
              test: ["CMD", "true"]
              interval: 5s
        """,
    )
    override = write(
        tmp_path,
        "override.yaml",
        """\
        services:
          app:
            command: ["echo", "override"]
            network_mode: bridge
            ports: ["8080:80", "8443:443"]
            expose: ["3000", "4000"]
            extra_hosts: ["host.docker.internal:host-gateway", "db.local:10.0.0.1"]
            environment:
              DB_HOST: db
              NEW: "2"
            dns: [8.8.8.8]
            healthcheck:
              test: curl -f http://localhost
        """,
    )
    project = load_project([base, override], environ={})
    app = project.services["app"]
    assert command_words(app.get("command")) == ["echo", "override"]
    assert app.network_mode == "bridge"
    ports = [(p.published, p.target) for item in app.get("ports").items for p in parse_entry(item)]
    assert ports == [("8080", 80), ("9000", 9000), ("8443", 443)]
    assert [text_of(i) for i in app.get("expose").items] == ["3000", "4000"]
    assert [(e.name, e.address) for e in extra_hosts(app)] == [
        ("db.local", "10.0.0.1"),
        ("host.docker.internal", "127.0.0.1"),
        ("host.docker.internal", "host-gateway"),
    ]
    assert env(project, "app") == {"FOO": "base", "DB_HOST": "db", "ONLY_BASE": "1", "NEW": "2"}
    assert app.env["DB_HOST"].file == str(override) and app.env["FOO"].file == str(base)
    assert [text_of(i) for i in app.get("dns").items] == ["1.1.1.1", "8.8.8.8"]
    healthcheck = app.get("healthcheck")
    assert isinstance(healthcheck, Mapping)
    assert text_of(healthcheck.get("test")) == "curl -f http://localhost"
    assert text_of(healthcheck.get("interval")) == "5s"


def test_reset_and_override_tags(tmp_path):
    base = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          app:
            image: alpine
            network_mode: host
            ports: ["8080:80"]
            extra_hosts: ["host.docker.internal:127.0.0.1"]
            environment: {A: "1", B: "2"}
        """,
    )
    override = write(
        tmp_path,
        "compose.desktop.yaml",
        """\
        services:
          app:
            network_mode: !reset null
            ports: !override ["9090:90"]
            extra_hosts: !override
              - "host.docker.internal:host-gateway"
            environment:
              A: !reset null
        """,
    )
    app = load_project([base, override], environ={}).services["app"]
    assert app.network_mode is None
    assert [p.target for item in app.get("ports").items for p in parse_entry(item)] == [90]
    assert [(e.name, e.address) for e in extra_hosts(app)] == [("host.docker.internal", "host-gateway")]
    assert set(app.env) == {"B"}


def test_interpolation_with_dotenv_and_process_environment(tmp_path):
    write(tmp_path, ".env", "DB_HOST=localhost\nPORT=5432\nTAG=from_env_file\n")
    compose = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          api:
            image: app:${TAG}
            environment:
              DATABASE_URL: postgres://${DB_HOST}:${PORT}/app
              CACHE: ${CACHE_HOST:-127.0.0.1}:6379
        """,
    )
    project = load_project([compose], environ={"TAG": "from_shell"})
    api = project.services["api"]
    assert text_of(api.get("image")) == "app:from_shell"
    url = api.env["DATABASE_URL"].interp
    start = url.value.index("localhost")
    source = url.origin(start, start + 9)
    assert source.file == str(tmp_path / ".env")
    assert project.span_of(source).start.line == 1 and project.span_of(source).start.column == 9
    cache = api.env["CACHE"].interp
    source = cache.origin(0, 9)
    assert source.file == str(compose)
    assert project.span_of(source).start.line == 6


def test_env_file_values_join_the_environment_and_environment_wins(tmp_path):
    write(tmp_path, "app.env", "FROM_FILE=http://localhost:9000\nBOTH=file\n")
    compose = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          app:
            image: x
            env_file:
              - app.env
              - path: optional.env
                required: false
            environment:
              BOTH: compose
        """,
    )
    project = load_project([compose], environ={})
    assert env(project, "app") == {"FROM_FILE": "http://localhost:9000", "BOTH": "compose"}
    assert project.services["app"].env["FROM_FILE"].file == str(tmp_path / "app.env")
    assert project.problems == []


def test_missing_references_are_cf004_at_the_reference(tmp_path):
    compose = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          app:
            image: x
            env_file: missing.env
            network_mode: service:vpn
            depends_on: [db]
          other:
            extends:
              file: nowhere.yaml
              service: base
          third:
            extends: ghost
            environment:
              X: ${REQUIRED:?set REQUIRED}
        """,
    )
    project = load_project([compose], environ={})
    assert {p.kind for p in project.problems} == {Kind.MISSING_REFERENCE}
    found = sorted(("CF004", p.span.start.line, p.message) for p in project.problems)
    assert found == [
        ("CF004", 4, "env file `missing.env` not found (service `app`)"),
        ("CF004", 5, "service `app` uses the network of service `vpn`, which is not defined"),
        ("CF004", 6, "service `app` depends on `db`, which is not defined"),
        ("CF004", 9, f"file `{tmp_path / 'nowhere.yaml'}` not found"),
        ("CF004", 12, "service `third` extends `ghost`, which is not defined"),
        ("CF004", 14, "required variable REQUIRED is missing a value: set REQUIRED"),
    ]


def test_extends_chains_across_files_and_cycles_stop(tmp_path):
    write(
        tmp_path,
        "common.yaml",
        """\
        services:
          base:
            image: alpine
            network_mode: host
            environment:
              API_URL: http://127.0.0.1:8000
            extra_hosts: ["a:10.0.0.1"]
        """,
    )
    compose = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          middle:
            extends: {file: common.yaml, service: base}
            environment:
              OTHER: "1"
          app:
            extends: middle
            extra_hosts: ["b:10.0.0.2"]
          loop1:
            extends: loop2
          loop2:
            extends: loop1
        """,
    )
    project = load_project([compose], environ={})
    app = project.services["app"]
    assert app.network_mode == "host"
    assert env(project, "app") == {"API_URL": "http://127.0.0.1:8000", "OTHER": "1"}
    assert app.env["API_URL"].file == str(tmp_path / "common.yaml")
    assert [e.name for e in extra_hosts(app)] == ["a", "b"]
    cycles = [p.message for p in project.problems if "cycle" in p.message]
    assert cycles and cycles[0].startswith("`extends` cycle: ")


def test_include_loads_services_with_their_own_env_and_cycles_stop(tmp_path):
    write(tmp_path, "sub/.env", "SUB_PORT=5432\n")
    write(
        tmp_path,
        "sub/compose.yaml",
        """\
        include:
          - ../compose.yaml
        services:
          db:
            image: postgres
            ports: ["${SUB_PORT}:5432"]
        """,
    )
    compose = write(
        tmp_path,
        "compose.yaml",
        """\
        include:
          - sub/compose.yaml
          - path: [missing.yaml]
        services:
          app:
            image: x
            depends_on: [db]
        """,
    )
    project = load_project([compose], environ={})
    assert set(project.services) == {"app", "db"}
    ports = [p.published for item in project.services["db"].get("ports").items for p in parse_entry(item)]
    assert ports == ["5432"]
    messages = [p.message for p in project.problems]
    assert any("missing.yaml" in m and "not found" in m for m in messages)
    assert any("cycle" in m for m in messages)


def test_profiles_narrow_when_asked(tmp_path):
    compose = write(
        tmp_path,
        "compose.yaml",
        "services:\n  a: {image: x}\n  b: {image: x, profiles: [debug]}\n  c: {image: x, profiles: [ops]}\n",
    )
    assert set(load_project([compose], environ={}, profiles=["*"]).services) == {"a", "b", "c"}
    assert set(load_project([compose], environ={}, profiles=["debug"]).services) == {"a", "b"}


def test_anchors_and_merge_keys_keep_the_anchor_position(tmp_path):
    compose = write(
        tmp_path,
        "compose.yaml",
        """\
        x-env: &env
          DB_URL: postgres://localhost:5432/app
        services:
          a:
            image: x
            environment:
              <<: *env
          b:
            image: x
            environment: *env
        """,
    )
    project = load_project([compose], environ={})
    for name in ("a", "b"):
        node = project.services[name].env["DB_URL"]
        assert node.span.start.line == 2
        assert node.via in ("merge-key", "alias")


def test_group_projects_pairs_main_and_automatic_override():
    files = [
        "p/docker-compose.yml",
        "p/compose.override.yaml",
        "p/docker-compose.override.yml",
        "p/docker-compose.prod.yml",
        "q/compose.override.yaml",
    ]
    assert group_projects(files) == [
        ["p/docker-compose.yml", "p/compose.override.yaml"],
        ["p/docker-compose.override.yml"],
        ["p/docker-compose.prod.yml"],
        ["q/compose.override.yaml"],
    ]


def test_compose_file_variable_from_environment_and_dotenv(tmp_path):
    assert compose_file_variable({"COMPOSE_FILE": "a.yaml:b.yaml"}, tmp_path) == ["a.yaml", "b.yaml"]
    assert compose_file_variable({"COMPOSE_FILE": "a;b", "COMPOSE_PATH_SEPARATOR": ";"}, tmp_path) == ["a", "b"]
    write(tmp_path, ".env", "COMPOSE_FILE=x.yaml:y.yaml\n")
    assert compose_file_variable({}, tmp_path) == ["x.yaml", "y.yaml"]
    assert compose_file_variable({}, tmp_path / "nowhere") is None


def test_list_environment_values_are_sliced_after_the_equals_sign(tmp_path):
    compose = write(tmp_path, "compose.yaml", "services:\n  a:\n    environment:\n      - URL=http://localhost:80\n")
    project = load_project([compose], environ={})
    node = project.services["a"].env["URL"]
    start = node.interp.value.index("localhost")
    span = project.span_of(node.interp.origin(start, start + 9))
    assert (span.start.line, span.start.column) == (4, 20)
    assert isinstance(project.services["a"].get("environment"), Mapping)
    assert not isinstance(project.services["a"].get("environment"), Sequence)


def test_no_rule_code_outside_the_rules_package():
    # Reading, loading, analysis, fixing and reporting handle kinds of problems and typed changes; only the rules
    # package decides which finding (code) each one is (issue: rule codes only in the rules package).
    import re

    from tests.helpers import ROOT

    package = ROOT / "composefix"
    checked = [path for path in sorted(package.rglob("*.py")) if (package / "rules") not in path.parents]
    assert len(checked) > 20
    for path in checked:
        assert re.findall(r"[\"']CF\d", path.read_text(encoding="utf-8")) == [], path


def test_every_kind_of_loading_problem_becomes_exactly_one_finding():
    from composefix.model import Position, Span
    from composefix.reading.project import Project, ProjectProblem
    from composefix.rules import RULES
    from composefix.rules.base import Context, Settings

    start = Position(1, 1, 0)
    codes = {}
    for kind in Kind:
        project = Project(name="p", directory=Path("."), compose_files=["compose.yaml"])
        project.problems.append(ProjectProblem(kind, "compose.yaml", Span(start, start), f"a {kind} problem"))
        ctx = Context(project, Settings(frozenset()))
        found = [f for rule in RULES if not rule.after_suppressions for f in rule.check(ctx)]
        assert len(found) == 1, (kind, found)
        codes[kind] = found[0].code
    assert codes == {
        Kind.SYNTAX: "CF001",
        Kind.DUPLICATE_KEY: "CF003",
        Kind.INVALID: "CF002",
        Kind.MISSING_REFERENCE: "CF004",
        Kind.UNREADABLE: "CF004",
        Kind.TOO_DEEP: "CF004",
    }
