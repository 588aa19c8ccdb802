"""The connection graph: edges found, their status on each engine, the findings that explain a broken one, and the
connections a rewritten project loses."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from composefix.analysis.network import HOST, Kind
from composefix.graph.connections import connection_graph, load_edited, lost_connections
from composefix.model import TARGET_LABELS, Target
from composefix.reading.loader import load_project
from tests.helpers import CORPUS, ROOT

VM = (Target.DESKTOP, Target.COLIMA, Target.PODMAN)


def project(tmp_path: Path, text: str, *more: tuple[str, str]):
    files = [("compose.yaml", text), *more]
    for name, body in files:
        (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return load_project([tmp_path / name for name, _ in files if name.endswith(".yaml")], environ={})


def edges(graph):
    return [(e.source, e.target, e.port, e.kind, e.written, e.via.path, e.via.line) for e in graph.edges]


def status(graph, target, index=0):
    found = graph.status[target][index]
    return found.works, found.reason, found.codes


def test_clean_example_every_connection_works_on_linux_and_desktop():
    graph = connection_graph(load_project([ROOT / "examples/clean/compose.yaml"], environ={}))
    assert edges(graph) == [
        ("api", "db", 5432, Kind.NAME, "db:5432", "environment.DATABASE_URL", 13),
        ("api", HOST, 4000, Kind.HOST_ALIAS, "host.docker.internal:4000", "environment.PAYMENTS_URL", 15),
    ]
    assert graph.networks == {"default": ["web", "api", "db"]}
    web = graph.services["web"]
    assert [(p.host_port, p.container_port) for p in web.published] == [("8080", 80)]
    assert [(link.name, link.address) for link in graph.services["api"].links] == [
        ("host.docker.internal", "host-gateway")
    ]
    for target in (Target.LINUX, Target.DESKTOP, Target.ORBSTACK, Target.COLIMA, Target.PODMAN):
        assert [s.works for s in graph.status[target]] == [True, True], target
    # Rancher Desktop does not support host-gateway: the explicit entry replaces its own alias.
    assert status(graph, Target.RANCHER, 1) == (
        False,
        "`host.docker.internal` is mapped to `host-gateway`: Rancher Desktop does not support `host-gateway`",
        (),
    )


def test_docker0_address_works_on_linux_and_breaks_on_every_vm_engine_with_cf105():
    graph = connection_graph(load_project([ROOT / "examples/docker0-gateway/compose.yaml"], environ={}))
    assert [(e.source, e.target, e.port, e.kind, e.via.path) for e in graph.edges] == [
        ("api", HOST, 5432, Kind.BRIDGE_IP, "environment.DATABASE_URL"),
        ("api", HOST, 9091, Kind.BRIDGE_IP, "environment.METRICS_PUSH_URL"),
        ("worker", HOST, 5672, Kind.BRIDGE_IP, "command[2]"),
    ]
    assert all(s.works for s in graph.status[Target.LINUX])
    for target in (Target.DESKTOP, Target.COLIMA, Target.ORBSTACK, Target.PODMAN, Target.RANCHER):
        assert [(s.works, s.codes) for s in graph.status[target]] == [(False, ("CF105",))] * 3
    assert graph.status[Target.DESKTOP][0].reason == (
        "`172.17.0.1` is the gateway of the engine's VM on Docker Desktop, not your machine"
    )
    # The password in the line is masked like `check` masks it.
    assert graph.edges[0].via.line_text == "DATABASE_URL: postgres://api:****@172.17.0.1:5432/api"
    assert graph.edges[2].via.line_text == 'command: ["worker", "--broker", "amqp://guest:****@172.17.0.1:5672//"]'


def test_host_mode_loopback_reaches_the_host_on_linux_and_orbstack_and_the_vm_elsewhere():
    path = ROOT / "examples/sidecar-host-network/compose.yaml"
    graph = connection_graph(load_project([path], environ={}))
    assert edges(graph) == [("proxy", HOST, 3000, Kind.LOOPBACK, "localhost:3000", "command", 8)]
    assert graph.services["proxy"].network_mode == "host"
    assert graph.services["proxy"].networks == ()
    for target in (Target.LINUX, Target.ORBSTACK):
        assert status(graph, target) == (True, "", ())
    for target in VM:
        works, reason, codes = status(graph, target)
        assert (works, codes) == (False, ("CF103",))
        assert reason.startswith("in host mode on ") and reason.endswith(
            "`localhost:3000` is the engine's VM, not your machine"
        )
    # With Docker Desktop's host networking turned on, Desktop behaves as Linux does.
    graph = connection_graph(load_project([path], environ={}), desktop_host_networking=True)
    assert status(graph, Target.DESKTOP) == (True, "", ())


def test_host_alias_without_host_gateway_breaks_on_linux_every_use_explained(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              api:
                image: example/api
                environment:
                  A_URL: http://host.docker.internal:4000
                  B_URL: http://host.docker.internal:4001
            """,
        )
    )
    assert [(e.port, e.kind) for e in graph.edges] == [(4000, Kind.HOST_ALIAS), (4001, Kind.HOST_ALIAS)]
    reason = "Linux Docker Engine does not define `host.docker.internal` without `extra_hosts` `host-gateway`"
    # CF107 reports the first use only; the second is explained by the same finding (same service, same name).
    assert [(s.works, s.reason, s.codes) for s in graph.status[Target.LINUX]] == [(False, reason, ("CF107",))] * 2
    assert all(s.works for t in (Target.DESKTOP, Target.RANCHER) for s in graph.status[t])


