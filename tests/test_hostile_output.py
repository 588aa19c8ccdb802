"""Issue 15, the output side: what composefix writes, prints and waits for when a hostile repository (or engine)
points it somewhere. Every test here writes only inside its own temp folder."""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.masking import clean, escape, mask, ordered_secrets, without_values

FORMATS = ("text", "json", "sarif", "github", "junit")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


# --- B. masking: one place, every message --------------------------------------------------------------------


def test_a_secret_quoted_by_an_error_is_masked_in_every_format(folder: Path) -> None:
    (folder / "compose.yaml").write_text("services:\n  db:\n    environment:\n      DB_PASSWORD: !!int hunter2\n")
    for fmt in FORMATS:
        code, out, err = run("check", "--format", fmt, ".")
        assert code == 1, fmt
        assert "CF001" in out, fmt
        assert "hunter2" not in out + err, fmt
    _, text, _ = run("check", ".")
    expected = "compose.yaml:4:20: CF001 [error] cannot read `****` as `!!int`\n 4 |       DB_PASSWORD: !!int ****\n"
    assert expected in text


def test_a_secret_quoted_by_an_error_is_masked_with_worker_processes(folder: Path) -> None:
    """With `--jobs 2` the workers work out each file's secret values and send them with its text: the report
    printed by the parent masks the same values, in the message and in the source line."""
    for name in ("a", "b", "c"):
        (folder / name).mkdir()
        (folder / name / "compose.yaml").write_text(
            f"services:\n  db:\n    environment:\n      DB_PASSWORD: !!int hunter2{name}\n"
        )
    code, out, err = run("check", "--jobs", "2", "a/compose.yaml", "b/compose.yaml", "c/compose.yaml")
    assert code == 1
    assert "hunter2" not in out + err
    for name in ("a", "b", "c"):
        assert f"{name}/compose.yaml:4:20: CF001 [error] cannot read `****` as `!!int`\n" in out
    assert out.count(" 4 |       DB_PASSWORD: !!int ****\n") == 3
    assert out == run("check", "--jobs", "1", "a/compose.yaml", "b/compose.yaml", "c/compose.yaml")[1]


def test_secret_values_of_one_length_mask_in_the_same_order_in_every_process() -> None:
    """Values of one length come longest first, then alphabetically (they used to follow a set's order, which
    changes with the hash seed): where two overlap in a message, the same one is masked in every run and in every
    `--jobs` worker."""
    values = [f"v{i:02d}{chr(97 + i % 26)}x" for i in range(30)]
    text = "".join(f"K{i}_PASSWORD={value}\n" for i, value in enumerate(reversed(values)))
    assert ordered_secrets(text) == sorted(values)
    assert ordered_secrets("A_PASSWORD=bcde\nB_PASSWORD=abcd\nC_TOKEN=abcdefgh\n") == ["abcdefgh", "abcd", "bcde"]
    assert without_values("got abcde here", ordered_secrets("A_PASSWORD=bcde\nB_PASSWORD=abcd\n")) == "got ****e here"


def test_masking_keeps_interpolation_syntax() -> None:
    required = "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Set POSTGRES_PASSWORD in .env}"
    assert mask(required) == required
    assert mask("X: ${DB_PASSWORD:-hunter2}") == "X: ${DB_PASSWORD:-****}"
    assert mask("DB_PASSWORD: ${DB_PASSWORD}") == "DB_PASSWORD: ${DB_PASSWORD}"
    assert mask("DB_PASSWORD=$FROM_ENV") == "DB_PASSWORD=$FROM_ENV"
    assert mask("postgres://u:${PW}@db/x") == "postgres://u:${PW}@db/x"


def test_the_required_variable_message_is_printed_whole(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres\n    environment:\n"
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Set POSTGRES_PASSWORD in .env}\n"
    )
    _, out, _ = run("check", ".")
    assert " 5 |       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Set POSTGRES_PASSWORD in .env}\n" in out


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgres://u:p/a@ss@db:5432/x", "postgres://u:****@db:5432/x"),
        ("redis://:s3cr:et@cache/0", "redis://:****@cache/0"),
        ("mysql -u root -phunter3 -h db", "mysql -u root -p**** -h db"),
        ('["psql", "--password", "X9secret", "-h", "db"]', '["psql", "--password", "****", "-h", "db"]'),
        ("app --token tok123 --verbose", "app --token **** --verbose"),
        ("app --api-key=k3y --db-password 'two words'", "app --api-key=**** --db-password '****'"),
        ('{"password": "my pass word"}', '{"password": "****"}'),
    ],
)
def test_urls_with_any_password_and_password_flags_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "mkdir -p /data && ssh -p22 host",  # -p is a password only for a MySQL client
        "http://localhost:8080/path http://user@host:80",
        "COMPASS=north BYPASS_PROXY=1",
        "rewrite --diff --show-secrets",
        "SECRET_KEY=",
    ],
)
def test_masking_leaves_what_is_not_a_secret(text: str) -> None:
    assert mask(text) == text


