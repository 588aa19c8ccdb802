from pathlib import Path

from composefix.model import Severity, Target
from composefix.rules.runner import Options, check_projects
from tests.helpers import lint, spans, where


def cf103(text: str, **kwargs):
    return lint(text, select=("CF103",), **kwargs)


def test_fires_at_the_host_inside_a_url():
    found = cf103("services:\n  api:\n    image: x\n    environment:\n      PAY: smtp://localhost:4000/v1\n")
    assert spans(found) == [("CF103", 5, 19, 5, 28)]
    assert found[0].severity == Severity.WARNING
    assert found[0].message == (
        "Service `api` connects to `localhost:4000` (in `environment.PAY`: a `smtp://` address), which inside a "
        "container is the container itself on every engine (Linux too), not your machine"
    )
    assert found[0].help.startswith("to reach a server on your machine use `host.docker.internal:4000`")


def test_a_bridge_loopback_without_evidence_is_information():
    (found,) = cf103("services:\n  api:\n    image: x\n    environment:\n      PAY: http://localhost:4000/v1\n")
    assert found.severity == Severity.INFO
    assert found.message == (
        "Service `api` has `localhost:4000` (in `environment.PAY`): if this container connects to it, that is the "
        "container itself on every engine (Linux too), not your machine"
    )


def test_scheme_and_client_default_ports_and_command_forms():
    text = """\
    services:
      worker:
        image: x
        environment:
          - BROKER=amqp://guest:guest@127.0.0.1
        command: ["sh", "-c", "redis-cli -h 127.0.0.1 ping && ./work"]
        entrypoint: psql --host localhost -p 5433
    """
    found = cf103(text)
    assert where(found) == [("CF103", 5, 35), ("CF103", 6, 41), ("CF103", 7, 29)]
    assert "`127.0.0.1`" in found[0].message  # port from the scheme, not written
    assert "host.docker.internal:5672" in found[0].help


def test_no_port_at_all_is_informational():
    (finding,) = cf103("services:\n  a:\n    image: x\n    environment:\n      PEER_HOST: localhost\n")
    assert finding.severity == Severity.INFO
    assert "cannot tell" in finding.message


def test_host_mode_reports_for_vm_targets_only():
    text = "services:\n  a:\n    image: x\n    network_mode: host\n    command: run --upstream localhost:3000\n"
    (finding,) = cf103(text)
    assert finding.message == (
        "Service `a` connects to `localhost:3000` (in `command`) through host networking: on Linux that is your "
        "machine's port 3000, on Docker Desktop it is the VM, not your machine"
    )
    assert finding.severity == Severity.WARNING
    assert cf103(text, targets={Target.LINUX}) == []
    assert cf103(text, targets={Target.ORBSTACK}) == []
    assert cf103(text, desktop_host_networking=True) == []


def test_value_from_env_file_is_reported_in_that_file(tmp_path: Path):
    (tmp_path / "app.env").write_text("A=1\nCALLBACK_HOST=ignored\nUPSTREAM=http://localhost:9000\n")
    (tmp_path / ".env").write_text("CACHE_HOST=127.0.0.1\n")
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n  app:\n    image: x\n    env_file: app.env\n    environment:\n"
        "      CACHE: redis://${CACHE_HOST}:6380\n      DB: postgres://${DB_HOST:-localhost}:5433/app\n"
    )
    report = check_projects([[compose]], Options(select=("CF103",), environ={}))
    assert [(Path(f.file).name, f.line, f.column) for f in report.findings] == [
        ("compose.yaml", 7, 33),
        (".env", 1, 12),
        ("app.env", 3, 17),
    ]


MUST_NOT_FLAG = """\
services:
  db:
    image: postgres:16
  web:
    image: example/web
    # URL: http://localhost:9999 (a comment)
    ports:
      - "127.0.0.1:8080:80"
    dns: 127.0.0.11
    command: ["serve", "--host", "0.0.0.0", "--bind", "::", "--port", "8000"]
    environment:
      SELF_URL: http://localhost:8000/health
      PUBLIC_URL: http://localhost:8080
      NEXT_PUBLIC_API: http://localhost:8080/api
      CORS_ALLOWED_ORIGINS: http://localhost:3000
      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092
      HOST_URL: http://host.docker.internal:4000
      RESOLVER: 127.0.0.11
    extra_hosts:
      - "host.docker.internal:host-gateway"
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:80/health"]
  sidecar:
    image: example/sidecar
    network_mode: "service:web"
    environment:
      UPSTREAM: http://localhost:8000
  legacy:
    image: example/legacy
    network_mode: "container:other"
    environment:
      UPSTREAM: http://127.0.0.1:7000
  search:
    image: elasticsearch:8.15.0
    environment:
      - transport.host=localhost
      - DASHBOARD_URL=http://localhost:9000/
      - MYSQL_ROOT_HOST=localhost
      - UPSTREAM_REAL_IP_ADDRESS=127.0.0.1
    command:
      - redpanda
      - --advertise-kafka-addr
      - internal://kafka:9092,external://localhost:19092
    ports: ["9200:9200"]
"""


def test_must_not_flag_list():
    assert lint(MUST_NOT_FLAG, select=("CF103", "CF104", "CF108"), targets=set(Target)) == []


def test_inline_config_content_mounted_by_the_service():
    text = """\
    configs:
      nginx_conf:
        content: |
          server {
            listen 80;
            location / { proxy_pass http://localhost:3000; }
            location /api { proxy_pass http://127.0.0.1:8000; }
          }
    services:
      web:
        image: nginx
        configs:
          - source: nginx_conf
            target: /etc/nginx/conf.d/default.conf
        ports: ["8080:80"]
      api:
        image: x
        expose: ["8000"]
    """
    found = lint(text, select=("CF103", "CF104"))
    assert [(f.code, f.line, f.path) for f in found] == [
        ("CF103", 6, "services.web.configs.nginx_conf.content"),
        ("CF104", 7, "services.web.configs.nginx_conf.content"),
    ]
