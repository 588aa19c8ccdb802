from composefix.model import Target
from tests.helpers import lint, spans


def test_fires_at_the_device_path():
    text = "services:\n  z:\n    image: x\n    devices:\n      - /dev/ttyUSB0:/dev/ttyACM0\n"
    found = lint(text, select=("CF203",))
    assert spans(found) == [("CF203", 5, 9, 5, 21)]
    assert found[0].message == (
        "Service `z` passes the host device `/dev/ttyUSB0`: Docker Desktop cannot pass your machine's devices into "
        "the VM (Docker Desktop has no USB passthrough; USB/IP from 4.35 is set up by hand), so the path is looked "
        'up in the VM, and where the VM lacks it `up` fails (Docker: "error gathering device information")'
    )


def test_devices_every_vm_has_are_silent():
    text = "services:\n  v:\n    image: x\n    devices: [/dev/net/tun, '/dev/fuse:/dev/fuse', /dev/kmsg, /dev/null]\n"
    assert lint(text, select=("CF203",), targets=frozenset(Target)) == []


def test_names_the_chosen_engines_and_is_silent_for_linux_and_orbstack():
    text = "services:\n  t:\n    image: x\n    devices: ['/dev/dri']\n"
    found = lint(text, select=("CF203",), targets={Target.COLIMA, Target.RANCHER})
    assert spans(found) == [("CF203", 4, 16, 4, 24)]
    assert "Colima and Rancher Desktop cannot pass" in found[0].message
    assert lint(text, select=("CF203",), targets={Target.LINUX, Target.ORBSTACK}) == []


def test_cdi_names_and_variables_are_not_host_paths():
    text = "services:\n  t:\n    image: x\n    devices: ['nvidia.com/gpu=all', '${DEVICE}:/dev/ttyUSB0']\n"
    assert lint(text, select=("CF203",), environ={"DEVICE": "/dev/ttyUSB1"}) == []


def test_services_under_a_profile_are_already_opt_in():
    text = "services:\n  t:\n    image: x\n    profiles: [amd]\n    devices: ['/dev/dri']\n"
    assert lint(text, select=("CF203",)) == []
