"""Property tests of the connection graph on generated projects (several networks, host-mode services, names,
loopback and host addresses): an independent oracle for whether a connection by name works, a project keeps its
own connections, and leaving host mode keeps a connection exactly when the service joins its peer's network."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composefix.analysis.network import Kind
from composefix.graph.connections import connection_graph, lost_connections
from composefix.model import Target
from composefix.reading.loader import load_project

NAMES = ["api", "web", "worker", "store", "cache"]
NETWORKS = ["front", "back", "default"]


@st.composite
def projects(draw: st.DrawFn) -> dict[str, dict[str, object]]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True))
    services: dict[str, dict[str, object]] = {}
    for index, name in enumerate(names):
        host = draw(st.booleans()) and index > 0
        services[name] = {
            "host": host,
            "networks": [] if host else draw(st.lists(st.sampled_from(NETWORKS), min_size=1, max_size=3, unique=True)),
            "port": 8000 + index,
            "peer": draw(st.sampled_from([n for n in names if n != name])),
            "host_alias": draw(st.booleans()),
            "gateway": draw(st.booleans()),
        }
    return services


def render(services: dict[str, dict[str, object]]) -> str:
    lines = ["services:"]
    for name, spec in services.items():
        peer = str(spec["peer"])
        lines += [f"  {name}:", f"    image: example/{name}:1", f'    expose: ["{spec["port"]}"]']
        if spec["host"]:
            lines.append("    network_mode: host")
        else:
            lines.append(f"    networks: [{', '.join(spec['networks'])}]")  # type: ignore[arg-type]
        lines += ["    environment:", f"      PEER_URL: http://{peer}:{services[peer]['port']}"]
        if spec["host_alias"]:
            lines.append("      BILLING_HOST: host.docker.internal:4000")
        if spec["gateway"]:
            lines += ["    extra_hosts:", '      - "host.docker.internal:host-gateway"']
    lines += ["networks:", "  front:", "  back:"]
    return "\n".join(lines) + "\n"


def load(folder: Path, text: str, override: str | None = None):
    (folder / "compose.yaml").write_text(text, encoding="utf-8")
    files = [folder / "compose.yaml"]
    if override is not None:
        (folder / "compose.desktop.yaml").write_text(override, encoding="utf-8")
        files.append(folder / "compose.desktop.yaml")
    return load_project(files, environ={})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_connections_by_name_follow_the_networks(services):
    with tempfile.TemporaryDirectory() as folder:
        graph = connection_graph(load(Path(folder), render(services)))
    by_name = {(e.source, e.target): i for i, e in enumerate(graph.edges) if e.kind is Kind.NAME}
    assert set(by_name) == {(name, spec["peer"]) for name, spec in services.items()}
    for (source, peer), index in by_name.items():
        mine, theirs = services[source], services[peer]
        works = not mine["host"] and not theirs["host"] and bool(set(mine["networks"]) & set(theirs["networks"]))
        for target in Target:
            assert graph.status[target][index].works is works, (source, peer, target)
    aliases = [i for i, e in enumerate(graph.edges) if e.kind is Kind.HOST_ALIAS]
    assert len(aliases) == sum(1 for spec in services.values() if spec["host_alias"])
    for index in aliases:
        gateway = services[graph.edges[index].source]["gateway"]
        assert graph.status[Target.LINUX][index].works is gateway
        assert graph.status[Target.DESKTOP][index].works
        assert graph.status[Target.RANCHER][index].works is not gateway


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_a_project_compared_with_itself_loses_exactly_what_each_engine_breaks(services):
    with tempfile.TemporaryDirectory() as folder:
        project = load(Path(folder), render(services))
        graph = connection_graph(project)
        lost = lost_connections(project, project)
    assert [item for item in lost if item.target is Target.LINUX] == []
    linux = graph.status[Target.LINUX]
    expected = {
        (edge, target, status.reason)
        for target in Target
        for edge, status, there in zip(graph.edges, graph.status[target], linux, strict=True)
        if there.works and not status.works
    }
    assert {(item.edge, item.target, item.reason) for item in lost} == expected
    assert len(lost) == len(expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(), st.booleans())
def test_leaving_host_mode_keeps_a_connection_only_on_a_shared_network(services, join):
    """A host-mode service reaches a host-mode peer through `localhost` on Linux; an override that takes both out of
    host mode and names the peer keeps the connection when the service joins the peer's network."""
    host_mode = [name for name, spec in services.items() if spec["host"]]
    source = next(iter(services))
    peer = str(services[source]["peer"])
    services[source].update(host=True, networks=[])
    services[peer].update(host=True, networks=[])
    text = render(services).replace(
        f"PEER_URL: http://{peer}:{services[peer]['port']}", f"PEER_URL: http://localhost:{services[peer]['port']}", 1
    )
    override = ["services:"]
    for name in {source, peer, *host_mode}:
        override += [f"  {name}:", "    network_mode: !reset null", "    networks: [back]"]
        if name == source:
            override += ["    environment:", f"      PEER_URL: http://{peer}:{services[peer]['port']}"]
    if not join:
        override[override.index(f"  {source}:") + 2] = "    networks: [front]"
    with tempfile.TemporaryDirectory() as folder:
        original = load(Path(folder), text)
        edges = [
            e for e in connection_graph(original).edges if e.source == source and e.via.path == "environment.PEER_URL"
        ]
        assert [(e.target, e.kind) for e in edges] == [(peer, Kind.LOOPBACK)]
        rewritten = load(Path(folder), text, "\n".join(override) + "\n")
        lost = [item for item in lost_connections(original, rewritten) if item.edge.source == source]
    if join:
        assert [item for item in lost if item.edge.via.path == "environment.PEER_URL"] == []
    else:
        assert {(item.target, item.reason) for item in lost if item.edge.via.path == "environment.PEER_URL"} == {
            (target, f"`{source}` (front) and `{peer}` (back) share no network") for target in Target
        }