def test_service_names_need_a_shared_network(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              api:
                image: example/api
                networks: [front]
                environment:
                  DATABASE_URL: postgres://app@db/app
                  CACHE_HOST: cache
              db:
                image: postgres:16
                networks: [back]
              cache:
                image: redis:7
                networks: [front, back]
            networks:
              front:
              back:
            """,
        )
    )
    assert edges(graph) == [
        ("api", "db", 5432, Kind.NAME, "db", "environment.DATABASE_URL", 6),
        ("api", "cache", 6379, Kind.NAME, "cache", "environment.CACHE_HOST", 7),
    ]
    for target in Target:
        assert status(graph, target, 0) == (False, "`api` (front) and `db` (back) share no network", ())
        assert status(graph, target, 1) == (True, "", ())
    assert graph.networks == {"front": ["api", "cache"], "back": ["db", "cache"]}


def test_a_host_port_used_inside_the_network_breaks_the_connection(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              web:
                image: example/web
                ports: ["8080:80"]
              client:
                image: example/client
                command: ["wait-for-it", "web:8080", "--", "run"]
            """,
        )
    )
    assert edges(graph) == [("client", "web", 8080, Kind.NAME, "web:8080", "command[1]", 7)]
    assert status(graph, Target.LINUX) == (
        False,
        "`web` publishes 8080 on the host for its port 80; other services reach it on 80",
        (),
    )


def test_a_port_nothing_says_the_service_listens_on_is_not_evidence(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              broker:
                image: example/kafka
                ports: ["9092:9092"]
              connect:
                image: example/connect
                environment:
                  BOOTSTRAP_SERVERS: broker:29092
            """,
        )
    )
    assert [(e.target, e.port) for e in graph.edges] == [("broker", 29092)]
    assert all(graph.status[t][0].works for t in Target)


def test_words_that_happen_to_be_service_names_are_not_connections(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              api:
                image: example/api
                command: python -m api --role api --docs /api/docs
                environment:
                  SERVICE_NAME: worker
                  API_PREFIX: /api
              worker:
                image: example/worker
                environment:
                  API_HOST: api
            """,
        )
    )
    assert [(e.source, e.target, e.port) for e in graph.edges] == [("worker", "api", None)]


def test_host_mode_loopback_to_a_published_port_reaches_that_service_on_its_container_port(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              proxy:
                image: caddy:2.8
                network_mode: host
                command: caddy reverse-proxy --from :9000 --to localhost:8080
              web:
                image: example/web
                ports: ["8080:80"]
            """,
        )
    )
    assert edges(graph) == [("proxy", "web", 80, Kind.LOOPBACK, "localhost:8080", "command", 5)]
    # Both ends are in the engine's network namespace on every engine (the VM's, on VM-backed ones).
    assert all(graph.status[t][0].works for t in Target)


def test_a_bridge_service_loopback_is_the_container_itself_everywhere(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              api:
                image: example/api
                environment:
                  DATABASE_URL: postgres://app@localhost:5432/app
              db:
                image: postgres:16
            """,
        )
    )
    assert edges(graph) == [("api", "db", 5432, Kind.LOOPBACK, "localhost:5432", "environment.DATABASE_URL", 5)]
    for target in Target:
        assert status(graph, target) == (
            False,
            "inside `api`'s container `localhost:5432` is the container itself",
            ("CF104",),
        )


