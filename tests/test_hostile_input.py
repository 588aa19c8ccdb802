"""Hostile input: a repository built to hang, exhaust, crash or exfiltrate through `composefix check`.

One test per attack class. Every input is built here, inside the test's own temporary folder; nothing connects
anywhere but 127.0.0.1. CI also runs this file under a 1 GiB address-space limit (see .ci/run), so each case
must stay small in memory as well as in time.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.reading.files import Reader
from composefix.rules.runner import Options, check_projects

FORMATS = ("text", "json", "sarif", "github", "junit")
GOOD = "services:\n  web:\n    image: nginx\n    network_mode: host\n"  # one CF101 finding
SECRET = "ghp_Hostile0Secret0Token"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result


def run(*args: str, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None, shell_prefix: str = ""):
    """composefix in its own process (for what could hang or needs real file descriptors)."""
    command = f"{shell_prefix}{sys.executable} -m composefix " + " ".join(args)
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result


def findings(*args: str) -> list[tuple[str, str, int, str]]:
    result = cli("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [(f["code"], f["file"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


# --- the inputs -------------------------------------------------------------------------------------------------


def alias_growth() -> str:
    """24 KB that aliases expand to 190 MB of text: 100 services x 100 variables x 19 KB."""
    value = " ".join(["http://localhost:1"] * 1000)
    env = "".join(f"  V{i}: *a\n" for i in range(100))
    services = "".join(f"  s{i}:\n    image: x\n    environment: *env\n" for i in range(100))
    return f"x-a: &a '{value}'\nx-env: &env\n{env}services:\n{services}"


def long_command(words: int) -> str:
    return (
        "services:\n  web:\n    image: x\n    network_mode: host\n    command: "
        + " ".join(["localhost:1"] * words)
        + "\n"
    )


HOSTILE = {
    "alias-growth.yaml": alias_growth(),
    "recursive-sequence.yaml": "a: &a [*a]\nservices:\n  web:\n    image: x\n",
    "recursive-merge.yaml": "x: &x {<<: *x}\nservices:\n  web:\n    image: x\n",
    "deep-flow.yaml": "services: " + "[" * 500 + "]" * 500 + "\n",
    "deep-block.yaml": "services:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 600)),
    "nested-defaults.yaml": "services:\n  web:\n    image: " + "${A:-" * 400 + "x" + "}" * 400 + "\n",
    "port-range.yaml": 'services:\n  web:\n    image: x\n    ports: ["1-65535:1-65535"]\n    expose: ["1-65535"]\n',
    "surrogate-key.yaml": 'services:\n  web:\n    image: x\n"\\ud800": 1\n',
    "extends-chain.yaml": "services:\n"
    + "".join(f"  s{i}:\n    image: x\n    extends: s{i + 1}\n" for i in range(2000))
    + "  s2000:\n    image: x\n",
}


def write_hostile(folder: Path) -> list[str]:
    names = []
    for name, text in HOSTILE.items():
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
    return names


def include_chain(folder: Path, depth: int) -> None:
    """`include: [next, next]` ``depth`` levels deep: 2**depth loads unless each file is loaded once."""
    for i in range(depth):
        (folder / f"f{i}.yaml").write_text(f"include: [f{i + 1}.yaml, f{i + 1}.yaml]\n")
    (folder / f"f{depth}.yaml").write_text("services:\n  last:\n    image: x\n")
    (folder / "compose.yaml").write_text("include: [f0.yaml]\nservices:\n  web:\n    image: x\n")


# --- amplification and super-linear cost ---------------------------------------------------------------------


def test_alias_growth_is_bounded_by_expanded_size(project):
    (project / "compose.yaml").write_text(alias_growth())
    found, seconds = timed(findings, "compose.yaml")
    assert seconds < 20
    assert [(f[0], f[2]) for f in found] == [("CF001", 1)]
    assert found[0][3].startswith("aliases repeat more than 2,000,000 characters of text")


def test_moderate_aliases_are_still_read(project):
    # A real file's reuse of a block is far below the bound: it is read and checked as before.
    block = "".join(f"      V{i}: http://localhost:{8000 + i}\n" for i in range(20))
    services = "".join(f"  s{i}:\n    image: x\n    network_mode: host\n    environment: *env\n" for i in range(30))
    (project / "compose.yaml").write_text(f"x-env:\n  e: &env\n{block}services:\n{services}")
    codes = {f[0] for f in findings("compose.yaml")}
    assert codes == {"CF101", "CF103"}


def check_once(path: Path) -> list[str]:
    report = check_projects([[path]], Options(environ={}, schema=False), Reader())
    return [f.code for f in report.findings]


def growth(folder: Path, build, base: int) -> tuple[float, float]:
    """Seconds to check the input built at ``base`` and at 8 x ``base`` (best of two each)."""
    seconds = []
    for size in (base, 8 * base):
        path = folder / f"size-{size}.yaml"
        path.write_text(build(size))
        seconds.append(min(timed(check_once, path)[1] for _ in range(2)))
    return seconds[0], seconds[1]


def test_long_command_is_linear(project):
    # 16k `localhost:1` words took 44 s (the text before each match was split into shell segments again, and
    # the line was searched for a comment again for each address).
    small = project / "small.yaml"
    small.write_text(long_command(2000))
    assert check_once(small).count("CF103") == 2000
    x1, x8 = growth(project, long_command, 2000)
    assert x8 < 20 and x8 < 16 * x1, (x1, x8)  # linear: about 8 x; quadratic: 64 x


def shared_anchor(services: int) -> str:
    body = "".join(f"  s{i}:\n    image: x\n    network_mode: host\n    environment: *env\n" for i in range(services))
    return f"x-env: &env\n  URL: http://localhost:5432\nservices:\n{body}"


def test_services_sharing_a_finding_are_linear(project):
    # 4,000 services sharing one anchored value: one finding naming them, one fix each (was quadratic twice).
    (project / "few.yaml").write_text(shared_anchor(50))
    assert sorted(check_once(project / "few.yaml")) == ["CF101"] * 50 + ["CF103"]
    x1, x8 = growth(project, shared_anchor, 500)
    assert x8 < 20 and x8 < 16 * x1, (x1, x8)


def test_port_ranges_are_ranges(project):
    (project / "compose.yaml").write_text(HOSTILE["port-range.yaml"])
    found, seconds = timed(findings, "compose.yaml")
    # The range publishes host port 5000, taken by macOS's AirPlay Receiver (CF207): that one finding is right.
    assert [code for code, *_ in found] == ["CF207"] and seconds < 10  # took 83 s


def test_port_range_still_matches_one_port(project):
    # `localhost:8050` in a bridge service reaches the host port 8050, published by `db` for its port 9050.
    (project / "compose.yaml").write_text(
        "services:\n  db:\n    image: x\n    ports: ['8000-8100:9000-9100']\n"
        "  app:\n    image: x\n    environment:\n      DB_URL: postgres://localhost:8050/db\n"
    )
    found = findings("compose.yaml")
    assert [(f[0], f[2]) for f in found] == [("CF104", 8)]
    assert "`db` publishes 8050 for its port 9050" in found[0][3]


def test_include_is_loaded_once_per_file(project):
    include_chain(project, 18)  # took 7.8 s: 2**18 loads
    found, seconds = timed(findings, "compose.yaml")
    assert found == [] and seconds < 10


def test_include_depth_is_limited(project):
    for i in range(40):
        (project / f"f{i}.yaml").write_text(f"include: [f{i + 1}.yaml]\n")
    (project / "f40.yaml").write_text("services:\n  last:\n    image: x\n")
    (project / "compose.yaml").write_text("include: [f0.yaml]\nservices:\n  web:\n    image: x\n")
    found = findings("compose.yaml")
    assert [(f[0], f[1]) for f in found] == [("CF004", "f31.yaml")]
    assert "`include` nested deeper than 32 files" in found[0][3]


def test_extends_chain_is_limited(project):
    (project / "compose.yaml").write_text(HOSTILE["extends-chain.yaml"])
    found = findings("compose.yaml")
    assert found and {f[0] for f in found} == {"CF004"}
    assert all("`extends` chain longer than 64 services" in f[3] for f in found)


def test_interpolation_growth_is_bounded(project):
    # Each `.env` line doubles the one before: 40 lines would be a terabyte; `${A}` repeated in the compose file
    # multiplies a long value again.
    lines = ["V0=" + "x" * 1000] + [f"V{i}=${{V{i - 1}}}${{V{i - 1}}}" for i in range(1, 40)]
    (project / ".env").write_text("\n".join(lines) + "\n")
    (project / "compose.yaml").write_text(
        "services:\n  web:\n    image: x\n    command: " + "${V9}" * 5000 + "\n    network_mode: host\n"
    )
    found, seconds = timed(findings, "compose.yaml")
    assert seconds < 20
    limit = "variables substitute more than 2,000,000 characters into this file: composefix stops interpolating here"
    assert sorted((f[0], f[1], f[3]) for f in found if f[0] == "CF004") == [
        ("CF004", ".env", f"env file: {limit}"),
        ("CF004", "compose.yaml", limit),
    ]
    assert ("CF101", "compose.yaml", 5) in [f[:3] for f in found]


# --- one bad file never stops the others ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("recursive-sequence.yaml", "CF001", "an alias is used inside its own anchor's value (a recursive alias)"),
        ("recursive-merge.yaml", "CF001", "an alias is used inside its own anchor's value (a recursive alias)"),
        ("deep-flow.yaml", "CF001", "nesting is deeper than 100 levels"),
        ("deep-block.yaml", "CF001", "nesting is deeper than 100 levels"),
        ("nested-defaults.yaml", "CF002", "interpolation nested deeper than 32 levels (`${A:-${B:-...}}`)"),
    ],
)
def test_recursion_is_a_finding_on_that_file(project, name, code, message):
    (project / name).write_text(HOSTILE[name])
    (project / "compose.yaml").write_text(GOOD)
    found = findings(name, "compose.yaml")
    assert (code, name, message) in [(f[0], f[1], f[3]) for f in found]
    assert ("CF101", "compose.yaml") in [(f[0], f[1]) for f in found]  # and the run went on


def test_lone_surrogate_prints_in_every_format(project):
    (project / "compose.yaml").write_text(HOSTILE["surrogate-key.yaml"])
    for fmt in FORMATS:
        result = run("check", "--format", fmt, "compose.yaml", cwd=project)
        assert result.returncode == 1, (fmt, result.stderr)
    assert findings("compose.yaml") == [("CF002", "compose.yaml", 4, 'unknown key "\ufffd" at the top level')]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_internal_error_never_appears(project, name):
    (project / name).write_text(HOSTILE[name], encoding="utf-8")
    for fmt in FORMATS:
        result = CliRunner().invoke(app, ["check", "--format", fmt, name])
        assert "internal error" not in result.output and "Traceback" not in result.output, (fmt, result.output)
        assert result.exit_code in (0, 1), (fmt, result.output[-300:])


def test_every_hostile_file_in_one_run(project):
    names = write_hostile(project)
    (project / "compose.yaml").write_text(GOOD)
    for fmt in FORMATS:
        result = cli("check", "--format", fmt, *names, "compose.yaml")
        assert result.exit_code == 1, (fmt, result.output[-500:])
    found = findings(*names, "compose.yaml")
    assert {f[1] for f in found} >= {*names, "compose.yaml"} - {"port-range.yaml"}


def test_unreadable_companion_files_are_findings(project):
    (project / ".env").mkdir()  # a folder where the `.env` file should be
    os.mkfifo(project / "fifo.env")
    (project / "big.env").write_text("A=" + "x" * 5000 + "\n")
    (project / "compose.yaml").write_text(
        "services:\n  web:\n    image: x\n    env_file: [fifo.env, big.env]\n    extends:\n      file: fifo.yaml\n"
        "      service: base\n"
    )
    os.mkfifo(project / "fifo.yaml")
    result = run("check", "--format", "json", "--max-file-size", "1000", "compose.yaml", cwd=project, timeout=30)
    assert result.returncode == 1, result.stderr
    found = sorted((f["code"], f["file"], f["message"]) for f in json.loads(result.stdout)["findings"])
    assert found == [
        ("CF004", ".env", "cannot read this env file: not a regular file: .env"),
        (
            "CF004",
            "big.env",
            "cannot read this env file: file is 5,003 bytes, over the 1,000-byte limit (raise it with --max-file-size)",
        ),
        ("CF004", "fifo.env", "cannot read this env file: not a regular file: fifo.env"),
        ("CF004", "fifo.yaml", "cannot read this compose file: not a regular file: fifo.yaml"),
    ]


# --- files, folders and processes ----------------------------------------------------------------------------


def test_fifo_named_compose_yaml_does_not_hang(project):
    (project / "app").mkdir()
    os.mkfifo(project / "app" / "compose.yaml")
    (project / "web").mkdir()
    (project / "web" / "compose.yaml").write_text(GOOD)
    walked = run("check", "--format", "json", ".", cwd=project, timeout=30)
    assert walked.returncode == 1 and json.loads(walked.stdout)["files"] == ["web/compose.yaml"]
    named = run("check", "app/compose.yaml", cwd=project, timeout=30)
    assert named.returncode == 2
    assert named.stderr == "composefix: error: app/compose.yaml: cannot read: not a regular file\n"


def test_walk_does_not_follow_symlinked_folders(project):
    (project / "web").mkdir()
    (project / "web" / "compose.yaml").write_text(GOOD)
    (project / "root").symlink_to("/")
    (project / "web" / "up").symlink_to(project)
    result = cli("check", "--format", "json", ".")
    assert json.loads(result.stdout)["files"] == ["web/compose.yaml"]


def test_jobs_are_capped(project):
    (project / "compose.yaml").write_text(GOOD)
    started = time.perf_counter()
    result = run("check", "-j", "1000", "compose.yaml", cwd=project)
    assert result.returncode == 1 and time.perf_counter() - started < 20  # one project: no 1,000 workers
    huge = run("check", "-j", "99999999999999999999", "compose.yaml", cwd=project)
    assert huge.returncode == 2 and "Invalid value for '--jobs' / '-j'" in huge.stderr


def test_closed_stdin_is_a_clean_error(project):
    result = run("check", "-", cwd=project, shell_prefix="exec 0<&- ; ")
    assert result.returncode == 2
    assert result.stderr == "composefix: error: stdin: cannot read it (closed?); pass file names instead of `-`\n"


def test_deeply_nested_toml_is_a_clean_error(project):
    (project / "compose.yaml").write_text(GOOD)
    (project / ".composefix.toml").write_text("select = " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("check", "compose.yaml")
    assert result.exit_code == 2
    # The configuration found is named as the user would write it (relative to the current folder).
    assert result.stderr == "composefix: error: .composefix.toml: invalid TOML: nested too deeply\n"


def test_non_utf8_output_from_compose(tmp_path):
    from composefix.platform.compose_cli import config

    fake = tmp_path / "compose"
    fake.write_text("#!/bin/sh\nprintf 'bad \\377\\376 bytes\\n' >&2\nexit 1\n")
    fake.chmod(0o755)
    result = config([str(fake)], [tmp_path / "compose.yaml"], tmp_path)
    assert (result.ok, result.message, result.ran) == (False, "bad \ufffd\ufffd bytes", True)


# --- nothing fetched, nothing outside the project printed ----------------------------------------------------


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = b'{"type": "object"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_schema_refs_are_never_fetched(project):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/compose.json"
        schema = {"type": "object", "properties": {"services": {"$ref": url}}}
        (project / "schema.json").write_text(json.dumps(schema))
        (project / "compose.yaml").write_text(GOOD)
        result = run("check", "--schema", "schema.json", "compose.yaml", cwd=project)
    finally:
        server.shutdown()
        server.server_close()
    assert _Counting.requests == []
    assert result.returncode == 2
    assert result.stderr.startswith("composefix: error: cannot use the compose schema schema.json: ")
    assert "never fetches one" in result.stderr and len(result.stderr.splitlines()) == 1


def test_files_outside_the_project_are_never_quoted(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".netrc").write_text(f"machine github.com login bot password {SECRET}\n")
    (home / "tokens.env").write_text(f"{SECRET} is not a variable line\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "compose.yaml").write_text(
        "services:\n  a:\n    extends:\n      file: ${HOME}/.netrc\n      service: a\n"
        "  b:\n    image: x\n    env_file: ${HOME}/tokens.env\n"
    )
    monkeypatch.chdir(repo)
    monkeypatch.setenv("HOME", str(home))
    for fmt in FORMATS:
        result = cli("check", "--format", fmt, "compose.yaml")
        assert result.exit_code == 1, result.output
        assert SECRET not in result.output and "machine github.com" not in result.output, fmt
    found = findings("compose.yaml")
    assert [(f[0], f[1], f[2], f[3]) for f in found] == [
        (
            "CF002",
            str(home / ".netrc"),
            1,
            "The file breaks the compose-spec JSON schema (details not shown: the file is outside the project folder)",
        ),
        (
            "CF001",
            str(home / "tokens.env"),
            1,
            "The file is not valid YAML (or not UTF-8) (details not shown: the file is outside the project folder)",
        ),
    ]


def test_referenced_files_that_are_not_compose_files_are_never_quoted(project):
    (project / "notes.txt").write_text(f"password {SECRET}\n")
    (project / "compose.yaml").write_text("services:\n  a:\n    extends:\n      file: notes.txt\n      service: a\n")
    for fmt in FORMATS:
        result = cli("check", "--format", fmt, "compose.yaml")
        assert result.exit_code == 1 and SECRET not in result.output, fmt
    assert findings("compose.yaml") == [
        (
            "CF002",
            "notes.txt",
            1,
            "The file breaks the compose-spec JSON schema (details not shown: the file is not a compose file)",
        )
    ]


# --- issue 13, item 5: a duplicate key does not hide the rest --------------------------------------------------


def test_duplicate_key_does_not_hide_other_findings(project):
    (project / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    image: httpd\n    network_mode: host\n    enviroment: {}\n"
    )
    assert [(f[0], f[2]) for f in findings("compose.yaml")] == [("CF003", 4), ("CF101", 5), ("CF002", 6)]


def test_a_port_range_publishes_like_single_ports(project):
    # What evidence makes of `http://localhost:8050` must not depend on whether 8050 is published alone or
    # through a range (ranges are kept as ranges).
    app = "  app:\n    image: x\n    environment:\n      API_URL: http://localhost:8050/api\n"
    (project / "single.yaml").write_text(f"services:\n  web:\n    image: x\n    ports: ['8050:9050']\n{app}")
    (project / "range.yaml").write_text(f"services:\n  web:\n    image: x\n    ports: ['8000-8100:9000-9100']\n{app}")
    single = [(f[0], f[2], f[3].replace("8050:9050", "")) for f in findings("single.yaml")]
    ranged = [(f[0], f[2], f[3].replace("8000-8100:9000-9100", "")) for f in findings("range.yaml")]
    assert single == ranged