def test_masking_is_linear() -> None:
    """A 64k-character run took 4 s per call (quadratic backtracking); now each case grows linearly."""
    shapes = ["a", "PASSWORD", "a://", "x:", "-p", "${", "A_KEY ", ":// ", "http://a:@"]
    for shape in shapes:
        timings = []
        for size in (16_000, 128_000):
            text = shape * (size // len(shape))
            start = time.perf_counter()
            mask(text)
            timings.append(time.perf_counter() - start)
        assert timings[1] < 1.0, shape
        assert timings[1] < 8 * timings[0] * 4 + 0.05, (shape, timings)  # x8 input: ~x8 time, never x64


def test_diff_masks_secrets_unless_asked(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        "services:\n  api:\n    image: x\n    environment:\n"
        "      DB: postgres://u:Hunter2pw@172.17.0.1:5432/db\n      API_TOKEN: tok-12345\n"
    )
    code, out, _ = run("rewrite", "--diff", "--no-verify", ".")
    assert code == 0  # --diff exits as the same run without it: everything fixed
    assert '+      DB: "postgres://u:****@host.docker.internal:5432/db"\n' in out
    assert "Hunter2pw" not in out
    code, shown, _ = run("rewrite", "--diff", "--no-verify", "--show-secrets", ".")
    assert code == 0
    assert '+      DB: "postgres://u:Hunter2pw@host.docker.internal:5432/db"\n' in shown


def test_a_file_reached_outside_the_project_is_never_quoted(tmp_path: Path, folder: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine github.com login bot password ghp_abcdefSECRET\n")
    (folder / "compose.yaml").write_text(f"services:\n  a:\n    extends:\n      file: {netrc}\n      service: a\n")
    for fmt in FORMATS:
        _, out, err = run("check", "--format", fmt, ".")
        assert "ghp_abcdefSECRET" not in out + err, fmt
        assert "login bot" not in out + err, fmt
    _, out, _ = run("check", ".")
    assert f"{netrc}:1:1:" in out  # the location and the problem are reported


# --- B. control characters -------------------------------------------------------------------------------------


def test_escape_shows_control_characters() -> None:
    assert escape("a\x1b[2Jb\nc\u202ed\ud800\t") == "a\\x1b[2Jb\\nc\\u202ed\\ud800\\t"
    assert clean("x\x1b]0;title\x07 DB_PASSWORD=hunter2") == "x\\x1b]0;title\\x07 DB_PASSWORD=****"


def test_escape_sequences_in_names_are_never_printed_raw(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        'services:\n  "evil\\e]0;pwned\\a\\e[2J":\n    image: x\n    network_mode: host\n'
        "    environment:\n      U: http://localhost:80\n"
    )
    for fmt in FORMATS:
        _, out, err = run("check", "--format", fmt, ".")
        assert "CF101" in out, fmt
        assert "\x1b" not in out + err, fmt
        assert "\x07" not in out + err, fmt
    _, out, _ = run("check", ".")
    assert "Service `evil\\x1b]0;pwned\\x07\\x1b[2J` uses `network_mode: host`" in out


def test_a_folder_name_cannot_forge_a_finding_line(folder: Path) -> None:
    forged = folder / "nl\ncompose.yaml:1:1: CF000 [error] fake"
    forged.mkdir()
    (forged / "compose.yaml").write_text("services:\n  a:\n    image: x\n    network_mode: host\n")
    for fmt in ("text", "github"):
        _, out, _ = run("check", "--format", fmt, ".")
        assert "CF101" in out
        assert not any(line.startswith("compose.yaml:1:1: CF000") for line in out.splitlines()), fmt
        assert "CF000" not in "".join(line for line in out.splitlines() if not line.startswith(("nl\\n", "::"))), fmt


def test_control_characters_keep_junit_well_formed_and_json_printable(folder: Path) -> None:
    (folder / "compose.yaml").write_text(
        'services:\n  "a\\x01\\x0b\\ud800b":\n    image: x\n    network_mode: host\n'
        "    environment:\n      U: http://localhost:80\n"
    )
    code, out, _ = run("check", "--format", "junit", ".")
    assert code == 1
    suites = ET.fromstring(out)
    messages = [f.get("message", "") for f in suites.iter("failure")]
    assert any("a\\x01\\x0b" in m for m in messages)
    code, out, _ = run("check", "--format", "json", ".")
    json.loads(out)
    out.encode("utf-8")  # no lone surrogate reaches the output


# --- helpers for the write and verify tests ---------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() and not p.is_symlink() else b"<link>"
        for p in sorted(root.rglob("*"))
        if not p.is_dir() or p.is_symlink()
    }


UNPORTABLE = "services:\n  api:\n    image: x\n    environment:\n      DB: postgres://u:p@172.17.0.1:5432/db\n"


def _env_without_docker(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PATH": str(tmp_path)}


# --- A. writes -------------------------------------------------------------------------------------------------

HOST_MODE = "services:\n  web:\n    image: nginx\n    network_mode: host\n"


def test_a_dangling_override_link_is_never_followed(tmp_path: Path, folder: Path) -> None:
    """The committed link `compose.desktop.yaml -> <elsewhere>/authorized_keys` used to create that file (and the
    verification copy beside it)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "compose.yaml").write_text(HOST_MODE)
    (folder / "compose.desktop.yaml").symlink_to(elsewhere / "authorized_keys")
    code, _, err = run("rewrite", "--publish", "web=80", ".")
    assert code == 2
    assert "compose.desktop.yaml is a symbolic link" in err and "never writes through a link" in err
    assert list(elsewhere.iterdir()) == []
    assert (folder / "compose.desktop.yaml").is_symlink()
    for force in ([], ["--force"]):
        code, _, _ = run("rewrite", "--publish", "web=80", *force, "-o", "compose.desktop.yaml", "compose.yaml")
        assert code == 2
        assert list(elsewhere.iterdir()) == []


def test_only_regular_files_are_replaced(folder: Path) -> None:
    (folder / "compose.yaml").write_text(HOST_MODE)
    fifo = folder / "pipe.yaml"
    os.mkfifo(fifo)
    specials = [fifo]
    try:
        os.mknod(folder / "null.yaml", 0o600 | 0o020000, os.makedev(1, 3))  # a character device, like /dev/null
        specials.append(folder / "null.yaml")
    except (PermissionError, AttributeError):
        pass  # not root: the FIFO stands for every special file
    for special in specials:
        code, _, err = run("rewrite", "--publish", "web=80", "--force", "-o", special.name, "compose.yaml")
        assert code == 2, err
        assert f"{special.name} is not a regular file" in err
        assert not special.is_file()
    assert sorted(p.name for p in folder.iterdir()) == sorted(["compose.yaml", *(s.name for s in specials)])


def test_check_never_writes_its_report_over_an_input(folder: Path) -> None:
    (folder / "docker-compose.yml").write_text(HOST_MODE)
    (folder / ".env").write_text("A=1\n")
    for target in ("docker-compose.yml", ".env", "./docker-compose.yml"):
        code, _, err = run("check", "-o", target, "docker-compose.yml")
        assert code == 2
        assert "is an input of this run" in err
    assert (folder / "docker-compose.yml").read_text() == HOST_MODE
    assert (folder / ".env").read_text() == "A=1\n"
    code, _, _ = run("check", "-o", "report.txt", "docker-compose.yml")
    assert code == 1 and "CF101" in (folder / "report.txt").read_text()
    (folder / "report.json").symlink_to(folder.parent / "planted")  # a committed link under the report's name
    code, _, err = run("check", "--format", "json", "-o", "report.json", "docker-compose.yml")
    assert code == 2 and "report.json is a symbolic link" in err
    assert not (folder.parent / "planted").exists()


def test_rewriting_several_projects_writes_all_or_nothing(folder: Path) -> None:
    for name in ("a", "b"):
        (folder / name).mkdir()
        (folder / name / "compose.yaml").write_text(UNPORTABLE)
    (folder / "b" / "compose.yaml").chmod(0o444)
    before = _tree(folder)
    code, out, err = run("rewrite", "--in-place", "--no-verify", "a", "b")
    assert code == 2
    assert "b/compose.yaml is read-only: pass --force" in err
    assert "wrote" not in out
    assert _tree(folder) == before
    code, out, _ = run("rewrite", "--in-place", "--no-verify", "--force", "a", "b")
    assert code == 0
    assert "host.docker.internal" in (folder / "a" / "compose.yaml").read_text()
    assert "host.docker.internal" in (folder / "b" / "compose.yaml").read_text()
    assert (folder / "b" / "compose.yaml").stat().st_mode & 0o777 == 0o444


def test_env_files_outside_the_project_need_the_flag(tmp_path: Path, folder: Path) -> None:
    (tmp_path / ".git").mkdir()  # a repository whose shared env file sits above the project folder
    shared = tmp_path / "shared.env"
    shared.write_text("DB=postgres://u:p@172.17.0.1:5432/db\n")
    (folder / "compose.yaml").write_text("services:\n  api:\n    image: x\n    env_file: ../shared.env\n")
    code, _, err = run("rewrite", "--in-place", "--no-verify", ".")
    assert code == 2
    assert "shared.env is outside the project folder" in err and "--edit-outside-project" in err
    assert shared.read_text() == "DB=postgres://u:p@172.17.0.1:5432/db\n"
    code, _, err = run("rewrite", "--in-place", "--no-verify", "--edit-outside-project", ".")
    assert code == 0, err
    assert shared.read_text() == "DB=postgres://u:p@host.docker.internal:5432/db\n"


def test_cr_only_files_keep_their_line_breaks(folder: Path) -> None:
    path = folder / "compose.yaml"
    path.write_bytes(UNPORTABLE.replace("\n", "\r").encode())
    code, _, err = run("rewrite", "--in-place", "--no-verify", ".")
    assert code == 0, err
    data = path.read_bytes()
    assert b"host.docker.internal:5432" in data and b"host-gateway" in data
    assert b"\n" not in data


def test_a_bom_added_since_the_read_is_noticed(folder: Path) -> None:
    from composefix.fixing.rewrite import RewriteError, write_atomic

    path = folder / "compose.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")  # the file gained a BOM after it was read as "a: 1\n"
    with pytest.raises(RewriteError, match="changed on disk since it was read"):
        write_atomic(path, "a: 2\n", bom=False, expected="a: 1\n")
    assert path.read_bytes() == b"\xef\xbb\xbfa: 1\n"


FSIZE_RUNNER = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.RLIM_INFINITY))
sys.argv = ["composefix", *sys.argv[2:]]
from composefix.entry import main
main()
"""


def test_a_full_disk_leaves_every_file_as_it_was(folder: Path) -> None:
    """A real write failure, not a simulated one: the kernel refuses to grow any file past RLIMIT_FSIZE (EFBIG, as
    a full disk refuses with ENOSPC), in a child process so that nothing else is limited."""
    import subprocess
    import sys

    (folder / "a").mkdir()
    (folder / "b").mkdir()
    (folder / "a" / "compose.yaml").write_text(UNPORTABLE)  # its result is about 200 bytes
    (folder / "b" / "compose.yaml").write_text(UNPORTABLE + "# padding\n" * 40)  # its result is about 600 bytes
    before = _tree(folder)
    command = [sys.executable, "-c", FSIZE_RUNNER, "400", "rewrite", "--in-place", "--no-verify", "a", "b"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "File too large; nothing was replaced" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(folder) == before  # a/ not replaced although its copy fitted; no temporary file left


SIGNAL_DOCKER = """#!/bin/sh
# A `docker` whose `compose config` hangs on composefix's verification copy (and answers the rest).
if [ "$2" = "version" ]; then echo "Docker Compose version v2.30.0"; exit 0; fi
case "$*" in *.composefix-verify-*) touch "$MARK"; exec sleep 60;; esac
exit 0
"""


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_verification_removes_the_temporary_files(tmp_path: Path, folder: Path, signum: str) -> None:
    import signal
    import subprocess
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(SIGNAL_DOCKER)
    docker.chmod(0o755)
    mark = tmp_path / "verifying"
    (folder / "compose.yaml").write_text(UNPORTABLE)
    before = _tree(folder)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "MARK": str(mark)}
    process = subprocess.Popen(
        [sys.executable, "-m", "composefix", "rewrite", "--in-place", "--verify", "."],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not mark.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert mark.exists(), process.communicate(timeout=5)
        assert any(p.name.startswith(".composefix-verify-") for p in folder.iterdir())
        process.send_signal(getattr(signal, signum))
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + getattr(signal, signum), err
    assert "Traceback" not in err
    assert _tree(folder) == before


# --- C. verification that means it ----------------------------------------------------------------------------


def _fake_docker(tmp_path: Path, config_script: str) -> dict[str, str]:
    """A `docker` first on PATH: `docker compose version` answers v2, `docker compose ... config` runs the script."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    docker = bin_dir / "docker"
    docker.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = "version" ]; then echo "Docker Compose version v2.30.0"; exit 0; fi\n' + config_script + "\n"
    )
    docker.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "COMPOSEFIX_COMPOSE_TIMEOUT": "2"}


def _run_with(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_hanging_compose_means_nothing_is_written(tmp_path: Path, folder: Path) -> None:
    env = _fake_docker(tmp_path, "exec sleep 60")
    (folder / "compose.yaml").write_text(UNPORTABLE)
    before = _tree(folder)
    for verify in (["--verify"], []):
        started = time.monotonic()
        code, _, err = _run_with(env, "rewrite", "--in-place", *verify, ".")
        assert time.monotonic() - started < 15
        assert code == 2, err
        assert "Docker Compose did not answer" in err and "did not finish within 2 s" in err
        assert _tree(folder) == before


def test_compose_rejecting_the_original_refuses_verify(tmp_path: Path, folder: Path) -> None:
    env = _fake_docker(tmp_path, 'echo "service api: postgres://u:Sup3rSecret@db is invalid" >&2; exit 1')
    (folder / "compose.yaml").write_text(UNPORTABLE)
    before = _tree(folder)
    code, _, err = _run_with(env, "rewrite", "--in-place", "--verify", ".")
    assert code == 2
    assert "Docker Compose rejects the project as it is (service api: postgres://u:****@db is invalid)" in err
    assert "Sup3rSecret" not in err
    assert _tree(folder) == before
    code, out, err = _run_with(env, "rewrite", "--in-place", ".")  # not asked for: a note, and the write
    assert code == 0
    assert "Compose already rejects the project" in out + err and "Sup3rSecret" not in out + err


def test_compose_printing_garbage_is_relayed_safely(tmp_path: Path, folder: Path) -> None:
    env = _fake_docker(
        tmp_path,
        'case "$*" in *.composefix-verify-*) printf "bad \\377\\376 \\033[2J x\\n" >&2; exit 1;; esac; exit 0',
    )
    (folder / "compose.yaml").write_text(UNPORTABLE)
    code, _, err = _run_with(env, "rewrite", "--in-place", "--verify", ".")
    assert code == 2
    assert "Docker Compose rejects the result: bad \ufffd\ufffd \\x1b[2J x; nothing written" in err
    assert "\x1b" not in err


# --- C. a slow or malformed Docker engine -----------------------------------------------------------------------


class _Engine:
    """A tiny HTTP server on a unix socket in the test's folder, playing a Docker engine that misbehaves."""

    def __init__(self, folder: Path, answers: dict[str, tuple[bytes, float]]) -> None:
        import http.server
        import socketserver
        import threading

        self.socket = folder / "engine.sock"
        answers_ = answers

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                route = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
                body, drip = answers_.get(route, (b'{"message": "page not found"}', 0.0))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Api-Version", "1.43")
                self.end_headers()
                for index in range(len(body)):
                    if drip:
                        time.sleep(drip)  # each byte within the client's per-read timeout, the whole far past it
                    try:
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                    except OSError:
                        return

            def do_HEAD(self) -> None:
                self.do_GET()

            def log_message(self, format: str, *args: object) -> None:
                pass

            def address_string(self) -> str:
                return "engine"

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self.server = Server(str(self.socket), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def env(self) -> dict[str, str]:
        return {"DOCKER_HOST": f"unix://{self.socket}"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


VERSION_OK = json.dumps({"Version": "27.1.1", "ApiVersion": "1.43", "MinAPIVersion": "1.24"}).encode()


@pytest.fixture
def engine_folder(tmp_path: Path) -> Path:
    # unix socket paths are limited to ~108 bytes: a short folder of our own under the system temp folder
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cfe-"))
    yield folder
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    ("name", "answers"),
    [
        ("slow", {"_ping": (b"OK", 0.0), "version": (VERSION_OK, 0.0), "info": (b'{"Name": "x"}' * 20, 0.4)}),
        ("not json", {"_ping": (b"OK", 0.0), "version": (VERSION_OK, 0.0), "info": (b"<html>oops", 0.0)}),
        ("not an object", {"_ping": (b"OK", 0.0), "version": (VERSION_OK, 0.0), "info": (b"[1, 2]", 0.0)}),
        (
            "wrong types",
            {
                "_ping": (b"OK", 0.0),
                "version": (b'{"ApiVersion": "1.43", "Version": 27, "Components": "x", "Platform": 3}', 0.0),
                "info": (b'{"OperatingSystem": 5, "KernelVersion": ["linuxkit"], "Name": null}', 0.0),
            },
        ),
        ("slow ping", {"_ping": (b"OK" * 10, 0.5), "version": (VERSION_OK, 0.0)}),
    ],
)
def test_doctor_and_target_auto_survive_a_bad_engine(
    engine_folder: Path, folder: Path, name: str, answers: dict[str, tuple[bytes, float]]
) -> None:
    engine = _Engine(engine_folder, answers)
    try:
        started = time.monotonic()
        code, out, err = _run_with(engine.env, "doctor", "--timeout", "2")
        elapsed = time.monotonic() - started
        assert elapsed < 8, (name, elapsed)  # the deadline is for the whole exchange, not per read
        assert "Traceback" not in out + err and "internal error" not in out + err, name
        if code == 0:  # a malformed field is read as unknown: the engine is still reported
            assert name == "wrong types"
            assert "engine:" in out
        else:
            assert code == 2, (name, out, err)
            assert err.startswith("composefix: error: ") and err.count("\n") == 1, (name, err)
        (folder / "compose.yaml").write_text(HOST_MODE)
        code, out, err = _run_with(engine.env, "check", "--target", "auto", ".")
        assert err.startswith("--target auto: ") and err.count("\n") == 1, (name, err)
        if name == "wrong types":  # read as a plain Linux engine: no VM-backed target, so no CF101
            assert (code, err) == (0, "--target auto: Linux Docker Engine here, plus linux\n")
        else:  # no usable answer: the default targets, said so
            assert code == 1 and "CF101" in out, (name, out, err)
            assert "using the default targets linux, desktop" in err
        assert "Traceback" not in out + err and "internal error" not in out + err
    finally:
        engine.close()


def test_what_the_engine_says_is_escaped(engine_folder: Path) -> None:
    info = json.dumps({"OperatingSystem": "Evil\x1b]0;pwned\x07OS", "KernelVersion": "6.1\x1b[2J"}).encode()
    engine = _Engine(engine_folder, {"_ping": (b"OK", 0.0), "version": (VERSION_OK, 0.0), "info": (info, 0.0)})
    try:
        code, out, err = _run_with(engine.env, "doctor", "--timeout", "2")
    finally:
        engine.close()
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out
    assert 'info OperatingSystem = "Evil\\x1b]0;pwned\\x07OS"' in out


def test_a_fix_that_would_print_a_secret_is_left_out() -> None:
    from composefix.model import DEFAULT_TARGETS, Applicability, Edit, Finding, Fix, Position, Severity, Span
    from composefix.reading.document import parse
    from composefix.reporting.safe import safe_report
    from composefix.rules.runner import Report

    doc = parse("services:\n  a:\n    command: psql --password=hunter22 -h localhost\n", "compose.yaml")
    span = Span(Position(3, 40, 50), Position(3, 49, 59))
    finding = Finding("CF103", "loopback-to-host", Severity.WARNING, "m", "compose.yaml", span)
    leaky = Edit("compose.yaml", 14, 59, "psql --password=hunter22 -h host.docker.internal")
    plain = Edit("compose.yaml", 50, 59, "host.docker.internal")
    report = Report(["compose.yaml"], {"compose.yaml": doc}, [], DEFAULT_TARGETS)
    report.findings = [
        finding._replace(fix=Fix("t", Applicability.SAFE, (leaky,))),
        finding._replace(fix=Fix("t", Applicability.SAFE, (plain,))),
    ]
    safe = safe_report(report)
    assert safe.findings[0].fix is None
    assert safe.findings[1].fix is not None and safe.findings[1].fix.edits == (plain,)
