"""The Docker engine behind DOCKER_HOST or the current context: what kind it is, what it supports, image ports.

The only module that imports the Docker SDK (`docker`), and only when called.

Engine kinds are told apart by fields of `docker version` and `docker info` and by the socket path. These are
identification heuristics, not platform behaviour (docs/platforms.md does not cover them), so each marker below names
the public report it was read from (the same sources are named in tests/test_engine_info.py).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from typing import Any

from composefix.model import Target

HOST_GATEWAY_ENGINE = (20, 10, 0)  # docs/platforms.md#the-host-gateway-value
HOST_GATEWAY_PODMAN = (4, 7, 0)  # docs/platforms.md#where-the-host-name-resolves
RESET_COMPOSE = (2, 18, 0)  # docs/platforms.md#minimum-compose-versions
OVERRIDE_COMPOSE = (2, 24, 4)  # docs/platforms.md#minimum-compose-versions


class EngineUnreachable(Exception):
    """No Docker engine answered; the message says what was tried and how to fix it."""


@dataclass(slots=True, eq=False)
class Engine:
    """The Docker engine a client talks to, as `doctor` and `--target auto` see it."""

    kind: Target
    label: str
    engine_version: str
    evidence: list[str] = field(default_factory=list)
    host_gateway: bool | None = None


def version_tuple(text: str) -> tuple[int, int, int] | None:
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def detect(info: dict[str, Any], version: dict[str, Any], endpoint: str, client_os: str) -> Engine:
    """The engine kind from `docker info`, `docker version`, the endpoint and the client's OS (the host's)."""
    components = {c.get("Name"): c for c in version.get("Components") or [] if isinstance(c, dict)}
    platform_name = (version.get("Platform") or {}).get("Name") or ""
    operating_system = info.get("OperatingSystem") or ""
    kernel = info.get("KernelVersion") or ""
    name = info.get("Name") or ""
    engine_version = version.get("Version") or ""
    host_os = {"darwin": "Mac", "windows": "Windows", "linux": "Linux"}.get(client_os.lower(), client_os)

    def found(kind: Target, label: str, *evidence: str) -> Engine:
        return Engine(kind, label, engine_version, [e for e in evidence if e])

    if "Podman Engine" in components:
        podman = components["Podman Engine"].get("Version") or ""
        engine = found(Target.PODMAN, f"Podman {podman}", 'version Components include "Podman Engine"')
        engine.engine_version = podman
        return engine
    if platform_name.startswith("Docker Desktop") or operating_system == "Docker Desktop":
        evidence = (
            f'version Platform.Name = "{platform_name}"' if platform_name else 'info OperatingSystem = "Docker Desktop"'
        )
        return found(Target.DESKTOP, f"Docker Desktop ({host_os})", evidence, f"client OS: {client_os}")
    if "linuxkit" in kernel and name == "docker-desktop":
        return found(
            Target.DESKTOP, f"Docker Desktop ({host_os})", f'info KernelVersion = "{kernel}"', f'info Name = "{name}"'
        )
    if "orbstack" in kernel.lower() or "OrbStack" in operating_system or "/.orbstack/" in endpoint:
        marker = (
            f'info KernelVersion = "{kernel}"'
            if "orbstack" in kernel.lower()
            else f'info OperatingSystem = "{operating_system}"'
            if "OrbStack" in operating_system
            else f"endpoint {endpoint}"
        )
        return found(Target.ORBSTACK, "OrbStack", marker)
    if "/.colima/" in endpoint or name == "colima" or name.startswith("colima-"):
        marker = f"endpoint {endpoint}" if "/.colima/" in endpoint else f'info Name = "{name}"'
        return found(Target.COLIMA, "Colima", marker)
    if "/.rd/" in endpoint or "rancher-desktop" in name or "Rancher Desktop" in operating_system:
        marker = f"endpoint {endpoint}" if "/.rd/" in endpoint else f'info Name = "{name}"'
        if "Rancher Desktop" in operating_system:
            marker = f'info OperatingSystem = "{operating_system}"'
        return found(Target.RANCHER, "Rancher Desktop", marker)
    return found(
        Target.LINUX,
        "Linux Docker Engine",
        f'info OperatingSystem = "{operating_system}"',
        f'info KernelVersion = "{kernel}"',
        "no VM-backed engine marker",
    )


def _endpoint() -> tuple[str, str]:
    """(endpoint, where it came from): DOCKER_HOST, else the current docker context, else the default socket."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"], "DOCKER_HOST"
    try:
        from docker.context import ContextAPI

        context = ContextAPI.get_current_context()
        host = (context.endpoints or {}).get("docker", {}).get("Host")
        if host:
            return host, f"docker context `{context.name}`"
    except Exception:  # a broken ~/.docker/config.json must not stop us from trying the default socket
        pass
    return "unix:///var/run/docker.sock", "the default socket"


