from composefix.model import Target
from tests.helpers import lint, spans


def test_fires_at_each_legacy_name():
    text = """\
    services:
      api:
        image: x
        environment:
          CACHE: docker.for.mac.localhost:6379
          GW: http://gateway.docker.internal
    """
    found = lint(text, select=("CF109",))
    assert spans(found) == [("CF109", 5, 14, 5, 38), ("CF109", 6, 18, 6, 41)]
    assert "does not resolve on Linux Docker Engine" in found[0].message


def test_not_for_desktop_only():
    text = "services:\n  api:\n    environment:\n      H: docker.for.win.localhost\n"
    assert lint(text, select=("CF109",), targets={Target.DESKTOP}) == []


def test_silent_when_defined_in_extra_hosts_or_not_a_whole_name():
    text = """\
    services:
      api:
        extra_hosts: ["gateway.docker.internal:host-gateway"]
        environment:
          GW: gateway.docker.internal
          X: my.gateway.docker.internal.example
    """
    assert lint(text, select=("CF109",)) == []
