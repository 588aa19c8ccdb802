from composefix.model import Severity, Target
from tests.helpers import lint, spans

HOST = "services:\n  proxy:\n    image: nginx\n    network_mode: host\n"


def test_fires_at_the_value():
    found = lint(HOST, select=("CF101",))
    assert spans(found) == [("CF101", 4, 19, 4, 23)]
    assert found[0].severity == Severity.WARNING
    assert found[0].service == "proxy"
    assert found[0].message.startswith("Service `proxy` uses `network_mode: host`: on Docker Desktop")


def test_quoted_value_and_flow_style():
    text = 'services: {proxy: {image: nginx, network_mode: "host"}}\n'
    assert spans(lint(text, select=("CF101",))) == [("CF101", 1, 48, 1, 54)]


def test_names_each_chosen_vm_target():
    found = lint(HOST, select=("CF101",), targets={Target.LINUX, Target.DESKTOP, Target.COLIMA, Target.PODMAN})
    assert "on Docker Desktop, Colima and Podman machine" in found[0].message


def test_silent_for_linux_and_orbstack_and_rancher_only():
    for targets in ({Target.LINUX}, {Target.ORBSTACK}, {Target.RANCHER}, {Target.LINUX, Target.ORBSTACK}):
        assert lint(HOST, select=("CF101",), targets=targets) == []


def test_desktop_host_networking_makes_it_informational():
    found = lint(HOST, select=("CF101",), desktop_host_networking=True)
    assert found[0].severity == Severity.INFO
    assert "Enable host networking" in found[0].message
    found = lint(HOST, select=("CF101",), desktop_host_networking=True, targets={Target.DESKTOP, Target.COLIMA})
    assert found[0].severity == Severity.WARNING and "on Colima" in found[0].message


def test_other_modes_are_silent():
    for mode in ("bridge", "none", "service:db", "container:x", "hostname"):
        text = f"services:\n  app:\n    image: x\n    network_mode: {mode}\n  db:\n    image: y\n"
        assert lint(text, select=("CF101",)) == []
