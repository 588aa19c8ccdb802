from composefix.model import Severity, Target
from tests.helpers import lint, spans

TEXT = """\
services:
  exporter:
    image: prom/node-exporter
    pid: host
    cap_add: [SYS_MODULE]
    volumes:
      - /proc:/host/proc:ro
      - /:/rootfs:ro,rslave
      - /var/lib/docker/:/var/lib/docker:ro
      - ./data:/data
networks:
  lan:
    driver: macvlan
"""


def test_each_setting_at_its_value_as_information():
    found = lint(TEXT, select=("CF208",))
    assert spans(found) == [
        ("CF208", 4, 10, 4, 14),
        ("CF208", 5, 15, 5, 25),
        ("CF208", 7, 9, 7, 14),
        ("CF208", 8, 9, 8, 10),
        ("CF208", 8, 22, 8, 28),
        ("CF208", 9, 9, 9, 25),
        ("CF208", 13, 13, 13, 20),
    ]
    assert {f.severity for f in found} == {Severity.INFO}
    messages = [f.message for f in found]
    assert messages[0] == (
        "Service `exporter` uses `pid: host`: on VM-backed engines it sees the VM's processes, not your machine's "
        "(Docker Desktop's Enhanced Container Isolation rejects it)"
    )
    assert messages[2] == (
        "Service `exporter` mounts the host's `/proc`: on VM-backed engines it sees the VM's processes and kernel "
        "figures, not your machine's"
    )
    assert "with `rslave` propagation" in messages[4]
    assert messages[6].startswith("Network `lan` uses the `macvlan` driver: Docker Desktop does not support it")


def test_silent_for_linux_only():
    assert lint(TEXT, select=("CF208",), targets={Target.LINUX}) == []


def test_ordinary_settings_are_silent():
    text = (
        "services:\n  a:\n    image: x\n    pid: service:b\n    volumes: ['/srv/proc:/proc', './sys:/sys']\n"
        "  b:\n    image: y\n"
    )
    assert lint(text, select=("CF208",)) == []


def test_long_syntax_propagation_at_its_value():
    text = (
        "services:\n  a:\n    image: x\n    volumes:\n      - type: bind\n        source: ./m\n        target: /m\n"
        "        bind:\n          propagation: rshared\n"
    )
    assert spans(lint(text, select=("CF208",))) == [("CF208", 9, 24, 9, 31)]
