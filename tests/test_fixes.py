"""Fixes belong to rules: each finding's reported fix is its own changes; the planner merges, settles and
refuses changes without knowing any rule."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.fixing.inplace import in_place
from composefix.fixing.plan import apply_edits, plan
from composefix.model import (
    DEFAULT_TARGETS,
    Applicability,
    EnsureHostGateway,
    Finding,
    Fix,
    ReplaceText,
    Severity,
)
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.rules.runner import Options, check_text
from tests.differential import compose_binary


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def put(folder: Path, text: str) -> None:
    (folder / "compose.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def fixes_in_json(*args: str) -> dict[str, dict[str, object] | None]:
    result = CliRunner().invoke(app, ["check", "--format", "json", *args, "compose.yaml"])
    assert result.exit_code == 1, result.output
    return {f["code"]: f.get("fix") for f in json.loads(result.stdout)["findings"]}


BRIDGE_AND_LOOPBACK = """\
services:
  api:
    image: example/api
    network_mode: bridge
    environment:
      PAYMENTS_URL: smtp://localhost:4000
"""


def test_a_safe_fix_carries_no_other_rules_unsafe_edit(project):
    """CF103's safe fix used to include CF110's (unsafe) removal of `network_mode`: every structural edit of the
    service was handed to every finding on it."""
    put(project, BRIDGE_AND_LOOPBACK)
    text = (project / "compose.yaml").read_text()
    fixes = fixes_in_json()
    loopback, bridge = fixes["CF103"], fixes["CF110"]
    assert loopback is not None and bridge is not None
    assert loopback["applicability"] == "safe" and bridge["applicability"] == "unsafe"
    at = text.index("localhost")
    end = len(text.rstrip("\n"))
    assert loopback["edits"] == [
        {"file": "compose.yaml", "start": at, "end": at + len("localhost"), "text": "host.docker.internal"},
        {
            "file": "compose.yaml",
            "start": end,
            "end": end,
            "text": '\n    extra_hosts:\n      - "host.docker.internal:host-gateway"',
        },
    ]
    line = text.index("    network_mode")
    assert bridge["edits"] == [
        {"file": "compose.yaml", "start": line, "end": text.index("    environment"), "text": ""}
    ]


def test_the_gateway_entry_belongs_to_each_finding_that_needs_it_and_to_no_other(project):
    put(
        project,
        """\
        services:
          api:
            image: example/api
            environment:
              PAYMENTS_URL: smtp://localhost:4000
              DATABASE_URL: postgres://app@172.17.0.1:5432/app
            extra_hosts:
              - "dockerhost:172.17.0.1"
        """,
    )
    text = (project / "compose.yaml").read_text()
    fixes = fixes_in_json()
    entry = text.index('"dockerhost')
    added = {
        "file": "compose.yaml",
        "start": len(text.rstrip("\n")),
        "end": len(text.rstrip("\n")),
        "text": '\n      - "host.docker.internal:host-gateway"',
    }
    mapped = {"file": "compose.yaml", "start": entry + 12, "end": entry + 22, "text": "host-gateway"}
    for code in ("CF103", "CF105"):
        fix = fixes[code]
        assert fix is not None
        assert added in fix["edits"] and mapped not in fix["edits"], code  # type: ignore[operator]
    assert fixes["CF106"] == {
        "title": "map `dockerhost` to `host-gateway`",
        "applicability": "safe",
        "edits": [mapped],
    }
    # Written once, however many findings want it.
    result = CliRunner().invoke(app, ["rewrite", "--in-place", "compose.yaml"])
    assert result.exit_code == 0, result.output
    assert (project / "compose.yaml").read_text().count("host.docker.internal:host-gateway") == 1


def test_an_entry_that_cannot_be_added_leaves_the_findings_that_needed_it_unfixed(project):
    """The in-place renderer used to blame the code of whichever finding was fixed first (here CF103, on another
    service) and so kept claiming CF105 fixed although its host-gateway entry was never written."""
    put(
        project,
        """\
        x-hosts: &hosts
          extra_hosts:
            - "other:10.0.0.1"
        services:
          web:
            image: example/web
            environment:
              PAYMENTS_URL: smtp://localhost:4000
          api:
            <<: *hosts
            image: example/api
            environment:
              DATABASE_URL: postgres://app@172.17.0.1:5432/app
        """,
    )
    fixes = fixes_in_json()
    assert fixes["CF105"] is None and fixes["CF103"] is not None
    result = CliRunner().invoke(app, ["rewrite", "--in-place", "compose.yaml"])
    assert "CF105 not fixed: `extra_hosts` comes from another file or an anchor" in result.output
    assert "CF103 fixed: use `host.docker.internal` (with its host-gateway entry)" in result.output
    assert result.exit_code == 1


# --- the planner knows no rule --------------------------------------------------------------------------------

SNIPPET = """\
services:
  web:
    image: example/web
    environment:
      GREETING: hello
