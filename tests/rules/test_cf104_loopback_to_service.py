from composefix.model import Target
from tests.helpers import lint, spans

TEXT = """\
services:
  db:
    image: postgres:16
  cache:
    image: example/cache
    expose: ["6380"]
  api:
    image: example/api
    environment:
      DATABASE_URL: postgres://app:pw@localhost:5432/app
      CACHE: localhost:6380
"""


def test_names_the_service_that_listens():
    found = lint(TEXT, select=("CF104",))
    assert spans(found) == [("CF104", 10, 39, 10, 48), ("CF104", 11, 14, 11, 23)]
    assert found[0].message == (
        "Service `api` connects to `localhost:5432` (in `environment.DATABASE_URL`: a `postgres://` address), which "
        "is the container itself on every engine, not another service; `db` listens on 5432"
    )
    assert found[0].help == "use the service name: `db:5432`"
    assert found[0].related[0].message == "`db` listens on 5432 (image postgres:16)"
    assert (found[1].related[0].span.start.line, found[1].help) == (6, "use the service name: `cache:6380`")
    assert "pw" not in found[0].message


def test_published_host_port_maps_to_the_container_port():
    text = (
        "services:\n  db:\n    image: x\n    ports: ['15432:5432']\n  api:\n    command: psql -h localhost -p 15432\n"
    )
    (finding,) = lint(text, select=("CF104",))
    assert "`db` publishes 15432 for its port 5432" in finding.message
    assert finding.help == "use the service name: `db:5432`"


def test_host_mode_service_reaching_another_host_mode_service():
    text = """\
    services:
      db:
        image: postgres
        network_mode: host
      app:
        image: x
        network_mode: host
        environment:
          PGHOST_URL: postgres://localhost:5432/app
    """
    (finding,) = lint(text, select=("CF104",), targets={Target.LINUX})
    assert finding.service == "app"
    assert finding.help == (
        "once both leave host networking, use the service name: `db:5432` (a container in host mode does not "
        "resolve service names)"
    )
    assert finding.message.startswith(
        "Service `app` reaches another service through host networking: `localhost:5432` (in "
        "`environment.PGHOST_URL`) works only while both share the host's network; `db` listens on 5432"
    )


def test_host_mode_service_reaching_a_port_another_service_publishes():
    text = """\
    services:
      updater:
        image: example/updater
        ports: ["10444:8080"]
      app:
        image: x
        network_mode: host
        environment:
          UPDATE_WEBHOOK: http://localhost:10444/v1/update
    """
    (finding,) = lint(text, select=("CF104",), targets={Target.LINUX})
    assert finding.message == (
        "Service `app` reaches another service through host networking: `localhost:10444` (in "
        "`environment.UPDATE_WEBHOOK`) works only while `app` uses it; `updater` publishes 10444 for its port 8080"
    )
    assert finding.help == (
        "once `app` leaves host networking, use the service name: `updater:8080` (a container in host mode does not "
        "resolve service names)"
    )


def test_own_port_is_self_not_another_service():
    text = (
        "services:\n  a:\n    image: postgres\n    environment:\n      PGURL: postgres://localhost:5432\n"
        "  b:\n    image: postgres\n"
    )
    assert lint(text, select=("CF103", "CF104")) == []
