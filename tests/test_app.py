"""The application layer without the command line: settings precedence, run_check, run_rewrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from composefix.app import UsageError
from composefix.app.checking import run_check
from composefix.app.rewriting import messages, regenerate_command, run_rewrite
from composefix.app.settings import Flags, build
from composefix.model import Severity, Target

HOST = "services:\n  proxy:\n    image: nginx\n    network_mode: host\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_flags_win_over_the_configuration_which_wins_over_defaults(project):
    (project / "compose.yaml").write_text(HOST)
    defaults = build(Flags())
    assert defaults.config.path is None
    assert defaults.options.targets == frozenset({Target.LINUX, Target.DESKTOP})
    assert defaults.fail_on is Severity.WARNING
    assert defaults.projects == (("compose.yaml",),)
    (project / ".composefix.toml").write_text(
        'targets = ["linux", "colima"]\nfail-on = "error"\nselect = ["CF1"]\nignore = ["CF110"]\n'
        "[publish]\nproxy = [80]\n"
    )
    configured = build(Flags(command="rewrite"))
    assert configured.config.path == Path(".composefix.toml")
    assert configured.options.targets == frozenset({Target.LINUX, Target.COLIMA})
    assert configured.fail_on is Severity.ERROR
    assert configured.options.select == ("CF1",) and configured.options.ignore == ("CF110",)
    assert configured.publish == {"proxy": [80]}
    flagged = build(
        Flags(
            command="rewrite",
            targets=("desktop",),
            fail_on="info",
            select=("CF101",),
            ignore=("CF102",),
            publish=("proxy=443",),
        )
    )
    assert flagged.options.targets == frozenset({Target.DESKTOP})
    assert flagged.fail_on is Severity.INFO
    # --select replaces the configured selection; --ignore adds to the configured ignores; --publish adds ports.
    assert flagged.options.select == ("CF101",) and flagged.options.ignore == ("CF102", "CF110")
    assert flagged.publish == {"proxy": [80, 443]}


def test_usage_errors_are_raised_not_printed(project):
    with pytest.raises(UsageError, match="no compose files found in the current folder"):
        build(Flags())
    (project / "compose.yaml").write_text(HOST)
    with pytest.raises(UsageError, match="--in-place patches the files themselves"):
        build(Flags(command="rewrite", in_place=True, output=Path("x.yaml")))
    with pytest.raises(UsageError, match="rewrite needs files on disk"):
        build(Flags(command="rewrite", paths=("-",)))


def test_run_check_returns_the_report_and_the_exit_code(project):
    (project / "compose.yaml").write_text(HOST)
    result = run_check(build(Flags()))
    assert [(f.code, f.line, f.column) for f in result.report.findings] == [("CF101", 4, 19)]
    assert result.io_errors == [] and result.exit_code == 1
    assert run_check(build(Flags(fail_on="error"))).exit_code == 0
    stdin = run_check(build(Flags(paths=("-",))), stdin=lambda limit: b"services:\n  a:\n    image: x\n")
    assert stdin.report.findings == [] and stdin.exit_code == 0


def test_run_rewrite_with_diff_writes_nothing_and_says_what_it_would_do(project):
    (project / "compose.yaml").write_text("services:\n  api:\n    image: x\n    environment:\n      H: 172.17.0.1\n")
    settings = build(Flags(command="rewrite", diff=True, verify=False))
    result = run_rewrite(settings)
    assert result.exit_code == 0 and result.error is None
    assert not (project / "compose.desktop.yaml").exists()
    lines = [text for text, _ in messages(result)]
    assert lines[0] == (
        "compose.yaml:5:10: CF105 fixed: use `host.docker.internal` (with its host-gateway entry) "
        "(in compose.override.yaml: every engine needs it)"
    )
    assert lines[1].startswith("--- /dev/null\n+++ b/compose.override.yaml\n")
    assert regenerate_command(settings, [Path("compose.yaml")]) == (
        "composefix rewrite -f compose.yaml -o compose.desktop.yaml"
    )
