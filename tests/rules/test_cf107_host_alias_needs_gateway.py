from composefix.model import Target
from tests.helpers import lint, spans, where

USES = """\
services:
  api:
    image: x
    environment:
      PAYMENTS_URL: http://host.docker.internal:4000
      OTHER: host.docker.internal
    command: ["--cache", "host.docker.internal:6379"]
"""


def test_fires_once_per_service_at_the_first_use():
    found = lint(USES, select=("CF107",))
    assert spans(found) == [("CF107", 5, 28, 5, 48)]
    assert found[0].message == (
        "Service `api` uses `host.docker.internal` (in `environment.PAYMENTS_URL`) (and 2 more places), "
        "which Linux Docker Engine does not define without an `extra_hosts` entry"
    )


def test_only_for_linux_target():
    assert lint(USES, select=("CF107",), targets={Target.DESKTOP}) == []


def test_rancher_and_linux_conflict_is_explained():
    (finding,) = lint(USES, select=("CF107",), targets={Target.LINUX, Target.RANCHER})
    assert "Rancher Desktop does not support `host-gateway`" in finding.help


def test_silent_with_an_extra_hosts_entry_in_any_form():
    for entry in (
        "extra_hosts: ['host.docker.internal:host-gateway']",
        "extra_hosts: ['host.docker.internal=host-gateway']",
        "extra_hosts: {host.docker.internal: host-gateway}",
    ):
        text = f"services:\n  api:\n    {entry}\n    environment:\n      URL: http://host.docker.internal\n"
        assert lint(text, select=("CF107",)) == [], entry


def test_service_namespace_uses_the_owners_entry():
    text = """\
    services:
      vpn:
        image: x
        extra_hosts: ["host.docker.internal:host-gateway"]
      app:
        image: y
        network_mode: service:vpn
        environment:
          URL: http://host.docker.internal
    """
    assert lint(text, select=("CF107",)) == []
    found = lint(text.replace('extra_hosts: ["host.docker.internal:host-gateway"]', "init: true"), select=("CF107",))
    assert where(found) == [("CF107", 9, 19)]
    assert "on service `vpn`, whose network namespace it uses" in found[0].help


def test_handed_out_urls_labels_and_comments_are_silent():
    text = """\
    services:
      web:
        image: x
        # URL: http://host.docker.internal
        environment:
          NEXT_PUBLIC_API_URL: http://host.docker.internal:8000
        labels:
          traefik.url: http://host.docker.internal
    """
    assert lint(text, select=("CF107",)) == []


ADVERTISED = """\
services:
  kafka:
    image: x
    environment:
      KAFKA_ADVERTISED_LISTENERS: INTERNAL://kafka:9092,OUTSIDE://host.docker.internal:9094
"""


def test_an_advertised_address_needs_the_entry_in_every_client():
    (finding,) = lint(ADVERTISED, select=("CF107",))
    assert where([finding]) == [("CF107", 5, 67)]
    assert finding.message == (
        "Service `kafka` advertises `host.docker.internal` to its clients (in "
        "`environment.KAFKA_ADVERTISED_LISTENERS`): on Linux Docker Engine every client container needs an "
        "`extra_hosts` entry for it, and this service has none"
    )
    assert finding.help.endswith("and the same entry on every service that connects to the advertised address")
    with_entry = ADVERTISED + "    extra_hosts: ['host.docker.internal:host-gateway']\n"
    assert lint(with_entry, select=("CF107",)) == []


def test_a_logging_option_is_resolved_by_the_daemon_even_with_the_entry():
    text = """\
    services:
      app:
        image: x
        extra_hosts: ["host.docker.internal:host-gateway"]
        logging:
          driver: loki
          options:
            loki-url: http://host.docker.internal:3100/loki/api/v1/push
            loki-retries: "2"
      other:
        image: y
        logging:
          driver: fluentd
          options:
            fluentd-address: localhost:24224
    """
    found = lint(text, select=("CF103", "CF104", "CF107"))
    assert where(found) == [("CF107", 8, 26)]
    assert found[0].message == (
        "Service `app` sends its logs to `host.docker.internal` (in `logging.options.loki-url`), which the Docker "
        "daemon resolves on the engine's host, not in the container: `extra_hosts` does not apply there, and Linux "
        "Docker Engine's host does not define the name"
    )
