"""The command line: exit codes, formats, stdin, paths, configuration errors, `rules`."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from composefix import __version__
from composefix.app.parallel import chunk_bounds
from composefix.cli import app
from tests.helpers import ROOT

HOST = "services:\n  proxy:\n    image: nginx\n    network_mode: host\n"
CLEAN = "services:\n  web:\n    image: nginx\n"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # stop the configuration search here
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_exit_0_on_clean_file(project):
    (project / "compose.yaml").write_text(CLEAN)
    result = run("check", "compose.yaml")
    assert result.exit_code == 0
    assert result.stdout == "No findings in 1 file.\n"


def test_exit_1_on_findings_and_default_path_is_current_folder(project):
    (project / "compose.yaml").write_text(HOST)
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("compose.yaml:4:19: CF101 [warning] Service `proxy`")
    assert result.stdout.endswith("1 finding in 1 file (1 warning); 1 file checked.\n")


def test_fail_on_error_lets_warnings_pass(project):
    (project / "compose.yaml").write_text(HOST)
    assert run("check", "--fail-on", "error").exit_code == 0
    assert run("check", "--fail-on", "info").exit_code == 1


def test_stdin(project):
    result = run("check", "-", input=HOST)
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:4:19: CF101")


def test_directories_are_walked_for_compose_names_only(project):
    (project / "a").mkdir()
    (project / "a" / "docker-compose.prod.yml").write_text(HOST)
    (project / "a" / "compose.override.yaml").write_text(CLEAN)
    (project / "a" / "values.yaml").write_text("services: [\n")
    (project / "node_modules").mkdir()
    (project / "node_modules" / "compose.yaml").write_text("services: [\n")
    result = run("check", "--format", "json", ".")
    report = json.loads(result.stdout)
    assert report["files"] == ["a/compose.override.yaml", "a/docker-compose.prod.yml"]


def test_select_ignore_and_target(project):
    (project / "compose.yaml").write_text(HOST + "    ports: ['80:80']\n")
    codes = lambda r: [f["code"] for f in json.loads(r.stdout)["findings"]]  # noqa: E731
    assert codes(run("check", "--format", "json")) == ["CF101", "CF102"]
    assert codes(run("check", "--format", "json", "--select", "CF102")) == ["CF102"]
    assert codes(run("check", "--format", "json", "--ignore", "host-network-mode")) == ["CF102"]
    assert codes(run("check", "--format", "json", "--target", "linux")) == ["CF102"]
    assert codes(run("check", "--format", "json", "--target", "linux,colima")) == ["CF101", "CF102"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.yaml"], "composefix: error: missing.yaml: no such file or directory\n"),
        (["check", "--select", "CF1O1"], "unknown rule `CF1O1` (did you mean CF101?)"),
        (["check", "--target", "mac"], "unknown target `mac`; choose from: linux, desktop"),
        (["check", "--format", "xml"], "unknown format `xml`; choose one of: text, json"),
        (["check", "--fail-on", "fatal"], "--fail-on takes error, warning or info, not `fatal`"),
        (["check", "--config", "nope.toml"], "nope.toml: no such configuration file"),
        (["check", "empty"], "no compose files found in empty"),
        (["rules", "CF999"], "unknown rule `CF999`"),
    ],
)
def test_usage_errors_exit_2_with_one_line(project, args, message):
    (project / "compose.yaml").write_text(CLEAN)
    (project / "empty").mkdir()
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_bad_config_exit_2_names_file_and_line(project):
    (project / "compose.yaml").write_text(CLEAN)
    (project / ".composefix.toml").write_text('targets = ["linux"]\nignore = "CF101"\n')
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr.startswith("composefix: error: ")
    assert ".composefix.toml:2: `ignore`: 'CF101' is not of type 'array'" in result.stderr


def test_config_is_applied(project):
    (project / "compose.yaml").write_text(HOST)
    (project / ".composefix.toml").write_text('targets = ["linux"]\n')
    assert run("check").exit_code == 0
    (project / ".composefix.toml").write_text('[severity]\nCF101 = "info"\n')
    result = run("check")
    assert result.exit_code == 0 and "CF101 [info]" in result.stdout
    (project / ".composefix.toml").write_text('[per-file-ignores]\n"compose.yaml" = ["CF101"]\n')
    assert run("check").stdout == "No findings in 1 file.\n"


def test_unreadable_file_is_reported_and_others_still_checked(project, monkeypatch):
    (project / "compose.yaml").write_text(HOST)
    bad = project / "docker-compose.yml"
    bad.write_text(CLEAN)
    # CI runs as root, which reads any file whatever its mode: make opening it fail as it would for a user.
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == "docker-compose.yml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    result = run("check", "compose.yaml", "docker-compose.yml")
    assert result.exit_code == 2
    assert "compose.yaml:4:19: CF101" in result.stdout
    assert "composefix: error: docker-compose.yml: cannot read: Permission denied" in result.stderr


def test_output_file(project):
    (project / "compose.yaml").write_text(HOST)
    result = run("check", "--format", "json", "-o", "report.json")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((project / "report.json").read_text())["summary"]["findings"] == 1


def test_no_color_in_pipes_and_with_no_color(project, monkeypatch):
    (project / "compose.yaml").write_text(HOST)
    assert "\x1b[" not in run("check").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("check").stdout


def test_color_renderer_only_when_asked():
    from composefix.reporting.formats import REPORTERS, RenderOptions
    from composefix.rules.runner import Options, check_text

    report = check_text(HOST, "compose.yaml", Options(environ={}))
    assert "\x1b[33m" in REPORTERS["text"](report, RenderOptions(color=True))
    assert "\x1b[" not in REPORTERS["text"](report, RenderOptions(color=False))


def test_yaml_error_file_exits_1_with_cf001(project):
    (project / "compose.yaml").write_text("services:\n  web: [\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("compose.yaml:3:1: CF001 [error]")


def test_rules_list_and_doc():
    result = run("rules")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("CF001  yaml-syntax-error")
    doc = run("rules", "host-network-mode")
    assert doc.stdout.startswith("CF101 host-network-mode [warning]")
    assert "## Why is this bad?" in doc.stdout
    payload = json.loads(run("rules", "CF107", "--format", "json").stdout)
    assert payload["targets"] == ["linux"]


def test_python_dash_m_and_version():
    result = subprocess.run(
        [sys.executable, "-m", "composefix", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == f"composefix {__version__}\n"


def test_real_process_exit_codes_and_masking(tmp_path: Path):
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  api:\n    environment:\n      DB: postgres://u:TopSecret1@172.17.0.1:5432/db\n")
    result = subprocess.run(
        [sys.executable, "-m", "composefix", "check", str(compose)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "TopSecret1" not in result.stdout + result.stderr
    assert "postgres://u:****@172.17.0.1" in result.stdout


def test_real_process_leaves_nothing_unwritten(tmp_path: Path):
    """`main` ends with os._exit: every byte must be out first, whatever the stream, and exit codes kept."""
    compose = tmp_path / "compose.yaml"
    services = "".join(
        f"  s{i}:\n    network_mode: host\n    environment:\n      U: http://localhost:{i}\n" for i in range(300)
    )
    compose.write_text("services:\n" + services)
    command = [sys.executable, "-m", "composefix", "check", "--format", "json", str(compose)]
    piped = subprocess.run(command, capture_output=True, check=False)
    in_process = CliRunner().invoke(app, ["check", "--format", "json", str(compose)])
    assert piped.returncode == in_process.exit_code == 1
    assert len(piped.stdout) > 200_000  # far beyond any pipe or stdio buffer
    assert piped.stdout.decode() == in_process.stdout
    report = tmp_path / "report.json"
    to_file = subprocess.run([*command, "-o", str(report)], capture_output=True, check=False)
    assert to_file.returncode == 1
    assert report.read_text(encoding="utf-8") == in_process.stdout
    usage = subprocess.run([sys.executable, "-m", "composefix", "check", "--bogus"], capture_output=True, check=False)
    assert usage.returncode == 2
    assert b"No such option: --bogus" in usage.stderr
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        broken = subprocess.run(command, stdout=write_end, stderr=subprocess.PIPE, check=False)
    finally:
        os.close(write_end)
    assert broken.returncode == 2
    assert b"Traceback" not in broken.stderr
    clean = tmp_path / "clean.yaml"
    clean.write_text("services:\n  api:\n    image: x\n")
    assert subprocess.run([*command[:-1], str(clean)], capture_output=True, check=False).returncode == 0


def test_dash_f_merges_files_in_order(project):
    (project / "base.yaml").write_text(
        "services:\n  api:\n    image: x\n    environment:\n      U: http://host.docker.internal:1\n"
    )
    (project / "linux.yaml").write_text("services:\n  api:\n    extra_hosts: ['host.docker.internal:host-gateway']\n")
    alone = json.loads(run("check", "--format", "json", "base.yaml").stdout)
    assert [f["code"] for f in alone["findings"]] == ["CF107"]
    merged = run("check", "--format", "json", "-f", "base.yaml", "-f", "linux.yaml")
    assert json.loads(merged.stdout)["findings"] == []
    assert json.loads(merged.stdout)["files"] == ["base.yaml", "linux.yaml"]


def test_folder_pairs_main_file_with_automatic_override(project):
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    image: x\n    environment:\n      U: http://host.docker.internal:1\n"
    )
    (project / "compose.override.yaml").write_text(
        "services:\n  api:\n    extra_hosts: ['host.docker.internal:host-gateway']\n"
    )
    result = run("check", "--format", "json")
    assert json.loads(result.stdout)["findings"] == []


def test_compose_file_variable_is_used_without_paths(project, monkeypatch):
    (project / "a.yaml").write_text(HOST)
    (project / "b.yaml").write_text("services:\n  proxy:\n    network_mode: !reset null\n")
    monkeypatch.setenv("COMPOSE_FILE", "a.yaml:b.yaml")
    result = run("check")
    assert result.exit_code == 0, result.stdout
    monkeypatch.setenv("COMPOSE_FILE", "a.yaml:missing.yaml")
    assert "missing.yaml: no such file (named by COMPOSE_FILE)" in run("check").stderr


def test_env_file_option_and_findings_in_env_files(project):
    (project / "compose.yaml").write_text("services:\n  api:\n    image: x\n    environment:\n      DB: ${DB_URL}\n")
    (project / "dev.env").write_text("DB_URL=postgres://localhost:5433/app\n")
    result = run("check", "--env-file", "dev.env", "compose.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("dev.env:1:19: CF103 [warning] Service `api` connects to `localhost:5433`")
    assert " 1 | DB_URL=postgres://localhost:5433/app" in result.stdout
    assert run("check", "--env-file", "nope.env").exit_code == 2


def test_profile_option_narrows(project):
    (project / "compose.yaml").write_text(
        "services:\n  a:\n    image: x\n  dbg:\n    image: x\n    profiles: [debug]\n    network_mode: host\n"
    )
    assert run("check").exit_code == 1
    assert run("check", "--profile", "prod").exit_code == 0


def test_quiet_verbose_and_statistics(project):
    (project / "compose.yaml").write_text(HOST + "    ports: ['80:80']\n  b:\n    image: x\n    network_mode: host\n")
    quiet = run("check", "-q")
    assert (
        quiet.stdout.splitlines() == [line for line in quiet.stdout.splitlines() if line.startswith("compose.yaml:")]
        and len(quiet.stdout.splitlines()) == 3
    )
    assert run("check", "--statistics").stdout == "2  CF101  host-network-mode\n1  CF102  ports-ignored-in-host-mode\n"
    verbose = run("check", "-v")
    assert "project compose.yaml:\n  read compose.yaml\n" in verbose.stderr


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch, capsys):
    from composefix import cli

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    show = cli._progress_bar(40)
    assert show is not None
    show(0, 40)
    show(39, 40)
    err = capsys.readouterr().err
    assert "\r[" in err and "] 40/40 projects\n" in err
    assert cli._progress_bar(5) is None
    monkeypatch.setenv("CI", "true")
    assert cli._progress_bar(40) is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: False)
    assert cli._progress_bar(40) is None


def test_option_typos_get_a_suggestion(project):
    result = run("check", "--selct", "CF101")
    assert result.exit_code == 2
    assert "--select" in result.output


def test_jobs_give_the_same_report_in_the_same_order(project):
    for i in range(45):
        folder = project / f"p{i:02d}"
        folder.mkdir()
        mode = "    network_mode: host\n" if i % 3 == 0 else ""
        (folder / "compose.yaml").write_text(
            f"services:\n  s{i}:\n    image: x\n{mode}    environment:\n      U: http://localhost:{4000 + i}\n"
        )
    one = run("check", "--jobs", "1", "--format", "json", ".")
    two = run("check", "--jobs", "2", "--format", "json", ".")
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert run("check", "--jobs", "2", ".").stdout == run("check", "--jobs", "1", ".").stdout


@given(count=st.integers(1, 5000), jobs=st.integers(1, 64))
def test_chunks_cover_every_project_once_and_shrink_towards_the_end(count: int, jobs: int) -> None:
    """The chunks the workers take: in order, each project once, never growing, each at most half a worker's
    even share of what is left (so the last ones are small and even out the workers' finishing times), and not
    many more than 32 per worker (each chunk is a round trip to a worker)."""
    bounds = chunk_bounds(count, jobs)
    assert bounds[0][0] == 0 and bounds[-1][1] == count
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(bounds))
    sizes = [end - start for start, end in bounds]
    assert all(size >= 1 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    # Each chunk at most half a worker's even share of the projects still left (or the floor): the last ones small.
    floor = max(1, count // (jobs * 32))
    assert all(end - start <= max(floor, -(-(count - start) // (jobs * 2))) for start, end in bounds)
    assert len(bounds) <= jobs * 32 + 2 * jobs * max(1, count).bit_length() + 1
    assert sizes[0] >= min(count, -(-count // (jobs * 2)))  # the first chunks large: few round trips


def test_jobs_keep_a_fix_edit_in_a_file_without_findings(project):
    """A finding in an env_file whose fix also adds `extra_hosts` to the compose file (which has no finding of
    its own): worker processes send back that file too, so the fix keeps both edits with any number of jobs."""
    for name in ("a", "b"):
        (project / name).mkdir()
        compose = "services:\n  app:\n    image: example/app\n    env_file: app.env\n"
        (project / name / "compose.yaml").write_text(compose)
        (project / name / "app.env").write_text("DATABASE_URL=postgres://u@localhost:5432/db\n")
    one = json.loads(run("check", "--jobs", "1", "--format", "json", ".").stdout)
    two = json.loads(run("check", "--jobs", "2", "--format", "json", ".").stdout)
    assert one == two
    edits = two["findings"][0]["fix"]["edits"]
    assert [e["file"] for e in edits] == ["a/app.env", "a/compose.yaml"]
    assert edits[1]["text"] == '\n    extra_hosts:\n      - "host.docker.internal:host-gateway"'


def test_checking_leaves_the_garbage_collector_as_it_found_it(project):
    """A library caller's process state is its own: on or off, and when checking fails, the collector is left as
    it was (how checking uses it inside is not pinned)."""
    import gc

    from composefix.rules import runner as engine

    (project / "compose.yaml").write_text("services:\n  api:\n    image: x\n    network_mode: host\n")
    projects = [[project / "compose.yaml"]]
    assert gc.isenabled()
    assert [f.code for f in engine.check_projects(projects, engine.Options()).findings] == ["CF101"]
    assert gc.isenabled()
    gc.disable()
    try:
        engine.check_projects(projects, engine.Options())
        assert not gc.isenabled()
    finally:
        gc.enable()

    def interrupted(index: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.check_projects(projects, engine.Options(), progress=interrupted)
    assert gc.isenabled()


def test_folders_are_walked_for_the_hyphen_forms_too(project):
    for name in ("docker-compose-dev.yml", "docker-compose-macos.yml", "compose-prod.yaml"):
        (project / name).write_text(CLEAN)
    (project / "composer.yaml").write_text("services: [\n")  # not a compose name
    (project / "compose-.yaml").write_text("services: [\n")  # nor this
    result = run("check", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout == "No findings in 3 files.\n"
    files = json.loads(run("check", "--format", "json", ".").stdout)["files"]
    assert files == ["compose-prod.yaml", "docker-compose-dev.yml", "docker-compose-macos.yml"]
    # Without arguments: the compose files of the current folder, the same names.
    assert run("check").stdout == "No findings in 3 files.\n"


def test_configuration_is_looked_up_from_the_compose_files_folder(project, monkeypatch):
    sub = project / "sub"
    sub.mkdir()
    (sub / "compose.yaml").write_text(HOST)
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.composefix]\ntargets = ["linux"]\n')
    # From the repository root: sub/pyproject.toml applies to sub/compose.yaml (host mode is fine on Linux).
    assert run("check", "sub/compose.yaml").stdout == "No findings in 1 file.\n"
    assert run("check", "-f", "sub/compose.yaml").exit_code == 0
    assert run("check", "sub").exit_code == 0
    # The nearest configuration wins over one further up; --config wins over both.
    (project / ".composefix.toml").write_text('targets = ["desktop"]\n')
    assert run("check", "sub/compose.yaml").exit_code == 0
    assert run("check", "--config", ".composefix.toml", "sub/compose.yaml").exit_code == 1
    # From anywhere else: the same file, the same configuration.
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run("check", "../sub/compose.yaml").exit_code == 0
    # A file in a folder with no configuration of its own gets the repository's, not the current folder's.
    (project / "other").mkdir()
    (project / "other" / "compose.yaml").write_text(HOST)
    (elsewhere / ".composefix.toml").write_text('targets = ["linux"]\n')
    assert run("check", "../other/compose.yaml").exit_code == 1  # .composefix.toml at the root: desktop


def test_a_second_path_with_its_own_configuration_gets_a_note(project):
    for name, targets in (("a", "linux"), ("b", "desktop")):
        (project / name).mkdir()
        (project / name / "compose.yaml").write_text(HOST)
        (project / name / ".composefix.toml").write_text(f'targets = ["{targets}"]\n')
    result = run("check", "a", "b")
    assert result.exit_code == 0  # a's configuration (linux) is used for both
    assert result.stderr == (
        "note: b/.composefix.toml is not used: this run uses a/.composefix.toml (found from the first path's "
        "folder); check b on its own to apply it\n"
    )
    assert run("check", "b").exit_code == 1
    # Files named in each folder, however written: the note names the folder as Path(name).parent does.
    for second in ("b/compose.yaml", "./b/compose.yaml", "b//compose.yaml", "b/compose.yaml/", "b/compose.yaml/."):
        result = run("check", "a/compose.yaml", second)
        assert result.stderr.endswith("folder); check b on its own to apply it\n"), second


def test_unknown_configuration_key_gets_a_suggestion(project):
    (project / "compose.yaml").write_text(CLEAN)
    (project / ".composefix.toml").write_text('targets = ["linux"]\nfail_on = "error"\n')
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr == ("composefix: error: .composefix.toml:2: unknown key `fail_on` (did you mean `fail-on`?)\n")


class _Exited(Exception):
    pass


def test_the_console_script_keeps_the_report_until_it_exits_and_library_use_keeps_nothing(project, monkeypatch):
    """`composefix.entry.main` leaves with `os._exit`: the check's report is kept (`cli.KEPT`) rather than freed
    object by object just before; a command run through the library (`app`) keeps nothing."""
    import gc

    from composefix import cli, entry

    (project / "compose.yaml").write_text(HOST)
    assert run("check", "compose.yaml").exit_code == 1
    assert cli.KEPT is None

    codes: list[int] = []

    def _exit(code: int) -> None:
        codes.append(code)
        raise _Exited

    monkeypatch.setattr(cli, "KEPT", None)  # restored after the test
    monkeypatch.setattr(os, "_exit", _exit)
    monkeypatch.setattr(sys, "argv", ["composefix", "check", "-q", "compose.yaml"])
    enabled = gc.isenabled()
    try:
        with pytest.raises(_Exited):
            entry.main()
    finally:
        if enabled:
            gc.enable()
    assert codes == [1]
    kept = cli.KEPT
    assert kept is not None and len(kept) == 1
    report = kept[0].report  # type: ignore[attr-defined]
    assert [f.code for f in report.findings] == ["CF101"]
    assert list(report.documents) == ["compose.yaml"]


def test_a_main_file_named_alone_is_checked_with_the_override_composefix_wrote_for_every_engine(project):
    """A pre-commit hook passes only the staged file: `compose.yaml` named alone is checked with the
    `compose.override.yaml` composefix wrote beside it (Compose loads the two together), so a fix made there is
    not reported again; an automatic override the user wrote is not added (name it to check it with its base)."""
    (project / "compose.yaml").write_text(
        "services:\n  app:\n    image: x\n    environment:\n      API: http://host.docker.internal:8080\n"
    )
    assert run("check", "compose.yaml").exit_code == 1
    assert run("rewrite", "--no-verify", ".").exit_code == 0
    assert (project / "compose.override.yaml").read_text().startswith("# Generated by composefix")
    for named in ("compose.yaml", "compose.override.yaml"):
        result = run("check", named)
        assert (result.exit_code, result.stdout) == (0, "No findings in 2 files.\n"), named
    (project / "compose.override.yaml").write_text(
        'services:\n  app:\n    extra_hosts: ["host.docker.internal:host-gateway"]\n'
    )
    result = run("check", "compose.yaml")
    assert result.exit_code == 1 and "CF107" in result.stdout


def test_the_language_server_groups_a_file_with_the_override_composefix_wrote(project):
    """The editor's project of `compose.yaml` holds the `compose.override.yaml` composefix wrote for every engine,
    as `check .` does, but not the file it wrote for VM-backed engines only."""
    from composefix.app.editing import compose_project, real

    (project / "compose.yaml").write_text(
        "services:\n  app:\n    image: x\n    network_mode: host\n    environment:\n"
        "      API: http://host.docker.internal:8080\n"
    )
    assert run("rewrite", "--no-verify", "--publish", "app=8000", ".").exit_code == 0
    assert (project / "compose.desktop.yaml").is_file()
    files = compose_project(real(project / "compose.yaml"))
    assert [Path(f).name for f in files] == ["compose.yaml", "compose.override.yaml"]
