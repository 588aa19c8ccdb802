"""Loopback findings by evidence: what makes CF103/CF104 a warning, information, or silent; what changes a
value's meaning first (extra_hosts, shared env_file values, bundled servers); and that rewrite leaves
information alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner

from composefix.cli import app
from composefix.model import Severity, Target
from composefix.rules.runner import Options, check_projects
from tests.helpers import lint

LOOPBACK = ("CF103", "CF104")


def found(text: str, **kwargs: object) -> list[tuple[str, int, str]]:
    """(code, line, severity) of the CF103/CF104 findings of a snippet."""
    return [(f.code, f.line, f.severity.value) for f in lint(text, select=LOOPBACK, **kwargs)]


def service(environment: str = "", *, image: str = "example/app", more: str = "") -> str:
    text = f"services:\n  app:\n    image: {image}\n"
    if environment:
        text += "    environment:\n" + textwrap.indent(textwrap.dedent(environment), "      ")
    return text + more


def test_a_server_scheme_or_connection_string_is_evidence():
    text = service(
        """\
        CACHE: redis://localhost:6379/0
        MAIL: smtp://127.0.0.1
        MYSQL_DSN: app:pw@tcp(localhost:3306)/app
        PG_CONN: host=localhost port=5433 dbname=app
        JDBC: jdbc:postgresql://localhost:5432/app
        """
    )
    assert found(text) == [
        ("CF103", 5, "warning"),
        ("CF103", 6, "warning"),
        ("CF103", 7, "warning"),
        ("CF103", 8, "warning"),
        ("CF103", 9, "warning"),
    ]
    (first, *_) = lint(text, select=LOOPBACK)
    assert first.message == (
        "Service `app` connects to `localhost:6379` (in `environment.CACHE`: a `redis://` address), which inside "
        "a container is the container itself on every engine (Linux too), not your machine"
    )


def test_a_plain_http_url_without_evidence_is_information():
    (finding,) = lint(service("UPSTREAM: http://localhost:9000/api\n"), select=LOOPBACK)
    assert finding.severity is Severity.INFO
    assert finding.message.startswith("Service `app` has `localhost:9000` (in `environment.UPSTREAM`): if this")


def test_a_client_program_and_a_proxy_upstream_are_evidence():
    text = """\
    configs:
      site:
        content: |
          server {
            location / { proxy_pass http://127.0.0.1:3000; }
          }
    services:
      web:
        image: nginx
        configs: [{source: site, target: /etc/nginx/conf.d/default.conf}]
      job:
        image: example/job
        command: sh -c "curl -fsS http://localhost:8081/ready && ./run"
    """
    assert found(text) == [("CF103", 5, "warning"), ("CF103", 13, "warning")]


def test_a_variable_that_names_a_backing_server_is_evidence_and_gives_the_port():
    text = service("DB_HOST: localhost\nDB_PORT: '5433'\nSMTP_HOST: localhost\nPEER_HOST: localhost\n")
    findings = lint(text, select=LOOPBACK)
    assert [(f.line, f.severity.value) for f in findings] == [(5, "warning"), (7, "warning"), (8, "info")]
    assert "host.docker.internal:5433" in findings[0].help  # the port from DB_PORT
    assert "host.docker.internal:25" in findings[1].help  # SMTP's usual port
    assert "cannot tell" in findings[2].message


def test_an_ollama_variable_names_the_ollama_server_a_client_connects_to():
    text = service("OLLAMA_ENDPOINT: ${OLLAMA_ENDPOINT:-http://localhost:11434}\nOLLAMA_HOST: localhost\n")
    findings = lint(text, select=LOOPBACK)
    assert [(f.code, f.line, f.severity) for f in findings] == [
        ("CF103", 5, Severity.WARNING),
        ("CF103", 6, Severity.WARNING),
    ]
    assert "`OLLAMA_ENDPOINT` names a server this container is a client of" in findings[0].message
    assert "host.docker.internal:11434" in findings[1].help  # Ollama's usual port
    # Beside an Ollama service the same value names it; in the Ollama image itself it is the server's own port.
    beside = service("OLLAMA_HOST: localhost\n", more="  ollama:\n    image: ollama/ollama\n")
    assert [(f.code, f.help) for f in lint(beside, select=LOOPBACK)] == [
        ("CF104", "use the service name: `ollama:11434`")
    ]
    assert found(service("OLLAMA_HOST: 127.0.0.1:11434\n", image="ollama/ollama")) == []


def test_the_backing_server_can_be_another_service():
    text = service("POSTGRES_HOST: localhost\n", more="  db:\n    image: postgres:16\n")
    (finding,) = lint(text, select=LOOPBACK)
    assert (finding.code, finding.severity, finding.help) == (
        "CF104",
        Severity.WARNING,
        "use the service name: `db:5432`",
    )


def test_a_known_client_variable_of_the_image_is_evidence():
    text = service("EMAIL_SERVER: localhost\n", image="netboxcommunity/netbox:v4.1")
    (finding,) = lint(text, select=LOOPBACK)
    assert finding.severity is Severity.WARNING
    assert "a server address that `netboxcommunity/netbox:v4.1` connects to" in finding.message


def test_values_handed_out_are_silent():
    text = """\
    services:
      ui:
        image: temporalio/ui:2.31
        environment:
          TEMPORAL_CODEC_ENDPOINT: http://localhost:8088
      app:
        image: example/app
        environment:
          OIDC_ISSUER: http://localhost:8080/realms/app
          RETURN_URL: http://localhost:5000/done
          DOCS: https://localhost/docs
          API_FOR_BROWSER: http://localhost:3000/api
      api:
        image: example/api
        ports: ["3000:8000"]
    """
    assert found(text) == []


def test_a_published_port_is_not_handed_out_for_a_server_scheme():
    text = service(
        "DATABASE_URL: postgres://localhost:15432/app\n", more="  db:\n    image: x\n    ports: ['15432:5432']\n"
    )
    (finding,) = lint(text, select=LOOPBACK)
    assert (finding.code, finding.severity, finding.help) == (
        "CF104",
        Severity.WARNING,
        "use the service name: `db:5432`",
    )


def test_host_mode_loopback_is_a_warning_naming_what_it_reaches_on_linux():
    text = service("UPSTREAM: http://localhost:9000/api\n", more="    network_mode: host\n")
    (finding,) = lint(text, select=LOOPBACK)
    assert finding.severity is Severity.WARNING
    assert "on Linux that is your machine's port 9000, on Docker Desktop it is the VM" in finding.message
    assert lint(text, select=LOOPBACK, targets={Target.LINUX}) == []


def test_host_mode_reaching_an_unpublished_bridge_port_says_so():
    text = """\
    services:
      agent:
        image: example/agent
        network_mode: host
        environment:
          HUB: http://127.0.0.1:60072
      hub:
        image: example/hub
        labels:
          - traefik.http.services.hub.loadbalancer.server.port=60072
    """
    (finding,) = lint(text, select=LOOPBACK)
    assert finding.code == "CF104"
    assert finding.message.endswith(
        "`hub` listens on 60072, but does not publish it on the host: on Linux this reaches whatever listens on the "
        "machine's port 60072, not `hub`"
    )
    assert finding.related[0].message == (
        "`hub` listens on 60072 (label traefik.http.services.hub.loadbalancer.server.port)"
    )


def test_extra_hosts_remapping_localhost_is_read_first():
    text = service(
        "DATABASE_URL: postgres://localhost:5432/app\n",
        more="    extra_hosts: ['localhost:host-gateway']\n",
    )
    assert found(text) == []


def test_a_shared_env_file_value_is_not_blamed_on_a_database_image(tmp_path: Path):
    (tmp_path / "app.env").write_text("POSTGRES_PASSWORD=pw\nREDIS_URL=redis://localhost:6379\n")
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n  app:\n    image: example/app\n    env_file: app.env\n"
        "  db:\n    image: postgres:16\n    env_file: app.env\n"
    )
    report = check_projects([[compose]], Options(select=LOOPBACK, environ={}))
    assert [
        (Path(f.file).name, f.line, f.service, f.message.endswith("not your machine")) for f in report.findings
    ] == [("app.env", 2, "app", True)]


def test_an_all_in_one_image_reaches_its_bundled_server():
    text = service(
        more="    command: sh -c 'caddy run & sleep 1; curl -X POST localhost:2019/load -d @/etc/caddy.json'\n"
    ).replace("example/app", "caddy:2")
    assert found(text) == []
    weed = service(more="    command: server -s3\n    healthcheck: {test: ['CMD', 'true']}\n").replace(
        "example/app", "chrislusf/seaweedfs"
    )
    assert found(weed + "    environment:\n      MASTER: http://localhost:9333\n") == []
    volume_only = weed.replace("server -s3", "volume -mserver=localhost:9333")
    assert found(volume_only + "    environment:\n      MASTER: http://localhost:9333\n") == [
        ("CF103", 4, "info"),
        ("CF103", 7, "info"),
    ]


def test_rewrite_never_changes_information(tmp_path: Path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    text = service("UPSTREAM: http://localhost:9000/api\nCACHE: redis://localhost:6379\n")
    (tmp_path / "compose.yaml").write_text(text)
    result = CliRunner().invoke(app, ["rewrite", "--in-place"])
    after = (tmp_path / "compose.yaml").read_text()
    assert "UPSTREAM: http://localhost:9000/api" in after
    assert "CACHE: redis://host.docker.internal:6379" in after
    assert "compose.yaml:5:24: CF103 not fixed: information only: left as written" in result.output
    assert result.exit_code == 0  # information does not fail, as with `check`


def test_a_command_that_starts_several_processes_may_be_its_own_server():
    text = service(more="    command: sh -c 'redis-server & sleep 1; ./worker --queue redis://localhost:6379'\n")
    assert found(text) == [("CF103", 4, "info")]
    alone = service(more="    command: sh -c 'sleep 1 && ./worker --queue redis://localhost:6379/0?a=1&b=2 2>&1'\n")
    assert found(alone) == [("CF103", 4, "warning")]
    managed = service("CACHE: redis://localhost:6379\n", more="    command: [supervisord, -n]\n")
    assert found(managed) == [("CF103", 5, "info")]


def test_the_most_specific_backing_word_gives_the_port():
    (finding,) = lint(service("DB_POSTGRESDB_HOST: localhost\nGOTRUE_URI_ALLOW_LIST: http://localhost:3000\n"))
    assert (finding.code, finding.line, finding.severity) == ("CF103", 5, Severity.WARNING)
    assert "host.docker.internal:5432" in finding.help


def test_a_caddyfile_site_address_is_where_the_container_listens():
    text = """\
    services:
      proxy:
        image: caddy
        command: sh -c 'echo "$$CADDYFILE" > /etc/caddy/Caddyfile && caddy run -c /etc/caddy/Caddyfile'
        environment:
          SITE: http://localhost:8000
          CADDYFILE: |
            http://localhost:8000, example.test {
                reverse_proxy localhost:3000
            }
    """
    # The site's port is the container's own (silent); its upstream on another port is still a connection.
    assert found(text) == [("CF103", 9, "warning")]
    configs = """\
    services:
      proxy:
        image: caddy
        configs: [{source: site, target: /etc/caddy/Caddyfile}]
        environment:
          ORIGIN_URL: http://127.0.0.1:9000
    configs:
      site:
        content: |
          :9000 {
              respond "ok"
          }
    """
    assert found(configs) == []
    assert found(configs.replace(":9000 {", "upstream 9000 {")) == [("CF103", 6, "info")]


def test_a_node_inside_the_tdarr_image_reaches_its_own_server():
    url = "serverURL: http://127.0.0.1:8266\ninternalNode: 'true'\n"
    assert found(service(url, image="ghcr.io/haveagitgat/tdarr:latest")) == []
    assert found(service(url, image="haveagitgat/tdarr")) == []
    assert found(service(url)) == [("CF103", 5, "info")]


def test_the_all_in_one_mode_of_an_image_bundles_its_database():
    url = "DATABASE_URL: postgres://postgres:pw@127.0.0.1/openproject\n"
    all_in_one = service(url, image="openproject/openproject:14")
    assert found(all_in_one) == []
    web_only = service(url, image="openproject/openproject:14", more="    command: ./docker/prod/web\n")
    assert found(web_only) == [("CF103", 5, "warning")]


def test_email_addresses_and_accounts_are_not_servers():
    text = service(
        "MAIL_FROM_ADDRESS: noreply@localhost\nSMTP_USER: admin@localhost\nKAFKA_ZOOKEEPER_CONNECT: localhost\n"
    )
    (finding,) = lint(text, select=LOOPBACK)
    assert (finding.line, finding.severity) == (7, Severity.WARNING)
    assert "host.docker.internal:2181" in finding.help  # ZooKeeper's port, not Kafka's


def test_a_comment_that_asks_for_your_own_domain_hands_the_value_out():
    text = service(
        "# change this to your own domain\n"
        "ROOT: smtp://localhost:2525\n"
        "OTHER: redis://localhost:6380  # public address of the cache\n"
        "KEPT: redis://localhost:6381  # the cache\n"
    )
    assert found(text) == [("CF103", 8, "warning")]
