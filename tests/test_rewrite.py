"""`composefix rewrite`: every fixable rule, both modes, verification, safety of writes."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from composefix.fixing.rewrite import RewriteError, write_atomic
from tests.differential import compose_binary


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def put(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(app, ["rewrite", *args])


def compose_accepts(folder: Path, *files: str) -> None:
    command = [str(compose_binary())]
    for name in files:
        command += ["-f", name]
    result = subprocess.run([*command, "config", "-q"], cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


HOST_MODE = """\
services:
  db:
    image: postgres:16
    network_mode: host
  api:
    image: example/api
    network_mode: host
    expose: ["8000"]
    environment:
      DATABASE_URL: postgres://app@localhost:5432/app
      PAYMENTS: http://localhost:4000
  web:
    image: example/web
    environment:
      API: http://host.docker.internal:8000
    extra_hosts: ["host.docker.internal:host-gateway"]
"""


def test_override_moves_host_mode_services_and_rewrites_their_addresses(project):
    put(project, "compose.yaml", HOST_MODE)
    result = run()
    assert result.exit_code == 0, result.output
    text = (project / "compose.desktop.yaml").read_text()
    assert "  db:\n    # CF101" in text and "network_mode: !reset null" in text
    assert '- "5432:5432"  # image postgres:16' in text
    assert '- "8000:8000"  # expose' in text
    assert 'DATABASE_URL: "postgres://app@db:5432/app"' in text
    assert 'PAYMENTS: "http://host.docker.internal:4000"' in text
    assert 'API: "http://api:8000"' in text  # web reached api through the host: now by its name
    compose_accepts(project, "compose.yaml", "compose.desktop.yaml")
    assert "use it: VM-backed machines: docker compose -f compose.yaml -f compose.desktop.yaml up" in result.output
    check = CliRunner().invoke(app, ["check", "-f", "compose.yaml", "-f", "compose.desktop.yaml"])
    assert check.exit_code == 0, check.output


def test_in_place_host_mode_needs_unsafe_fixes(project):
    put(project, "compose.yaml", HOST_MODE)
    result = run("--in-place")
    assert "CF101 not fixed: unsafe fix: pass --unsafe-fixes" in result.output
    assert "network_mode: host" in (project / "compose.yaml").read_text()
    assert result.exit_code == 1
    result = run("--in-place", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    text = (project / "compose.yaml").read_text()
    assert "network_mode" not in text
    assert 'expose: ["8000"]\n' in text
    compose_accepts(project, "compose.yaml")


def test_no_port_found_keeps_the_finding_and_says_publish(project):
    put(project, "compose.yaml", "services:\n  agent:\n    image: example/agent\n    network_mode: host\n")
    result = run()
    assert result.exit_code == 1
    assert "CF101 not fixed: no port found for `agent`: pass --publish agent=PORT[,PORT]" in result.output
    assert not (project / "compose.desktop.yaml").exists()
    result = run("--publish", "agent=9100,9101")
    assert result.exit_code == 0
    text = (project / "compose.desktop.yaml").read_text()
    assert '- "9100:9100"  # --publish' in text and '- "9101:9101"  # --publish' in text


def test_a_host_mode_server_bound_to_loopback_stays_in_host_mode_and_so_do_its_clients(project):
    # `app` reaches `db` on the machine's 127.0.0.1. Moved, `db` would listen on its container's loopback, which a
    # published port does not reach; and `app` moved alone would reach its own container, with `db` on no project
    # network to be named: every move here would cut the connection.
    text = """\
    services:
      app:
        image: example/app
        network_mode: host
        environment:
          DATABASE_URL: mysql://app:pw@127.0.0.1:3306/app
      db:
        image: mariadb:11
        network_mode: host
        command: ["--bind-address=127.0.0.1", "--max-connections=100"]
      cache:
        image: redis:7
        network_mode: host
        command: redis-server --port 6380 --bind 127.0.0.1 --save ""
      metrics:
        image: example/exporter
        network_mode: host
        expose: ["9100"]
        command: exporter --listen 0.0.0.0:9100 --debug-addr 127.0.0.1:6060
    """
    put(project, "compose.yaml", text)
    result = run("--diff", "--no-verify", "--publish", "app=8000")
    out = result.output
    bound = (
        "a published port does not reach a server bound to the container's loopback, so leaving host mode would "
        "cut off the clients that reach it on this machine; make it listen on `0.0.0.0` first"
    )
    assert f"compose.yaml:9:19: CF101 not fixed: `db` listens only on `127.0.0.1` (in `command[0]`): {bound}\n" in out
    assert f"compose.yaml:13:19: CF101 not fixed: `cache` listens only on `127.0.0.1` (in `command`): {bound}\n" in out
    assert (
        "compose.yaml:4:19: CF101 not fixed: `app` reaches `db` at `127.0.0.1:3306` (in `environment.DATABASE_URL`), "
        "and `db` stays in host mode: leaving host mode alone would cut that connection\n"
    ) in out
    assert "compose.yaml:6:36: CF104 not fixed: fixed together with CF101" in out
    # A loopback listener on a port it does not publish (a debug endpoint) keeps nothing in host mode.
    assert (
        "compose.yaml:17:19: CF101 fixed: join the project network and publish 9100:9100 (in compose.desktop.yaml: "
        "only VM-backed engines load this file)\n"
    ) in out
    assert "+  metrics:\n" in out and "  app:" not in out.split("+++")[1] and "db:3306" not in out
    # With the server listening on every address, both leave together and the address becomes the name.
    put(project, "compose.yaml", text.replace("--bind-address=127.0.0.1", "--bind-address=0.0.0.0"))
    out = run("--diff", "--no-verify", "--publish", "app=8000", "--publish", "db=3306").output
    assert "CF101 fixed: join the project network and publish 8000:8000" in out
    assert "CF104 fixed: use `db:3306`" in out and 'DATABASE_URL: "mysql://app:****@db:3306/app"' in out


def test_services_that_reach_each_other_stay_together_when_one_of_them_stays(project):
    # `hass` needs host networking (LAN discovery); `bridge` reaches it on localhost, and `app` reaches `bridge`
    # (and `bridge` reaches `app` back): none of them can leave without cutting a connection.
    put(
        project,
        "compose.yaml",
        """\
        services:
          app:
            image: example/app
            network_mode: host
            expose: ["8000"]
            environment:
              BRIDGE_URL: redis://localhost:6400
          bridge:
            image: example/bridge
            network_mode: host
            expose: ["6400"]
            environment:
              HASS_URL: postgres://localhost:8123
              APP_URL_INTERNAL: redis://localhost:8000
          hass:
            image: ghcr.io/home-assistant/home-assistant:stable
            network_mode: host
          alone:
            image: example/alone
            network_mode: host
            expose: ["9000"]
        """,
    )
    out = run("--diff", "--no-verify").output
    assert (
        "compose.yaml:10:19: CF101 not fixed: `bridge` reaches `hass` at `localhost:8123` (in `environment.HASS_URL`), "
        "and `hass` stays in host mode: leaving host mode alone would cut that connection\n"
    ) in out
    assert (
        "compose.yaml:4:19: CF101 not fixed: `app` reaches `bridge` at `localhost:6400` (in `environment.BRIDGE_URL`), "
        "and `bridge` stays in host mode: leaving host mode alone would cut that connection\n"
    ) in out
    assert (
        "compose.yaml:20:19: CF101 fixed: join the project network and publish 9000:9000 (in compose.desktop.yaml: "
        "only VM-backed engines load this file)\n"
    ) in out
    assert "+  alone:\n" in out and "+  app:" not in out and "+  bridge:" not in out


def test_images_that_need_host_networking_are_left_with_a_note(project):
    put(
        project,
        "compose.yaml",
        "services:\n  ha:\n    image: homeassistant/home-assistant:2024.1\n    network_mode: host\n",
    )
    result = run()
    assert "discovers devices on the LAN with mDNS/SSDP multicast" in result.output
    assert "turn on Docker Desktop's host networking (4.34+)" in result.output
    assert not (project / "compose.desktop.yaml").exists()


def test_every_image_cf101_calls_linux_only_by_design_is_left_in_host_mode(project):
    # The images of data/linux_only.py (CF101's "Linux-only by design"), not only those of data/known_images.py.
    put(
        project,
        "compose.yaml",
        """\
        services:
          ha:
            image: lscr.io/linuxserver/homeassistant:latest
            network_mode: host
            expose: ["8123"]
          bridge:
            image: oznu/homebridge
            network_mode: host
            expose: ["8581"]
          web:
            image: example/web
            network_mode: host
            expose: ["8080"]
        """,
    )
    out = run("--diff", "--no-verify").output
    assert (
        "compose.yaml:4:19: CF101 not fixed: `ha` needs host networking: it discovers devices on the LAN with "
        "mDNS/SSDP multicast, which does not reach the VM (see https://github.com/home-assistant/home-assistant.io/"
        "issues/22534); turn on Docker Desktop's host networking (4.34+) instead, or pass --publish ha=PORT to move "
        "it anyway\n"
    ) in out
    assert "compose.yaml:8:19: CF101 not fixed: `bridge` needs host networking: it advertises HomeKit" in out
    assert "compose.yaml:12:19: CF101 fixed: join the project network and publish 8080:8080" in out
    assert "+  web:\n" in out and "+  ha:" not in out and "+  bridge:" not in out
    # Asked explicitly, it moves anyway.
    assert "+  ha:\n" in run("--diff", "--no-verify", "--publish", "ha=8123").output


def test_fixed_ip_alias_needs_override_tag_and_bridge_ip_in_env(project):
    put(
        project,
        "compose.yaml",
        """\
        services:
          api:
            image: x
            environment:
              - DB=postgres://172.17.0.1:5432/app
            extra_hosts:
              - "host.docker.internal:172.17.0.1"
        """,
    )
    result = run()
    assert result.exit_code == 0, result.output
    text = (project / "compose.override.yaml").read_text()
    assert "# Needs Docker Compose >= 2.24.4." in text
    assert 'extra_hosts: !override\n      - "host.docker.internal:host-gateway"\n' in text
    assert 'DB: "postgres://host.docker.internal:5432/app"' in text
    compose_accepts(project, "compose.yaml", "compose.override.yaml")


def test_in_place_keeps_crlf_bom_comments_quotes_and_mode(project):
    text = (
        "\ufeff# top comment\r\n"
        "services:\r\n"
        "  api:   # trailing\r\n"
        "    image: 'x'\r\n"
        "    environment:\r\n"
        "      CACHE: 'redis://172.17.0.1:6379'   # keep me\r\n"
    )
    path = project / "compose.yaml"
    path.write_bytes(text.encode("utf-8"))
    path.chmod(0o640)
    result = run("--in-place")
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    new = data.decode("utf-8")
    assert "'redis://host.docker.internal:6379'   # keep me\r\n" in new
    assert new.count("\r\n") == new.count("\n")
    assert new.startswith("\ufeff# top comment\r\nservices:\r\n  api:   # trailing\r\n")
    assert '\r\n    extra_hosts:\r\n      - "host.docker.internal:host-gateway"' in new
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_flow_style_services_get_flow_additions(project):
    put(project, "compose.yaml", 'services:\n  api: {image: x, environment: {U: "http://host.docker.internal:1"}}\n')
    assert run("--in-place").exit_code == 0
    assert (project / "compose.yaml").read_text() == (
        'services:\n  api: {image: x, environment: {U: "http://host.docker.internal:1"}, '
        'extra_hosts: ["host.docker.internal:host-gateway"]}\n'
    )
    compose_accepts(project, "compose.yaml")


def test_value_from_dotenv_is_edited_in_that_file_in_place_only(project):
    put(project, ".env", "# settings\nDB_URL=postgres://localhost:5433/app\n")
    put(project, "compose.yaml", "services:\n  api:\n    image: x\n    environment:\n      DB: ${DB_URL}\n")
    result = run()
    assert (
        "CF103 not fixed: the value is not written verbatim in the compose file; rewrite with --in-place (it edits "
        "the text where it is written)\n"
    ) in result.output
    result = run("--in-place")
    assert result.exit_code == 0, result.output
    assert (project / ".env").read_text() == "# settings\nDB_URL=postgres://host.docker.internal:5433/app\n"
    assert "extra_hosts" in (project / "compose.yaml").read_text()


def test_loopback_to_service_and_bind_address(project):
    put(
        project,
        "compose.yaml",
        """\
        services:
          db:
            image: postgres:16
          api:
            image: x
            command: ["serve", "--host", "127.0.0.1", "--port", "8000"]
            ports: ["8000:8000"]
            environment:
              DATABASE_URL: postgres://localhost/app
        """,
    )
    result = run("--in-place")
    assert "CF108 not fixed: unsafe fix" in result.output
    assert result.exit_code == 1
    result = run("--in-place", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    text = (project / "compose.yaml").read_text()
    assert 'command: ["serve", "--host", "0.0.0.0", "--port", "8000"]' in text
    assert "DATABASE_URL: postgres://db/app" in text


def test_bridge_mode_and_shared_namespace_conflicts(project):
    put(
        project,
        "compose.yaml",
        """\
        services:
          vpn:
            image: example/vpn
          app:
            image: example/app
            network_mode: "service:vpn"
            ports:
              - "8080:8080"
          legacy:
            image: example/legacy
            network_mode: bridge
        """,
    )
    result = run("--unsafe-fixes")
    assert result.exit_code == 0, result.output
    text = (project / "compose.override.yaml").read_text()
    assert "  app:\n    # CF111" in text and "ports: !reset []" in text
    assert "  vpn:\n    # CF111: moved from `app`" in text
    assert "  legacy:\n    # CF110" in text
    compose_accepts(project, "compose.yaml", "compose.override.yaml")
    (project / "compose.override.yaml").unlink()
    result = run("--in-place", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert (project / "compose.yaml").read_text() == textwrap.dedent(
        """\
        services:
          vpn:
            image: example/vpn
            ports:
              - "8080:8080"
          app:
            image: example/app
            network_mode: "service:vpn"
          legacy:
            image: example/legacy
        """
    )


def test_unused_suppression_removed_in_place(project):
    put(project, "compose.yaml", "services:\n  web:\n    image: nginx  # composefix: ignore=CF101\n")
    assert run("--in-place").exit_code == 0
    assert (project / "compose.yaml").read_text() == "services:\n  web:\n    image: nginx\n"


def test_refuses_to_overwrite_a_file_it_did_not_write(project):
    put(project, "compose.yaml", HOST_MODE)
    put(project, "compose.desktop.yaml", "services: {}\n")
    # Found beside compose.yaml, the file is an input of the project: never replaced, not even with --force
    for args in [(), ("--force",)]:
        result = run(*args)
        assert result.exit_code == 2
        assert "compose.desktop.yaml is an input of this run" in result.stderr
    result = run("compose.yaml")
    assert result.exit_code == 2
    assert "compose.desktop.yaml exists and was not written by composefix: pass --force" in result.stderr
    assert (project / "compose.desktop.yaml").read_text() == "services: {}\n"
    assert run("--force", "compose.yaml").exit_code == 0


def test_warns_about_automatic_override_files(project):
    put(project, "compose.yaml", HOST_MODE)
    put(project, "docker-compose.override.yml", "services:\n  web:\n    environment:\n      X: '1'\n")
    result = run("compose.yaml")
    assert "warning: `-f` turns off the automatic docker-compose.override.yml" in result.output
    result = run("compose.yaml", "-o", "compose.override.yaml")
    assert "docker-compose.override.yml also exists; Compose loads only the first" in result.output


def test_diff_mode_exit_codes_are_those_of_the_same_run_without_diff(project):
    put(project, "compose.yaml", HOST_MODE)
    result = run("--diff")
    assert result.exit_code == 0, result.output  # everything can be fixed: the diff shows how
    assert "+++ b/compose.desktop.yaml" in result.stdout
    assert not (project / "compose.desktop.yaml").exists()
    assert run().exit_code == 0
    assert run("--diff").exit_code == 0
    # In place, CF101 stays unfixed without --unsafe-fixes: exit 1 with and without --diff.
    diffed = run("--in-place", "--diff")
    assert diffed.exit_code == 1, diffed.output
    assert "CF101 not fixed: unsafe fix: pass --unsafe-fixes" in diffed.output
    assert "network_mode: host" in (project / "compose.yaml").read_text()
    assert run("--in-place").exit_code == 1
    assert run("--in-place", "--exit-zero", "--diff").exit_code == 0


def test_unfixed_findings_below_fail_on_do_not_fail_the_run(project):
    # CF110 (bridge network mode) is unsafe: unfixed without --unsafe-fixes, whatever the mode.
    put(project, "compose.yaml", "services:\n  web:\n    image: nginx\n    network_mode: bridge\n")
    assert CliRunner().invoke(app, ["check"]).exit_code == 1
    for mode in ([], ["--in-place"], ["--diff"], ["--in-place", "--diff"]):
        result = run(*mode)
        assert result.exit_code == 1, (mode, result.output)
        assert "CF110 not fixed: unsafe fix: pass --unsafe-fixes\n" in result.output
        assert run(*mode, "--fail-on", "error").exit_code == 0
    # The same finding at `info` (configured): `check` passes, and so does `rewrite` in every mode.
    put(project, ".composefix.toml", '[severity]\nCF110 = "info"\n')
    assert CliRunner().invoke(app, ["check"]).exit_code == 0
    for mode in ([], ["--in-place"], ["--diff"], ["--in-place", "--diff"]):
        result = run(*mode)
        assert result.exit_code == 0, (mode, result.output)
        assert "CF110 not fixed" in result.output
        assert run(*mode, "--fail-on", "info").exit_code == 1


def test_says_when_no_compose_was_found_to_verify_the_result(project, monkeypatch):
    put(project, "compose.yaml", HOST_MODE)
    note = "note: no Docker Compose v2 found"
    monkeypatch.setattr("composefix.platform.compose_cli.find_compose", lambda: None)
    unverified = run("--diff")
    assert unverified.exit_code == 0
    assert note in unverified.stderr
    assert "--verify requires it" in unverified.stderr
    assert note not in run("--diff", "--no-verify").stderr
    refused = run("--diff", "--verify")
    assert refused.exit_code == 2
    assert "--verify: no Docker Compose v2 found" in refused.stderr
    put(project, "clean.yaml", "services:\n  api:\n    image: x\n")
    assert note not in run("--diff", "clean.yaml").stderr  # nothing produced, nothing to verify


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "compose.yaml"
    path.write_text("services: {}\n")
    with pytest.raises(RewriteError, match="changed on disk"):
        write_atomic(path, "new\n", bom=False, expected="old\n")
    assert path.read_text() == "services: {}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["compose.yaml"]


def test_bad_publish_value_is_a_usage_error(project):
    put(project, "compose.yaml", HOST_MODE)
    result = run("--publish", "api")
    assert (
        result.exit_code == 2
        and "--publish takes SERVICE=PORT[,PORT] (or SERVICE= for no port), not `api`" in result.stderr
    )


def test_in_place_leaves_text_shared_with_a_service_that_needs_it(project):
    put(
        project,
        "compose.yaml",
        """\
        x-env: &env
          UPSTREAM: redis://localhost:4000
        services:
          api:
            image: x
            environment: *env
          tool:
            image: y
            network_mode: host
            environment: *env
        """,
    )
    result = run("--in-place")
    assert "CF103 not fixed: the text is shared with service `tool`, which needs it as it is" in result.output
    assert "redis://localhost:4000" in (project / "compose.yaml").read_text()
    assert run().exit_code == 1  # CF101 for `tool` needs --publish; the override still changes api
    text = (project / "compose.override.yaml").read_text()
    assert 'UPSTREAM: "redis://host.docker.internal:4000"' in text


def test_in_place_edits_shared_text_when_every_user_wants_the_same(project):
    put(
        project,
        "compose.yaml",
        """\
        x-env: &env
          UPSTREAM: http://172.17.0.1:4000
        services:
          api:
            image: x
            environment: *env
          worker:
            image: y
            environment: *env
        """,
    )
    assert run("--in-place").exit_code == 0
    assert "UPSTREAM: http://host.docker.internal:4000" in (project / "compose.yaml").read_text()


BASE = """\
services:
  api:
    image: example/api
    environment:
      DB_HOST: 172.17.0.1
