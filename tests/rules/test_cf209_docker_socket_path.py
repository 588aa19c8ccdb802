from composefix.model import Severity, Target
from tests.helpers import lint, spans


def test_fires_at_the_socket_path_as_information():
    text = "services:\n  t:\n    image: traefik\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n"
    found = lint(text, select=("CF209",))
    assert spans(found) == [("CF209", 5, 9, 5, 29)]
    assert found[0].severity == Severity.INFO
    assert found[0].message == (
        "Service `t` mounts the Docker socket at the fixed path `/var/run/docker.sock`: rootless Docker and rootless "
        "Podman put it under $XDG_RUNTIME_DIR, where this path does not exist"
    )


def test_portable_form_and_vm_only_targets_are_silent():
    text = "services:\n  t:\n    image: x\n    volumes: ['${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock']\n"
    assert lint(text, select=("CF209",)) == []
    fixed = "services:\n  t:\n    image: x\n    volumes: ['/run/docker.sock:/var/run/docker.sock']\n"
    assert lint(fixed, select=("CF209",), targets={Target.DESKTOP, Target.ORBSTACK}) == []
    assert [f.line for f in lint(fixed, select=("CF209",), targets={Target.PODMAN})] == [4]
