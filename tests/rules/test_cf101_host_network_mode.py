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


def test_images_that_need_the_lan_say_linux_only_by_design_with_the_source():
    text = "services:\n  ha:\n    image: ghcr.io/home-assistant/home-assistant:stable\n    network_mode: host\n"
    found = lint(text, select=("CF101",))
    assert spans(found) == [("CF101", 4, 19, 4, 23)]
    assert found[0].message.endswith(
        "; Linux-only by design: it discovers devices on the LAN with mDNS/SSDP multicast, which does not reach the "
        "VM (see https://github.com/home-assistant/home-assistant.io/issues/22534)"
    )
    assert "Linux-only" not in lint(HOST, select=("CF101",))[0].message


def test_every_linux_only_entry_has_a_reason_and_a_public_source():
    from composefix.data.linux_only import HOST_NETWORK

    for name, need in HOST_NETWORK.items():
        assert need.reason and need.source.startswith("https://"), name


def test_pihole_is_linux_only_only_when_it_can_serve_dhcp():
    text = "services:\n  dns:\n    image: pihole/pihole:latest\n    network_mode: host\n"
    assert "Linux-only" not in lint(text, select=("CF101",))[0].message
    dhcp = text + "    cap_add: [NET_ADMIN]\n"
    assert "Linux-only by design: with NET_ADMIN it serves DHCP" in lint(dhcp, select=("CF101",))[0].message