"""
OVERLAY = """\
services:
  api:
    environment:
      CACHE: redis://172.17.0.1:6379
  agent:
    image: example/agent
    network_mode: host
"""


def regenerate_line(path: Path) -> list[str]:
    lines = [line for line in path.read_text().splitlines() if line.startswith("# Regenerate: ")]
    assert len(lines) == 1
    return shlex.split(lines[0].removeprefix("# Regenerate: "))


def test_regenerate_line_reproduces_the_run_exactly(project):
    folder = project / "deploy"
    folder.mkdir()
    put(folder, "a.yaml", BASE)
    put(folder, "b.yaml", OVERLAY)
    args = ["-f", "deploy/a.yaml", "-f", "deploy/b.yaml", "--target", "colima,linux", "--select", "CF1"]
    args += ["--publish", "agent=9100", "-o", "deploy/compose.mac.yaml"]
    # Loaded with -f, the project has no automatic override file: the fixes every engine needs wait for a name.
    unnamed = run(*args)
    assert unnamed.exit_code == 1
    assert (
        "deploy/a.yaml:5:16: CF105 not fixed: every engine needs this fix, and the project is loaded with `-f`, so "
        "Compose loads no automatic override file: pass --portable-output FILE (a file every machine then loads) or "
        "rewrite with --in-place\n"
    ) in unnamed.output
    assert "CF101 fixed: join the project network and publish 9100:9100 (in compose.mac.yaml: only VM-backed" in (
        unnamed.output
    )
    first = run(*args, "--portable-output", "deploy/compose.all.yaml")
    assert first.exit_code == 0, first.output
    assert "Docker Compose accepts the result (`config`)" in first.output  # the real binary checked it
    assert first.output.splitlines()[-4:] == [
        "use it: every machine: docker compose -f a.yaml -f b.yaml -f compose.all.yaml up",
        "    or put COMPOSE_FILE=a.yaml:b.yaml:compose.all.yaml in the .env of every machine",
        "    VM-backed machines: docker compose -f a.yaml -f b.yaml -f compose.all.yaml -f compose.mac.yaml up",
        "    or put COMPOSE_FILE=a.yaml:b.yaml:compose.all.yaml:compose.mac.yaml in the .env of the VM-backed "
        "machines only",
    ]
    written = [folder / "compose.all.yaml", folder / "compose.mac.yaml"]
    command = regenerate_line(written[1])
    assert command == [
        "composefix", "rewrite", "-f", "a.yaml", "-f", "b.yaml", "--target", "linux,colima", "--select", "CF1",
        "--publish", "agent=9100", "--portable-output", "compose.all.yaml", "-o", "compose.mac.yaml",
    ]  # fmt: skip
    assert regenerate_line(written[0]) == command
    assert "# Use it: docker compose -f a.yaml -f b.yaml -f compose.all.yaml -f compose.mac.yaml up\n" in (
        written[1].read_text()
    )
    before = [path.read_bytes() for path in written]
    for path in written:
        path.unlink()
    # The line, run as written in the override file's folder, by the real console script's module.
    again = subprocess.run(
        [sys.executable, "-m", "composefix", *command[1:]], cwd=folder, capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert [path.read_bytes() for path in written] == before
    compose_accepts(folder, "a.yaml", "b.yaml", "compose.all.yaml")  # a Linux machine
    compose_accepts(folder, "a.yaml", "b.yaml", "compose.all.yaml", "compose.mac.yaml")  # a Mac
    # Once more with the files in place: nothing to change.
    same = subprocess.run(
        [sys.executable, "-m", "composefix", *command[1:]], cwd=folder, capture_output=True, text=True, check=False
    )
    assert same.returncode == 0 and "compose.all.yaml, compose.mac.yaml: already up to date" in same.stdout


def test_regenerate_line_of_a_plain_run_has_only_the_files(project):
    put(project, "compose.yaml", BASE)
    assert run().exit_code == 0
    assert regenerate_line(project / "compose.override.yaml") == [
        "composefix", "rewrite", "-f", "compose.yaml", "-o", "compose.desktop.yaml",
    ]  # fmt: skip
    # Targets from the configuration are not repeated; targets that differ from it are.
    put(project, ".composefix.toml", 'targets = ["linux", "orbstack"]\n')
    assert run().exit_code == 0
    assert regenerate_line(project / "compose.override.yaml")[2:] == [
        "-f",
        "compose.yaml",
        "-o",
        "compose.desktop.yaml",
    ]
    assert run("--target", "linux,desktop", "--unsafe-fixes", "--select", "CF105").exit_code == 0
    assert regenerate_line(project / "compose.override.yaml")[2:] == [
        "-f", "compose.yaml", "--target", "linux,desktop", "--select", "CF105", "--unsafe-fixes",
        "-o", "compose.desktop.yaml",
    ]  # fmt: skip


def test_unfixed_reasons_name_the_one_action_that_helps(project):
    # In place, a service written as an alias gets no host-gateway entry; the override file can add one.
    put(
        project,
        "compose.yaml",
        """\
        x-api: &api
          image: x
          environment:
            URL: smtp://localhost:4000
        services:
          api: *api
        """,
    )
    in_place = run("--in-place", "--diff")
    assert in_place.stdout == (
        "compose.yaml:4:17: CF103 not fixed: the service is defined through an anchor or another file; "
        "rewrite without --in-place (the override file can change it)\n"
    )
    assert in_place.exit_code == 1
    override = run("--diff")
    assert override.exit_code == 0, override.output
    assert "compose.yaml:4:17: CF103 fixed" in override.stdout
    assert "not fixed" not in override.stdout
    # An override file cannot remove a comment; in place can.
    put(project, "compose.yaml", "services:\n  web:\n    image: nginx  # composefix: ignore=CF101\n")
    override = run("--diff")
    assert override.stdout.startswith(
        "compose.yaml:3:40: CF900 not fixed: an override file cannot remove a comment; "
        "rewrite with --in-place (it edits the text where it is written)\n"
    )
    in_place = run("--in-place", "--diff")
    assert in_place.exit_code == 0 and "CF900 fixed" in in_place.stdout and "not fixed" not in in_place.stdout
    assert "see below" not in in_place.output + override.output
    # A value in an env_file of a service written as an alias: in place, its host-gateway entry cannot be added;
    # the override file writes the variable in `environment:` (which beats env_file) with the entry.
    put(project, "app.env", "URL=smtp://localhost:4000\n")
    put(project, "compose.yaml", "x-api: &api\n  image: x\n  env_file: app.env\nservices:\n  api: *api\n")
    in_place = run("--in-place", "--diff")
    assert in_place.exit_code == 1
    assert in_place.stdout == (
        "app.env:1:12: CF103 not fixed: the service is defined through an anchor or another file; rewrite without "
        "--in-place (the override file can change it)\n"
    )
    override = run("--diff")
    assert override.exit_code == 0, override.output
    assert override.stdout.startswith(
        "app.env:1:12: CF103 fixed: use `host.docker.internal` (with its host-gateway entry) (in "
        "compose.override.yaml: every engine needs it)\n"
    )
    assert '+      URL: "smtp://host.docker.internal:4000"\n' in override.stdout


SPLIT = """\
services:
  proxy:
    image: example/proxy
    network_mode: host
    expose: ["8443"]
    command: ["--to", "localhost:3000"]
  web:
    image: example/web
    environment:
      PAYMENTS_URL: http://host.docker.internal:9000
