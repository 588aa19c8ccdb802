"""Property test: generated projects with several networks, host-mode services whose upstreams are written in
`environment`, in an env_file or in an inline config, and servers on various networks. Every connection the
project makes on Linux survives the rewrite on each target (override file and in place, the written files read
back from disk), real Compose accepts the result, and the host-mode services do leave host mode wherever the
mode can write every change they need (so a rewrite that refuses everything does not pass)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composefix.fixing.rewrite import rewrite, write
from composefix.model import Target
from composefix.platform.compose_cli import find_compose
from composefix.rules.runner import Options
from tests.helpers import survival_of

TARGETS = frozenset({Target.LINUX, Target.DESKTOP, Target.COLIMA, Target.PODMAN})
NETWORKS = ["backend", "frontend", "data"]


@dataclass(frozen=True)
class Generated:
    compose: str
    env_files: dict[str, str]
    # host-mode service -> where its upstreams are written (environment, env_file, config)
    clients: dict[str, set[str]]


@st.composite
def projects(draw: st.DrawFn) -> Generated:
    servers = draw(st.lists(st.sampled_from(["web", "api", "db", "cache"]), min_size=1, max_size=3, unique=True))
    clients = draw(st.lists(st.sampled_from(["proxy", "gateway", "worker"]), min_size=1, max_size=2, unique=True))
    lines = ["services:"]
    used: set[str] = set()
    for index, name in enumerate(servers):
        port = 8000 + index
        networks = draw(st.lists(st.sampled_from(["default", *NETWORKS]), min_size=1, max_size=2, unique=True))
        lines += [f"  {name}:", f"    image: ghcr.io/example/{name}:1", "    ports:", f'      - "{port}:{port}"']
        if networks != ["default"] or draw(st.booleans()):
            lines.append("    networks:")
            lines += [f"      - {n}" for n in networks]
        used |= set(networks) - {"default"}
    env_files: dict[str, str] = {}
    configs: list[str] = []
    wheres: dict[str, set[str]] = {}
    for index, name in enumerate(clients):
        targets = draw(st.lists(st.sampled_from(servers), min_size=1, max_size=len(servers), unique=True))
        lines += [f"  {name}:", f"    image: ghcr.io/example/{name}:1", "    network_mode: host", "    environment:"]
        lines.append(f'      LISTEN_PORT: "{9000 + index}"')
        wheres[name] = set()
        config_lines: list[str] = []
        env_lines: list[str] = []
        for server in targets:
            port = 8000 + servers.index(server)
            where = draw(st.sampled_from(["environment", "env_file", "config"]))
            wheres[name].add(where)
            address = f"http://localhost:{port}"
            if where == "environment":
                lines.append(f"      UP_{server.upper()}: {address}")
            elif where == "env_file":
                env_lines.append(f"UP_{server.upper()}={address}")
            else:
                config_lines.append(f"        location /{server} {{ proxy_pass {address}; }}")
        if env_lines:
            env_files[f"{name}.env"] = "\n".join(env_lines) + "\n"
            lines.append(f"    env_file: {name}.env")
        if config_lines:
            lines += ["    configs:", f"      - source: {name}_conf", f"        target: /etc/{name}.conf"]
            configs += [f"  {name}_conf:", "    content: |", "      server {", *config_lines, "      }"]
    if used:
        lines.append("networks:")
        lines += [f"  {n}: {{}}" for n in sorted(used)]
    if configs:
        lines += ["configs:", *configs]
    return Generated("\n".join(lines) + "\n", env_files, wheres)


def _check(generated: Generated, in_place: bool) -> None:
    compose = find_compose()
    assert compose is not None
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "compose.yaml"
        path.write_text(generated.compose, encoding="utf-8")
        for name, text in generated.env_files.items():
            (folder / name).write_text(text, encoding="utf-8")
        options = Options(schema=False, environ={}, targets=TARGETS)
        outcome = rewrite(
            [path], options, in_place=in_place, output=None, unsafe=in_place, publish={}, force=False, compose=compose
        )
        if outcome.writes:
            assert "Docker Compose accepts the result (`config`)" in outcome.notes
            write(outcome)
            texts = {name: Path(name).read_text(encoding="utf-8") for name in outcome.writes}
            survival = survival_of(outcome, [path], texts, options, in_place=in_place)
            assert [lost.describe() for lost in survival.broken] == []
            assert survival.kept > 0
        left = {f.service for f, _ in outcome.fixed if f.code == "CF101"}
        # Every change can be written, in place and in an override file (an env_file's value is overridden
        # through `environment:`).
        expected = set(generated.clients)
        assert expected <= left, (expected - left, outcome.unfixed, outcome.writes)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_every_linux_connection_survives_the_override(generated):
    _check(generated, in_place=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_every_linux_connection_survives_in_place(generated):
    _check(generated, in_place=True)