"""


def _greeting(ctx: Context) -> Iterator[Finding]:
    """A rule made up for this test: `hello` becomes `bonjour`, and the service gets the host-gateway entry."""
    from composefix.analysis.strings import service_strings
    from composefix.rules.fixing import replace

    for service in ctx.services:
        for ref in service_strings(service):
            at = ref.value.find("hello")
            if at < 0:
                continue
            change = replace(ctx, service, ref, at, at + 5, "bonjour")
            assert change is not None
            yield GREETING.finding(
                ref.node,
                "say bonjour",
                service=service.name,
                fix=Fix("say bonjour", Applicability.SAFE, changes=(change, EnsureHostGateway(service.name))),
            )


GREETING = Rule("CF999", "greeting", Severity.WARNING, ALL_TARGETS, "", "", _greeting, Applicability.SAFE)


def _planned(findings: list[Finding], *, unsafe: bool = False) -> tuple[list[str], list[str], str]:
    report = check_text(SNIPPET, "compose.yaml", Options(select=("CF1",), environ={}))
    project = report.projects[0]
    planned = plan(project, findings, DEFAULT_TARGETS, unsafe=unsafe, override=False)
    built = in_place(planned)
    text = apply_edits(project.documents["compose.yaml"].text, built.edits)
    return [title for _, title in planned.fixed], [reason for _, reason in planned.unfixed], text


def _findings() -> list[Finding]:
    report = check_text(SNIPPET, "compose.yaml", Options(select=("CF1",), environ={}))
    from composefix.rules.base import Settings

    ctx = Context(report.projects[0], Settings(DEFAULT_TARGETS))
    return list(_greeting(ctx))


def test_a_new_rule_is_fixed_by_the_generic_planner_and_renderer():
    findings = _findings()
    fixed, unfixed, text = _planned(findings)
    assert fixed == ["say bonjour"] and unfixed == []
    assert (
        text == SNIPPET.replace("hello", "bonjour") + '    extra_hosts:\n      - "host.docker.internal:host-gateway"\n'
    )


def test_unsafe_fixes_need_the_flag_and_conflicting_replacements_are_refused():
    (finding,) = _findings()
    assert finding.fix is not None
    unsafe = finding._replace(fix=finding.fix._replace(applicability=Applicability.UNSAFE))
    assert _planned([unsafe])[1] == ["unsafe fix: pass --unsafe-fixes"]
    assert _planned([unsafe], unsafe=True)[0] == ["say bonjour"]
    change = finding.fix.changes[0]
    assert isinstance(change, ReplaceText)
    other = finding._replace(
        code="CF998",
        fix=Fix("say hola", Applicability.SAFE, changes=(ReplaceText(**{**_fields(change), "text": "hola"}),)),
    )
    fixed, unfixed, text = _planned([finding, other])
    assert fixed == ["say bonjour"] and unfixed == ["conflicts with the fix of CF999 at the same place"]
    assert "GREETING: bonjour" in text


def test_a_fix_that_needs_another_fixs_change_falls_back_without_it():
    (finding,) = _findings()
    assert finding.fix is not None
    own = finding.fix
    needy = finding._replace(
        fix=Fix(
            "needs the entry", Applicability.SAFE, requires=(EnsureHostGateway("web"),), unmet="no entry", fallback=own
        )
    )
    assert _planned([needy])[0] == ["say bonjour"]  # nobody adds the entry: the fallback does
    lonely = needy._replace(fix=needy.fix._replace(fallback=None))  # type: ignore[union-attr]
    assert _planned([lonely])[1] == ["no entry"]
    helper = finding._replace(code="CF998")
    assert _planned([lonely, helper])[0] == ["needs the entry", "say bonjour"]


def _fields(change: ReplaceText) -> dict[str, object]:
    return {
        "service": change.service,
        "file": change.file,
        "start": change.start,
        "end": change.end,
        "text": change.text,
        "ref": change.ref,
    }


def test_an_unused_suppression_does_not_block_the_override_file(project):
    """Override mode cannot remove a comment: CF900 stays unfixed there (the rewrite used to be refused)."""
    put(
        project,
        """\
        services:
          web:
            image: nginx  # composefix: ignore=CF101
            environment:
              PAYMENTS_URL: smtp://localhost:4000
        """,
    )
    result = CliRunner().invoke(app, ["rewrite", "--no-verify", "compose.yaml"])
    assert (
        "CF900 not fixed: an override file cannot remove a comment; rewrite with --in-place (it edits the text "
        "where it is written)\n"
    ) in result.output
    assert "CF103 fixed" in result.output
    assert 'PAYMENTS_URL: "smtp://host.docker.internal:4000"' in (project / "compose.override.yaml").read_text()


def test_no_empty_override_is_written(project):
    """A fix the override file cannot express (an inline config's content with a variable in it, which the
    override's whole new content could only repeat as its value) leaves no `services: {}` file behind."""
    put(
        project,
        """\
        services:
          api:
            image: example/api
            configs: [app]
        configs:
          app:
            content: "upstream=smtp://localhost:4000 ${MODE:-x}"
        """,
    )
    result = CliRunner().invoke(app, ["rewrite", "--no-verify", "compose.yaml"])
    assert result.output == (
        "compose.yaml:7:31: CF103 not fixed: the content of config `app` is not written verbatim (variables or "
        "escapes); rewrite with --in-place (it edits the text where it is written)\n"
        "nothing the override file can change: no override file written\n"
    )
    assert result.exit_code == 1
    assert not (project / "compose.desktop.yaml").exists() and not (project / "compose.override.yaml").exists()


def test_env_file_values_are_fixed_through_environment_in_override_mode(project):
    """`environment:` beats `env_file` when files merge: the fixed variable alone is written there (the service's
    other variables are not copied), and a secret in it is masked in what is printed."""
    put(project, "services:\n  api:\n    image: example/api\n    env_file: api.env\n")
    (project / "api.env").write_text(
        "PAYMENTS_URL=smtp://localhost:4000\n"
        "API_TOKEN=tok-123456\n"
        "DATABASE_URL='postgres://app:hunter2pw@172.17.0.1:5432/app?x=$y'\n",
        encoding="utf-8",
    )
    diff = CliRunner().invoke(app, ["rewrite", "--diff", "compose.yaml"])
    assert diff.exit_code == 0, diff.output
    assert "hunter2pw" not in diff.output and "tok-123456" not in diff.output
    assert '+      DATABASE_URL: "postgres://app:****@host.docker.internal:5432/app?x=$$y"\n' in diff.stdout
    result = CliRunner().invoke(app, ["rewrite", "compose.yaml"])
    assert result.exit_code == 0, result.output
    assert "Docker Compose accepts the result (`config`)" in result.output
    assert "hunter2pw" not in result.output
    assert (
        "warning: compose.override.yaml now holds the value of DATABASE_URL as written in api.env, with the password "
        "or token written there in clear; do not commit compose.override.yaml where that file is not committed"
    ) in result.stderr
    text = (project / "compose.override.yaml").read_text()
    assert text.split("services:\n", 1)[1] == (
        "  api:\n"
        "    # host.docker.internal does not resolve on Linux Docker Engine without this entry (20.10+)\n"
        "    extra_hosts:\n"
        '      - "host.docker.internal:host-gateway"\n'
        "    environment:\n"
        "      # CF103: overrides the value from api.env\n"
        '      PAYMENTS_URL: "smtp://host.docker.internal:4000"\n'
        "      # CF105: overrides the value from api.env\n"
        '      DATABASE_URL: "postgres://app:hunter2pw@host.docker.internal:5432/app?x=$$y"\n'
    )
    # Real Compose sees the env_file's values, with only the fixed ones replaced (the `$` kept literal).
    command = [str(compose_binary()), "-f", "compose.yaml"]
    before = _environment(project, command)
    after = _environment(project, [*command, "-f", "compose.override.yaml"])
    assert after == {
        **before,
        "PAYMENTS_URL": "smtp://host.docker.internal:4000",
        "DATABASE_URL": before["DATABASE_URL"].replace("172.17.0.1", "host.docker.internal"),
    }
    assert "$" in before["DATABASE_URL"]
    assert CliRunner().invoke(app, ["check", "--target", "linux,desktop"]).exit_code == 0


def _environment(folder, command: list[str]) -> dict[str, str]:
    import json
    import subprocess

    result = subprocess.run(
        [*command, "config", "--format", "json"], cwd=folder, capture_output=True, text=True, check=True
    )
    return dict(json.loads(result.stdout)["services"]["api"]["environment"])


def test_the_usage_says_which_machines_load_each_file(project):
    put(project, "services:\n  api:\n    image: example/api\n    environment:\n      URL: smtp://localhost:4000\n")
    result = CliRunner().invoke(app, ["rewrite", "--no-verify", "compose.yaml"])
    assert result.output.splitlines()[-1] == (
        "use it: every machine: `docker compose up` loads compose.override.yaml automatically"
    )
    assert not (project / "compose.desktop.yaml").exists()
    (project / "compose.override.yaml").unlink()
    put(
        project,
        """\
        services:
          api:
            image: example/api
            network_mode: host
            expose: ["8000"]
            environment:
              URL: smtp://localhost:4000
          web:
            image: example/web
            environment:
              URL: http://172.17.0.1:5432
        """,
    )
    result = CliRunner().invoke(app, ["rewrite", "--no-verify", "compose.yaml"])
    assert result.output.splitlines()[-4:] == [
        "compose.desktop.yaml needs Docker Compose >= 2.18.0",
        "use it: every machine: `docker compose up` loads compose.override.yaml automatically",
        "    VM-backed machines: docker compose -f compose.yaml -f compose.override.yaml -f compose.desktop.yaml up",
        "    or put COMPOSE_FILE=compose.yaml:compose.override.yaml:compose.desktop.yaml in the .env of the "
        "VM-backed machines only",
    ]
    assert "(in compose.override.yaml: every engine needs it)" in result.output  # CF105: web's docker0 address
    assert "CF101 fixed: join the project network and publish 8000:8000 (in compose.desktop.yaml: only " in (
        result.output
    )


def test_the_planner_and_the_writers_name_no_rule():
    """Fixes belong to rules: planning, rendering and rewriting know no rule code (a new rule touches only its
    module, its tests and the registry)."""
    import importlib
    import re
    from pathlib import Path

    for name in (
        "composefix.fixing.plan",
        "composefix.fixing.inplace",
        "composefix.fixing.override",
        "composefix.fixing.rewrite",
    ):
        text = Path(importlib.import_module(name).__file__ or "").read_text(encoding="utf-8")
        assert re.findall(r"CF\d{3}", text) == [], name


def test_env_file_interpolations_stay_interpolations_in_the_override_file(project, monkeypatch):
    """A `${PW}` in an env_file value is written back as `${PW}`: the value the shell has at rewrite time is never
    copied into compose.override.yaml, and Compose fills it in where it runs."""
    import subprocess

    from tests.differential import compose_binary

    put(project, "services:\n  app:\n    image: x\n    env_file: app.env\n")
    (project / "app.env").write_text('DSN="host=172.17.0.1 password=${PW}"\n', encoding="utf-8")
    monkeypatch.setenv("PW", "Sup3rS3cretXYZ")
    result = CliRunner().invoke(app, ["rewrite", "compose.yaml"])
    assert result.exit_code == 0, result.output
    assert "now holds the value" not in result.output
    text = (project / "compose.override.yaml").read_text()
    assert "Sup3rS3cretXYZ" not in text
    assert '      DSN: "host=host.docker.internal password=${PW}"\n' in text
    config = subprocess.run(
        [str(compose_binary()), "config", "--format", "json"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PW": "zz"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert '"DSN": "host=host.docker.internal password=zz"' in config.stdout


def test_env_file_values_that_cannot_be_written_exactly_are_not_fixed(project):
    """Escapes, or a variable the env_file itself sets above: the fix is refused with the reason."""
    put(project, "services:\n  app:\n    image: x\n    env_file: app.env\n")
    (project / "app.env").write_text(
        'PW=abc\nDSN="host=172.17.0.1 password=${PW}"\nESC="host=172.17.0.1\\tx"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["rewrite", "compose.yaml"])
    assert (
        "app.env:2:11: CF105 not fixed: the value in the env_file uses `PW`, which the env_file itself sets above it"
    ) in result.output
    assert "CF105 not fixed: the address is not written verbatim in a file" in result.output