def test_legacy_desktop_names_work_on_desktop_only(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              api:
                image: example/api
                environment:
                  DB_URL: postgres://app@docker.for.mac.localhost:5432/app
            """,
        )
    )
    assert [(e.target, e.port, e.kind) for e in graph.edges] == [(HOST, 5432, Kind.LEGACY)]
    assert status(graph, Target.DESKTOP) == (True, "", ())
    works, reason, codes = status(graph, Target.LINUX)
    assert (works, codes) == (False, ("CF109",))
    assert reason == "`docker.for.mac.localhost` is a Docker Desktop name; Linux Docker Engine does not define it"


def test_a_name_mapped_to_host_gateway_reaches_the_host(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              api:
                image: example/api
                extra_hosts: ["dockerhost:host-gateway", "capture:host-gateway"]
                environment:
                  METRICS: http://dockerhost:9091/metrics
                  CADDYFILE: "@capture { path /capture }  handle @capture { reverse_proxy capture:3307 }"
            """,
        )
    )
    # Only the uses as an address count, not the same word elsewhere in the text.
    assert [(e.target, e.port, e.kind, e.written) for e in graph.edges] == [
        (HOST, 9091, Kind.EXTRA_HOST, "dockerhost:9091"),
        (HOST, 3307, Kind.EXTRA_HOST, "capture:3307"),
    ]
    assert all(s.works for t in Target if t is not Target.RANCHER for s in graph.status[t])
    assert not any(s.works for s in graph.status[Target.RANCHER])


