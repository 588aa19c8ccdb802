from tests.helpers import lint, where


def test_fires_at_each_rejected_key():
    text = """\
    services:
      vpn:
        image: x
        ports: ["8080:8080"]
      app:
        image: y
        network_mode: "service:vpn"
        ports: ["9090:9090"]
        extra_hosts: ["host.docker.internal:host-gateway"]
        hostname: app
        dns: 1.1.1.1
      side:
        network_mode: container:legacy
        expose: ["80"]
    """
    found = lint(text, select=("CF111",))
    assert where(found) == [
        ("CF111", 8, 5),
        ("CF111", 9, 5),
        ("CF111", 10, 5),
        ("CF111", 11, 5),
        ("CF111", 14, 5),
    ]
    assert found[0].severity == "error"
    assert "move `ports` to service `vpn`" in found[0].help
    assert "container `legacy`" in found[-1].message


def test_silent_for_other_modes():
    assert lint("services:\n  a:\n    network_mode: host\n    hostname: x\n", select=("CF111",)) == []