"""


def test_platform_split_puts_what_linux_needs_where_every_machine_loads_it(project):
    # CF107 (`host.docker.internal` without host-gateway) is a Linux failure: its fix goes to the automatic
    # override every machine loads, never to the file Linux machines leave out.
    put(project, "compose.yaml", SPLIT)
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "compose.yaml:4:19: CF101 fixed: join the project network and publish 8443:8443 (in compose.desktop.yaml: "
        "only VM-backed engines load this file)",
        "compose.yaml:6:24: CF103 fixed: use `host.docker.internal` (with its host-gateway entry) (in "
        "compose.desktop.yaml: only VM-backed engines load this file)",
        'compose.yaml:10:28: CF107 fixed: add `extra_hosts: ["host.docker.internal:host-gateway"]` (in '
        "compose.override.yaml: every engine needs it)",
    ]
    portable = (project / "compose.override.yaml").read_text()
    assert portable.splitlines()[2:] == [
        "# Every machine loads this file: it holds the changes every engine needs.",
        "# Use it: docker compose -f compose.yaml -f compose.override.yaml up",
        "#     or: COMPOSE_FILE=compose.yaml:compose.override.yaml in .env",
        "# Regenerate: composefix rewrite -f compose.yaml -o compose.desktop.yaml",
        "services:",
        "  web:",
        "    # host.docker.internal does not resolve on Linux Docker Engine without this entry (20.10+)",
        "    extra_hosts:",
        '      - "host.docker.internal:host-gateway"',
    ]
    desktop = (project / "compose.desktop.yaml").read_text()
    assert "network_mode: !reset null" in desktop and "  web:" not in desktop
    assert "# Use it: docker compose -f compose.yaml -f compose.override.yaml -f compose.desktop.yaml up\n" in desktop
    compose_accepts(project, "compose.yaml", "compose.override.yaml")
    compose_accepts(project, "compose.yaml", "compose.override.yaml", "compose.desktop.yaml")
    # `check` reads the automatic override with its base, as `docker compose up` does: Linux is fixed.
    linux = CliRunner().invoke(app, ["check", "--target", "linux"])
    assert linux.exit_code == 0, linux.output
    assert linux.output == "No findings in 2 files.\n"
    # Running again rewrites both from compose.yaml alone: nothing changes.
    again = run()
    assert "compose.override.yaml, compose.desktop.yaml: already up to date" in again.output


def test_platform_split_repeats_every_engine_fixes_in_a_value_the_vm_file_writes_whole(project):
    # One command holds a loopback address (fixed for VM-backed engines only, as the service leaves host mode)
    # and a docker0 address (fixed for every engine): the VM-only file replaces the command whole, so it carries
    # both fixes, or the docker0 address would come back on VM-backed engines.
    put(
        project,
        "compose.yaml",
        """\
        services:
          proxy:
            image: example/proxy
            network_mode: host
            expose: ["8443"]
            command: proxy --listen 0.0.0.0:8443 --to localhost:3000 --broker 172.17.0.1:5672
        """,
    )
    result = run()
    assert result.exit_code == 0, result.output
    assert "compose.yaml:6:71: CF105 fixed: use `host.docker.internal` (with its host-gateway entry) (in " in (
        result.output
    )
    portable = (project / "compose.override.yaml").read_text().splitlines()
    assert portable[-2:] == [
        "    # CF105: `command` is replaced whole when files merge",
        '    command: "proxy --listen 0.0.0.0:8443 --to localhost:3000 --broker host.docker.internal:5672"',
    ]
    desktop = (project / "compose.desktop.yaml").read_text().splitlines()
    assert desktop[-2:] == [
        "    # CF103, CF105: `command` is replaced whole when files merge",
        '    command: "proxy --listen 0.0.0.0:8443 --to host.docker.internal:3000 --broker host.docker.internal:5672"',
    ]
    compose_accepts(project, "compose.yaml", "compose.override.yaml", "compose.desktop.yaml")


def test_platform_split_refuses_the_every_engine_part_next_to_a_foreign_override(project):
    put(project, "compose.yaml", SPLIT)
    put(project, "docker-compose.override.yml", "services:\n  web:\n    environment:\n      X: '1'\n")
    result = run()
    assert result.exit_code == 1
    assert (
        "compose.yaml:10:28: CF107 not fixed: every engine needs this fix, and the automatic override file "
        "docker-compose.override.yml was not written by composefix: pass --portable-output FILE (a file every "
        "machine then loads) or rewrite with --in-place\n"
    ) in result.output
    assert not (project / "compose.override.yaml").exists()
    assert (
        project / "docker-compose.override.yml"
    ).read_text() == "services:\n  web:\n    environment:\n      X: '1'\n"
    # The VM-only part is still written, after the foreign override in the -f list.
    assert (
        "use it: VM-backed machines: docker compose -f compose.yaml -f docker-compose.override.yml "
        "-f compose.desktop.yaml up"
    ) in result.output
    compose_accepts(project, "compose.yaml", "docker-compose.override.yml", "compose.desktop.yaml")
    # The action named helps: a file every machine loads, named by the user, after the foreign override.
    fixed = run("--portable-output", "compose.linux.yaml")
    assert fixed.exit_code == 0, fixed.output
    assert 'CF107 fixed: add `extra_hosts: ["host.docker.internal:host-gateway"]` (in compose.linux.yaml: every ' in (
        fixed.output
    )
    files = "-f compose.yaml -f docker-compose.override.yml -f compose.linux.yaml"
    listed = "compose.yaml:docker-compose.override.yml:compose.linux.yaml"
    assert fixed.output.splitlines()[-4:] == [
        f"use it: every machine: docker compose {files} up",
        f"    or put COMPOSE_FILE={listed} in the .env of every machine",
        f"    VM-backed machines: docker compose {files} -f compose.desktop.yaml up",
        f"    or put COMPOSE_FILE={listed}:compose.desktop.yaml in the .env of the VM-backed machines only",
    ]
    compose_accepts(project, "compose.yaml", "docker-compose.override.yml", "compose.linux.yaml")


def test_one_file_cannot_be_both_sides_of_the_split(project):
    put(project, "compose.yaml", SPLIT)
    result = run("-o", "compose.override.yaml")
    assert result.exit_code == 2
    assert "compose.override.yaml would hold both the changes every engine needs and those only VM-backed" in (
        result.stderr
    )
    assert not (project / "compose.override.yaml").exists()


def test_no_empty_portable_or_desktop_file(project):
    # Only a VM-only change: no compose.override.yaml; only a change every engine needs: no compose.desktop.yaml.
    put(project, "compose.yaml", "services:\n  web:\n    image: nginx\n    network_mode: host\n    expose: ['80']\n")
    assert run().exit_code == 0
    assert (project / "compose.desktop.yaml").exists() and not (project / "compose.override.yaml").exists()
    (project / "compose.desktop.yaml").unlink()
    put(project, "compose.yaml", "services:\n  web:\n    image: nginx\n    environment:\n      H: 172.17.0.1\n")
    assert run().exit_code == 0
    assert (project / "compose.override.yaml").exists() and not (project / "compose.desktop.yaml").exists()


def test_portable_output_is_for_override_mode_and_one_project(project):
    put(project, "compose.yaml", SPLIT)
    result = run("--in-place", "--portable-output", "x.yaml")
    assert result.exit_code == 2
    assert "--in-place patches the files themselves: it takes no --portable-output" in result.stderr
    folder = project / "other"
    folder.mkdir()
    put(folder, "compose.yaml", SPLIT)
    result = run("compose.yaml", "other/compose.yaml", "--portable-output", "x.yaml")
    assert result.exit_code == 2
    assert "--portable-output names one file, but the paths make several projects" in result.stderr


OUTGOING_ONLY = """\
services:
  worker:
    image: example/worker
    network_mode: host
    environment:
      API_URL: https://api.example.com