def client(timeout: int = 3) -> tuple[Any, str, str]:
    """A Docker SDK client and (endpoint, source); raises EngineUnreachable within about ``timeout`` seconds."""
    endpoint, source = _endpoint()
    try:
        import docker
    except ImportError:
        raise EngineUnreachable("the Docker SDK is not installed: pip install docker") from None
    try:
        api = docker.DockerClient(base_url=endpoint, timeout=timeout)
        api.ping()
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EngineUnreachable(
            f"cannot reach a Docker engine at {endpoint} (from {source}): {reason}. Start Docker Desktop, Colima, "
            "OrbStack, Podman or dockerd, or point DOCKER_HOST at a running engine"
        ) from None
    return api, endpoint, source


def inspect_engine(timeout: int = 3) -> Engine:
    api, endpoint, source = client(timeout)
    try:
        info, version = api.info(), api.version()
    finally:
        api.close()
    engine = detect(info, version, endpoint, platform.system())
    engine.evidence.append(f"endpoint {endpoint} (from {source})")
    numbers = version_tuple(engine.engine_version)
    needed = HOST_GATEWAY_PODMAN if engine.kind is Target.PODMAN else HOST_GATEWAY_ENGINE
    engine.host_gateway = None if numbers is None else numbers >= needed
    return engine


@dataclass(slots=True, eq=False)
class ComposeInfo:
    """The Compose command found on this machine and its version."""

    command: str
    version: str

    @property
    def numbers(self) -> tuple[int, int, int] | None:
        return version_tuple(self.version)

    def supports(self, minimum: tuple[int, int, int]) -> bool:
        return self.numbers is not None and self.numbers >= minimum


def compose_info() -> ComposeInfo | None:
    from composefix.compose_cli import find_compose

    command = find_compose()
    if command is None:
        return None
    try:
        out = subprocess.run(
            [*command, "version"], capture_output=True, text=True, errors="replace", timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return ComposeInfo(" ".join(command), out.strip().split()[-1] if out.strip() else "")


def image_ports(images: list[str], timeout: int = 3) -> dict[str, list[int]]:
    """`ExposedPorts` of images already in the engine (never pulls); images it does not have are left out."""
    api, _, _ = client(timeout)
    found: dict[str, list[int]] = {}
    try:
        for image in images:
            try:
                attrs = api.images.get(image).attrs
            except Exception:  # not present locally (or a name the engine refuses): nothing to learn
                continue
            exposed = (attrs.get("Config") or {}).get("ExposedPorts") or {}
            ports = sorted({int(p.split("/")[0]) for p in exposed if p.split("/")[0].isdigit()})
            if ports:
                found[image] = ports
    finally:
        api.close()
    return found


def auto_targets(timeout: int = 3) -> tuple[frozenset[Target], str]:
    """`--target auto`: the engine here plus `linux` (the team's other platform); (targets, notice)."""
    try:
        engine = inspect_engine(timeout)
    except EngineUnreachable as exc:
        from composefix.model import DEFAULT_TARGETS

        return DEFAULT_TARGETS, f"--target auto: {exc}; using the default targets linux, desktop"
    return frozenset({engine.kind, Target.LINUX}), f"--target auto: {engine.label} here, plus linux"
