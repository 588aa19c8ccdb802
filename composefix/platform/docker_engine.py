"""The Docker engine behind DOCKER_HOST or the current context: what kind it is, what it supports, image ports.

The only module that imports the Docker SDK (`docker`), and only when called.

Engine kinds are told apart by fields of `docker version` and `docker info` and by the socket path. These are
identification heuristics, not platform behaviour (docs/platforms.md does not cover them), so each marker below names
the public report it was read from (the same sources are named in tests/test_docker_engine.py).
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from composefix.model import Target

T = TypeVar("T")

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


def _strings(answer: dict[str, Any]) -> dict[str, Any]:
    """An engine answer with the fields detect() reads forced to their expected types (a malformed or hostile
    engine may send numbers, lists or nulls anywhere)."""
    clean: dict[str, Any] = {k: v if isinstance(v, str) else "" for k, v in answer.items() if k != "Components"}
    platform_field = answer.get("Platform")
    clean["Platform"] = {"Name": platform_field.get("Name") if isinstance(platform_field, dict) else ""}
    if not isinstance(clean["Platform"]["Name"], str):
        clean["Platform"]["Name"] = ""
    components = answer.get("Components")
    clean["Components"] = [
        {"Name": c.get("Name"), "Version": c.get("Version") if isinstance(c.get("Version"), str) else ""}
        for c in (components if isinstance(components, list) else [])
        if isinstance(c, dict) and isinstance(c.get("Name"), str)
    ]
    return clean


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


def _bounded(call: Callable[[], T], seconds: float, what: str) -> T:
    """``call()`` with a total deadline: the SDK's own timeout is per socket read, so an engine that answers one
    byte at a time would never time out. The call runs in a daemon thread that is abandoned when late."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="composefix-engine", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise EngineUnreachable(f"{what} did not answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text.strip() else type(exc).__name__


def client(timeout: float = 3) -> tuple[Any, str, str]:
    """A Docker SDK client and (endpoint, source); raises EngineUnreachable within ``timeout`` seconds in all."""
    endpoint, source = _endpoint()
    try:
        import docker
    except ImportError:
        raise EngineUnreachable("the Docker SDK is not installed: pip install docker") from None

    def connect() -> Any:
        api = docker.DockerClient(base_url=endpoint, timeout=max(1, int(timeout)))
        api.ping()
        return api

    try:
        api = _bounded(connect, timeout, f"the Docker engine at {endpoint} (from {source})")
    except Exception as exc:
        raise EngineUnreachable(
            f"cannot reach a Docker engine at {endpoint} (from {source}): {_first_line(exc)}. Start Docker Desktop, "
            "Colima, OrbStack, Podman or dockerd, or point DOCKER_HOST at a running engine"
        ) from None
    return api, endpoint, source


def inspect_engine(timeout: float = 3) -> Engine:
    """The engine here; any failure, slowness (``timeout`` seconds for the whole exchange) or malformed answer
    raises EngineUnreachable with a one-line reason."""
    started = time.monotonic()
    api, endpoint, source = client(timeout)
    remaining = max(0.5, timeout - (time.monotonic() - started))
    try:
        info, version = _bounded(lambda: (api.info(), api.version()), remaining, f"the Docker engine at {endpoint}")
    except EngineUnreachable:
        raise
    except Exception as exc:
        raise EngineUnreachable(f"the Docker engine at {endpoint} gave no usable answer: {_first_line(exc)}") from None
    finally:
        with contextlib.suppress(Exception):
            api.close()
    if not isinstance(info, dict) or not isinstance(version, dict):
        raise EngineUnreachable(f"the Docker engine at {endpoint} gave a malformed answer (not a JSON object)")
    try:
        engine = detect(_strings(info), _strings(version), endpoint, platform.system())
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        raise EngineUnreachable(
            f"the Docker engine at {endpoint} gave a malformed answer: {_first_line(exc)}"
        ) from None
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
    from composefix.platform.compose_cli import find_compose, version

    command = find_compose()
    if command is None:
        return None
    found = version(command)
    return None if found is None else ComposeInfo(" ".join(command), found)


def image_ports(images: list[str], timeout: float = 3) -> dict[str, list[int]]:
    """`ExposedPorts` of images already in the engine (never pulls); images it does not have, or whose answer is
    malformed, are left out. Each image gets ``timeout`` seconds in all."""
    api, endpoint, _ = client(timeout)
    found: dict[str, list[int]] = {}
    try:
        for image in images:
            try:
                attrs = _bounded(functools.partial(_image_attrs, api, image), timeout, f"the engine at {endpoint}")
                config = attrs.get("Config") if isinstance(attrs, dict) else None
                exposed = (config.get("ExposedPorts") if isinstance(config, dict) else None) or {}
                ports = sorted(
                    {int(p.split("/")[0]) for p in exposed if isinstance(p, str) and p.split("/")[0].isdigit()}
                )
            except EngineUnreachable:
                raise
            except Exception:  # not present locally, a refused name, a malformed answer: nothing to learn
                continue
            if ports:
                found[image] = [p for p in ports if 0 < p < 65536]
    finally:
        with contextlib.suppress(Exception):
            api.close()
    return found


def _image_attrs(api: Any, image: str) -> Any:
    return api.images.get(image).attrs


def auto_targets(timeout: float = 3) -> tuple[frozenset[Target], str]:
    """`--target auto`: the engine here plus `linux` (the team's other platform); (targets, notice)."""
    try:
        engine = inspect_engine(timeout)
    except EngineUnreachable as exc:
        from composefix.model import DEFAULT_TARGETS

        return DEFAULT_TARGETS, f"--target auto: {exc}; using the default targets linux, desktop"
    return frozenset({engine.kind, Target.LINUX}), f"--target auto: {engine.label} here, plus linux"