def test_an_inline_config_line_and_a_network_alias_are_what_a_connection_goes_through(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              proxy:
                image: nginx:1.27
                network_mode: host
                configs:
                  - source: site
                    target: /etc/nginx/conf.d/default.conf
              web:
                image: example/web
                ports: ["8080:80"]
                networks:
                  back:
                    aliases: [www]
              client:
                image: example/client
                networks: [front]
                environment:
                  TARGET: http://www:80/
            networks:
              front:
              back:
            configs:
              site:
                content: |
                  server {
                    listen 9000;
                    location / { proxy_pass http://localhost:8080; }
                  }
            """,
        )
    )
    assert edges(graph) == [
        ("client", "web", 80, Kind.NAME, "www:80", "environment.TARGET", 18),
        ("proxy", "web", 80, Kind.LOOPBACK, "localhost:8080", "configs.site.content", 27),
    ]
    assert graph.edges[1].via.line_text == "location / { proxy_pass http://localhost:8080; }"
    # The alias `www` is valid on `back` only, and `client` is on `front`.
    assert status(graph, Target.LINUX, 0) == (False, "`client` (front) and `web` (back) share no network", ())
    assert status(graph, Target.LINUX, 1) == (True, "", ())


# --- what a rewrite keeps -----------------------------------------------------------------------------------------

HOST_PROXY = """\
services:
  proxy:
    image: nginx:1.27
    network_mode: host
    environment:
      UPSTREAM: http://localhost:8080
  web:
    image: example/web
    ports: ["8080:8080"]
    networks: [backend]
networks:
  backend:
"""


def test_leaving_host_mode_for_a_network_the_peer_is_not_on_is_a_lost_connection(tmp_path):
    original = project(tmp_path, HOST_PROXY)
    override = """\
    services:
      proxy:
        network_mode: !reset null
        ports: ["8080:80"]
        environment:
          UPSTREAM: http://web:8080
    """
    rewritten = project(tmp_path, HOST_PROXY, ("compose.desktop.yaml", override))
    assert rewritten.services["proxy"].network_mode is None  # the override really took it out of host mode
    lost = lost_connections(original, rewritten)
    assert [(item.target, item.edge.key, item.reason) for item in lost] == [
        (target, ("proxy", "web", 8080), "`proxy` (default) and `web` (backend) share no network") for target in Target
    ]
    assert lost[0].describe() == (
        "Linux Docker Engine: `proxy` -> `web:8080` through `localhost:8080` in environment.UPSTREAM "
        f"({tmp_path / 'compose.yaml'}:6): `proxy` (default) and `web` (backend) share no network"
    )


def test_joining_the_peers_network_keeps_the_connection(tmp_path):
    original = project(tmp_path, HOST_PROXY)
    override = """\
    services:
      proxy:
        network_mode: !reset null
        networks: [backend]
        environment:
          UPSTREAM: http://web:8080
    """
    rewritten = project(tmp_path, HOST_PROXY, ("compose.desktop.yaml", override))
    assert lost_connections(original, rewritten) == []


def test_a_loopback_left_behind_after_leaving_host_mode_is_lost_with_the_finding_that_says_so(tmp_path):
    original = project(tmp_path, HOST_PROXY)
    override = """\
    services:
      proxy:
        network_mode: !reset null
        networks: [backend]
    """
    rewritten = project(tmp_path, HOST_PROXY, ("compose.desktop.yaml", override))
    lost = lost_connections(original, rewritten, (Target.DESKTOP,))
    # No rule reports this one (an http URL on a port some service publishes reads as handed out to a browser in a
    # bridge service), which is why the comparison does not rely on findings: the text the proxy reads is the same.
    assert [(item.target, item.reason, item.codes) for item in lost] == [
        (Target.DESKTOP, "inside `proxy`'s container `localhost:8080` is the container itself", ())
    ]


def test_each_target_may_load_its_own_files(tmp_path):
    original = project(tmp_path, HOST_PROXY)
    override = """\
    services:
      proxy:
        network_mode: !reset null
        networks: [backend]
        environment:
          UPSTREAM: http://web:8080
    """
    desktop = project(tmp_path, HOST_PROXY, ("compose.desktop.yaml", override))
    # Linux machines load only compose.yaml (host mode, as written); VM-backed engines load the override too.
    split = {Target.LINUX: original, Target.DESKTOP: desktop, Target.COLIMA: desktop}
    assert lost_connections(original, split) == []
    # Without the override on Colima the host-mode proxy still works there (both ends in the VM)...
    assert lost_connections(original, {Target.COLIMA: original}) == []


def test_a_connection_the_rewrite_drops_is_reported(tmp_path):
    original = project(
        tmp_path,
        """\
        services:
          api:
            image: example/api
            environment:
              DATABASE_URL: postgres://app@db:5432/app
          db:
            image: postgres:16
        """,
    )
    (tmp_path / "after").mkdir()
    rewritten = project(
        tmp_path / "after",
        """\
        services:
          api:
            image: example/api
            environment:
              DATABASE_URL: postgres://app@store:5432/app
          db:
            image: postgres:16
          store:
            image: postgres:16
        """,
    )
    lost = lost_connections(original, rewritten, (Target.LINUX,))
    assert [(item.edge.key, item.reason) for item in lost] == [
        (("api", "db", 5432), "`environment.DATABASE_URL` now reaches `store:5432` (`store:5432`)")
    ]


@pytest.mark.parametrize("example", ["clean", "docker0-gateway", "sidecar-host-network"])
def test_the_shipped_in_place_results_keep_every_connection(example):
    """The examples' expected in-place rewrites keep every connection the original makes on Linux, on the
    engines the examples target."""
    folder = ROOT / "examples" / example
    original = load_project([folder / "compose.yaml"], environ={})
    rewritten = load_project([folder / "expected-in-place" / "compose.yaml"], environ={})
    assert [item.describe() for item in lost_connections(original, rewritten, (Target.LINUX, Target.DESKTOP))] == []


@pytest.mark.parametrize("example", ["docker0-gateway", "sidecar-host-network"])
def test_the_shipped_overrides_keep_every_connection(example):
    """The examples' expected override files, loaded after compose.yaml, keep every connection."""
    folder = ROOT / "examples" / example
    original = load_project([folder / "compose.yaml"], environ={})
    overrides = sorted((folder / "expected-rewrite").glob("*.y*ml"))
    assert overrides
    rewritten = load_project([folder / "compose.yaml", *overrides], project_directory=folder, environ={})
    assert [item.describe() for item in lost_connections(original, rewritten, (Target.LINUX, Target.DESKTOP))] == []


@pytest.mark.slow
def test_every_corpus_file_has_a_graph_and_a_picture():
    """Every compose file of the corpus: the graph builds, the three pictures draw, no password reaches them, and
    the project compared with itself loses nothing on Linux."""
    from composefix.graph.drawing import RENDERERS
    from composefix.masking import secret_spans
    from tests.test_corpus import compose_rows

    rows = compose_rows()  # skips without a corpus, as the other corpus tests do
    assert rows, "the corpus manifest lists no compose file"
    edges = 0
    for row in rows:
        loaded = load_project([CORPUS / row["local_path"]], environ={})
        graph = connection_graph(loaded)
        edges += len(graph.edges)
        for render in RENDERERS.values():
            picture = render(graph, Target.DESKTOP)
            for edge in graph.edges:
                assert edge.written not in ("", ":")
            text = re.sub(r"<[^>]*>", "\n", picture.replace("\\n", "\n"))  # tags (SVG, <br/>) end a value
            assert {text[start:end] for start, end in secret_spans(text)} <= {"****"}
        assert [x for x in lost_connections(loaded, loaded) if x.target is Target.LINUX] == []
    assert edges > 1000  # the corpus connects services: a graph without edges would mean nothing was found


def test_edited_texts_are_compared_without_writing_them(tmp_path):
    """An in-place rewrite given as texts: a `.env` edit that keeps the connection, then one that loses it."""
    files = [tmp_path / "compose.yaml"]
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  app:\n"
        "    image: example/app\n"
        "    network_mode: host\n"
        "    environment:\n"
        "      API_URL: http://${API_HOST:-localhost}:9000\n",
        encoding="utf-8",
    )
    (tmp_path / ".env").write_text("API_HOST=localhost\n", encoding="utf-8")
    original = load_project(files, environ={})
    assert [(e.target, e.port, e.via.file) for e in connection_graph(original).edges] == [
        (HOST, 9000, str(tmp_path / ".env"))
    ]
    compose = (tmp_path / "compose.yaml").read_text().replace("    network_mode: host\n", "")
    kept = load_edited(
        files,
        {
            tmp_path / "compose.yaml": compose + "    extra_hosts:\n      - host.docker.internal:host-gateway\n",
            tmp_path / ".env": "API_HOST=host.docker.internal\n",
        },
        environ={},
    )
    assert lost_connections(original, kept, (Target.LINUX, Target.DESKTOP)) == []
    lost = lost_connections(original, load_edited(files, {tmp_path / "compose.yaml": compose}, environ={}))
    assert {(item.target, item.reason) for item in lost} == {
        (target, "inside `app`'s container `localhost:9000` is the container itself") for target in Target
    }
    # Nothing was written.
    assert (tmp_path / ".env").read_text() == "API_HOST=localhost\n"
    assert "network_mode: host" in (tmp_path / "compose.yaml").read_text()


SCANNER = """\
services:
  server:
    image: example/server
    extra_hosts: ["host.docker.internal:host-gateway"]
    environment:
      DAEMON_URL: http://host.docker.internal:60073
  daemon:
    image: example/daemon
    network_mode: host
    environment:
      PORT: "60073"
  web:
    image: example/web
    ports: ["8080:80"]
  probe:
    image: example/probe
    command: ["wait-for-it", "172.17.0.1:8080"]
"""


def test_the_host_address_of_a_host_mode_or_published_port_reaches_that_service(tmp_path):
    graph = connection_graph(project(tmp_path, SCANNER))
    assert edges(graph) == [
        ("probe", "web", 80, Kind.BRIDGE_IP, "172.17.0.1:8080", "command[1]", 17),
        ("server", "daemon", 60073, Kind.HOST_ALIAS, "host.docker.internal:60073", "environment.DAEMON_URL", 6),
    ]
    assert status(graph, Target.LINUX, 1) == (True, "", ())
    assert status(graph, Target.ORBSTACK, 1) == (True, "", ())
    for target in VM:
        assert status(graph, Target(target), 1)[:2] == (
            False,
            f"`daemon` listens in host mode: on {TARGET_LABELS[target]} that is the engine's VM, not your machine",
        )
    assert status(graph, Target.LINUX, 0) == (True, "", ())
    assert status(graph, Target.DESKTOP, 0)[:2] == (
        False,
        "`172.17.0.1` is the gateway of the engine's VM on Docker Desktop, not your machine",
    )


def test_naming_a_host_mode_service_that_leaves_host_mode_keeps_the_connection(tmp_path):
    original = project(tmp_path, SCANNER)
    override = """\
    services:
      daemon:
        network_mode: !reset null
      server:
        environment:
          DAEMON_URL: http://daemon:60073
    """
    rewritten = project(tmp_path, SCANNER, ("compose.desktop.yaml", override))
    lost = lost_connections(original, rewritten)
    # The probe's docker0 address was not part of the rewrite: it still breaks on the VM-backed engines.
    assert {(item.edge.source, item.target) for item in lost} == {
        ("probe", target) for target in Target if target is not Target.LINUX
    }


def test_a_links_alias_names_the_linked_service_for_that_service_only(tmp_path):
    graph = connection_graph(
        project(
            tmp_path,
            """\
            services:
              app:
                image: example/app
                links: ["db:database"]
                environment:
                  DB_HOST: database
              other:
                image: example/other
                environment:
                  DB_HOST: database
              db:
                image: postgres:16
            """,
        )
    )
    assert edges(graph) == [("app", "db", 5432, Kind.NAME, "database", "environment.DB_HOST", 6)]
    assert all(graph.status[t][0].works for t in Target)


LOOPBACK_DEBUG = """\
services:
  api: {image: example/api, network_mode: host, command: ["api", "--port", "8080", "--debug-addr", "127.0.0.1:6060"]}
  worker:
    image: nginx
    network_mode: host
    environment: {API_URL: "http://localhost:8080", DEBUG: "http://localhost:6060/debug"}
"""


def test_a_port_bound_on_the_containers_loopback_is_lost_once_out_of_host_mode(tmp_path):
    # In host mode `localhost:6060` reaches api's debug listener on the machine's loopback. Out of host mode that
    # listener is on api's own container's loopback: `api:6060` from another container does not reach it.
    original = project(tmp_path, LOOPBACK_DEBUG)
    assert original_statuses(original) == [True, True]
    override = """\
    services:
      api: {network_mode: !reset null, ports: ["8080:8080"]}
      worker:
        network_mode: !reset null
        environment: {API_URL: "http://api:8080", DEBUG: "http://api:6060/debug"}
    """
    rewritten = project(tmp_path, LOOPBACK_DEBUG, ("compose.desktop.yaml", override))
    node = connection_graph(rewritten, (Target.DESKTOP,)).services["api"]
    assert (node.listens, node.loopback) == ((8080,), (6060,))
    lost = lost_connections(original, rewritten, (Target.DESKTOP,))
    assert [(item.edge.key, item.reason) for item in lost] == [
        (
            ("worker", "api", 6060),
            "`api` listens on 6060 only on its container's loopback address: other containers do not reach it",
        )
    ]
    # In host mode the loopback bind is the machine's: counted as a port it listens on.
    node = connection_graph(original, (Target.LINUX,)).services["api"]
    assert (node.listens, node.loopback) == ((6060, 8080), ())


def original_statuses(graph_project):
    graph = connection_graph(graph_project, (Target.LINUX,), explain=False)
    return [s.works for s in graph.status[Target.LINUX]]


def test_host_mode_localhost_to_a_service_that_does_not_publish_the_port_does_not_work(tmp_path):
    text = """\
    services:
      web:
        image: example/web
        network_mode: host
        environment: {DATABASE_URL: "postgres://u@localhost:5432/db"}
      db: {image: postgres}
    """
    graph = connection_graph(project(tmp_path, text))
    assert edges(graph) == [("web", "db", 5432, Kind.LOOPBACK, "localhost:5432", "environment.DATABASE_URL", 5)]
    for target in (Target.LINUX, *VM):
        assert status(graph, target) == (
            False,
            "`db` is not in host mode and does not publish that port on the host: `localhost:5432` is whatever "
            "listens on the machine's port, not the service",
            ("CF104",),
        ), target
    # Published on the machine (on another port inside), or in host mode itself: it works on Linux.
    published = text.replace("{image: postgres}", '{image: postgres, ports: ["5432:5432"]}')
    assert status(connection_graph(project(tmp_path, published)), Target.LINUX) == (True, "", ())
    inside = text.replace("{image: postgres}", '{image: postgres, ports: ["5432:5433"]}')
    inside = inside.replace("{image: postgres", '{image: postgres, command: ["-p", "5433"]')
    assert status(connection_graph(project(tmp_path, inside)), Target.LINUX) == (True, "", ())
    host = text.replace("{image: postgres}", "{image: postgres, network_mode: host}")
    assert status(connection_graph(project(tmp_path, host)), Target.LINUX) == (True, "", ())
    elsewhere = text.replace("{image: postgres}", '{image: postgres, ports: ["15432:5432"]}')
    assert status(connection_graph(project(tmp_path, elsewhere)), Target.LINUX)[0] is False