"""


def test_a_host_mode_service_with_no_port_asks_for_publish_or_an_empty_publish(project):
    put(project, "compose.yaml", OUTGOING_ONLY)
    result = run("--unsafe-fixes", str(project))
    assert result.exit_code == 1, result.output
    assert (
        "compose.yaml:4:19: CF101 not fixed: no port found for `worker`: pass --publish worker=PORT[,PORT] (or set "
        "[tool.composefix.publish]) so the override can publish what it listens on, or --publish worker= when it "
        "only makes outgoing connections and publishes nothing\n"
    ) in result.output
    assert not (project / "compose.desktop.yaml").exists()


@pytest.mark.parametrize("how", ["flag", "config"])
def test_an_empty_publish_moves_a_service_that_only_makes_outgoing_connections(project, how):
    put(project, "compose.yaml", OUTGOING_ONLY)
    if how == "config":
        put(project, "pyproject.toml", "[tool.composefix.publish]\nworker = []\n")
    result = run("--unsafe-fixes", *(["--publish", "worker="] if how == "flag" else []), str(project))
    assert result.exit_code == 0, result.output
    assert (
        "compose.yaml:4:19: CF101 fixed: join the project network; it publishes no port (in compose.desktop.yaml: "
        "only VM-backed engines load this file)\n"
    ) in result.output
    text = (project / "compose.desktop.yaml").read_text()
    assert text.split("services:\n", 1)[1] == (
        "  worker:\n    # CF101: leave `network_mode: host` for the project network\n    network_mode: !reset null\n"
    )
    compose_accepts(project, "compose.yaml", "compose.desktop.yaml")


@pytest.mark.parametrize("value", ["worker", "=80", "worker=x", "worker=0"])
def test_publish_rejects_what_is_not_service_equals_ports(project, value):
    put(project, "compose.yaml", OUTGOING_ONLY)
    result = run("--unsafe-fixes", "--publish", value, str(project))
    assert result.exit_code == 2
    assert f"--publish takes SERVICE=PORT[,PORT] (or SERVICE= for no port), not `{value}`" in result.output


def test_a_loopback_bound_port_another_service_reaches_keeps_the_server_in_host_mode(project):
    # `worker` reaches api's debug listener (bound on 127.0.0.1) through `localhost:6060`. Moved, api would bind
    # 6060 on its own container's loopback, which `api:6060` does not reach: both stay in host mode.
    # The brief's reproduction, byte for byte (the columns in the messages are its columns).
    text = (
        "services:\n"
        '  api: {image: example/api, network_mode: host, command: ["api","--port","8080","--debug-addr",'
        '"127.0.0.1:6060"]}\n'
        '  worker: {image: nginx, network_mode: host, environment: {API_URL: "http://localhost:8080", '
        'DEBUG: "http://localhost:6060/debug"}}\n'
    )
    put(project, "compose.yaml", text)
    result = run("--unsafe-fixes", ".")
    assert result.exit_code == 1
    assert result.output == (
        "compose.yaml:2:43: CF101 not fixed: `api` listens only on `127.0.0.1` (in `command[4]`): a published port "
        "does not reach a server bound to the container's loopback, so leaving host mode would cut off the clients "
        "that reach it on this machine; make it listen on `0.0.0.0` first\n"
        "compose.yaml:3:40: CF101 not fixed: `worker` reaches `api` at `localhost:8080` (in `environment.API_URL`), "
        "and `api` stays in host mode: leaving host mode alone would cut that connection\n"
        "compose.yaml:3:77: CF104 not fixed: fixed together with CF101 (the service first has to leave host mode)\n"
        "compose.yaml:3:109: CF104 not fixed: fixed together with CF101 (the service first has to leave host mode)\n"
        "nothing to fix: no override file written\n"
    )
    assert sorted(p.name for p in project.iterdir()) == [".git", "compose.yaml"]
    # Nobody reaches the debug port: api leaves host mode publishing 8080 only, and worker follows it.
    put(project, "compose.yaml", text.replace(', DEBUG: "http://localhost:6060/debug"', ""))
    result = run("--unsafe-fixes", ".")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "compose.yaml:2:43: CF101 fixed: join the project network and publish 8080:8080 (in compose.desktop.yaml: "
        "only VM-backed engines load this file)\n"
    )
    assert "CF104 fixed: use `api:8080`" in result.output and "6060" not in result.output
    compose_accepts(project, "compose.yaml", "compose.desktop.yaml")
