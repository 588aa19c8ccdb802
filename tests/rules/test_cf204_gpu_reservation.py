from composefix.model import Target
from tests.helpers import lint, spans

RESERVATION = """\
services:
  ml:
    image: x
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
"""


def test_fires_at_the_driver():
    found = lint(RESERVATION, select=("CF204",))
    assert spans(found) == [("CF204", 8, 23, 8, 29)]
    assert found[0].message == (
        "Service `ml` reserves an NVIDIA GPU: Docker Desktop supports GPUs only on Windows with WSL 2, and a Mac has "
        'no NVIDIA GPU, so on Docker Desktop `up` fails with `could not select device driver "nvidia"`'
    )


def test_capability_without_driver_runtime_gpus_and_cdi():
    text = """\
services:
  a:
    image: x
    deploy: {resources: {reservations: {devices: [{capabilities: [compute, gpu]}]}}}
  b:
    image: x
    runtime: nvidia
  c:
    image: x
    gpus: all
  d:
    image: x
    devices: ["nvidia.com/gpu=all"]
"""
    found = lint(text, select=("CF204",), targets={Target.COLIMA, Target.ORBSTACK})
    assert spans(found) == [
        ("CF204", 4, 76, 4, 79),
        ("CF204", 7, 14, 7, 20),
        ("CF204", 10, 11, 10, 14),
        ("CF204", 13, 16, 13, 34),
    ]
    assert "so on Colima and OrbStack the VM has no `nvidia` runtime" in found[1].message


def test_silent_for_linux_and_other_devices():
    assert lint(RESERVATION, select=("CF204",), targets={Target.LINUX, Target.RANCHER}) == []
    text = "services:\n  a:\n    image: x\n    runtime: runc\n    deploy: {resources: {reservations: {cpus: '1'}}}\n"
    assert lint(text, select=("CF204",)) == []


def test_services_under_a_profile_are_already_opt_in():
    text = RESERVATION.replace("    image: x\n", "    image: x\n    profiles: [gpu]\n")
    assert lint(text, select=("CF204",)) == []
