"""Who listens where, and what each loopback address in a service reaches: itself, another service, the host.

The ports a service listens on come from `ports` targets, `expose`, healthcheck addresses, `PORT`-like
variables, `--port`-like flags, and the defaults of well-known images (data/known_images.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from composefix.addresses import (
    CONTAINER_SIDE,
    Address,
    StringRef,
    Where,
    bound_ports,
    handed_out,
    is_bind_name,
    is_connect_name,
    loopbacks,
    port_flags,
    service_strings,
)
from composefix.document import Node, Sequence
from composefix.ports import PortError, expose_ports, parse_entry
from composefix.project import Project, Service, command_words, text_of


class Listener(NamedTuple):
    """A container port a service listens on, why we think so, and the host ports published for it."""

    service: str
    port: int
    reason: str
    node: Node | None = None
    published: tuple[int, ...] = ()


class Reach(StrEnum):
    SELF = "self"
    SERVICE = "service"
    HOST = "host"
    UNKNOWN = "unknown"


class Use(NamedTuple):
    """One loopback address written in a service, and what it reaches."""

    service: Service
    ref: StringRef
    address: Address
    bind: bool
    reach: Reach | None = None
    targets: tuple[Listener, ...] = ()


@dataclass(slots=True, eq=False)
class Analysis:
    """Who listens on which port, and which addresses each service uses."""

    listeners: dict[str, list[Listener]] = field(default_factory=dict)
    uses: list[Use] = field(default_factory=list)

    def listening(self, service: str, port: int) -> Listener | None:
        return next((item for item in self.listeners.get(service, []) if item.port == port), None)


def known_images() -> dict[str, dict[str, Any]]:
    from composefix.data.known_images import IMAGES  # only when an image is looked up

    return IMAGES


def image_name(image: str) -> list[str]:
    """Candidate keys for an image reference: `docker.io/library/postgres:16@sha256:...` -> [`postgres`]."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1]) + last[-1].index(":")]
    name = name.lower()
    parts = name.split("/")
    candidates = [name]
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        rest = "/".join(parts[1:])
        candidates.append(rest)
        if parts[0] in ("docker.io", "index.docker.io", "registry-1.docker.io") and rest.startswith("library/"):
            candidates.append(rest.removeprefix("library/"))
    if name.startswith("library/"):
        candidates.append(name.removeprefix("library/"))
    return candidates


def known_image(service: Service) -> dict[str, Any] | None:
    image = text_of(service.get("image"))
    if not image:
        return None
    table = known_images()
    return next((table[c] for c in image_name(image) if c in table), None)


_PORT_VARIABLE = re.compile(
    r"^(PORT|SERVER_PORT|HTTP_PORT|APP_PORT|WEB_PORT|LISTEN_PORT)$|_(LISTEN|HTTP|SERVER)_PORT$|_PORT_NUMBER$",
    re.IGNORECASE,
)


def _listeners(service: Service) -> list[Listener]:
    found: list[Listener] = []

    def add(port: int, reason: str, node: Node | None, published: tuple[int, ...] = ()) -> None:
        if 0 < port < 65536 and not any(item.port == port for item in found):
            found.append(Listener(service.name, port, reason, node, published))

    ports = service.get("ports")
    if isinstance(ports, Sequence):
        published_for: dict[int, list[int]] = {}
        nodes: dict[int, Node] = {}
        for item in ports.items:
            try:
                entries = parse_entry(item)
            except PortError:
                continue
            for entry in entries:
                nodes.setdefault(entry.target, item)
                if entry.published and entry.published.isdigit():
                    published_for.setdefault(entry.target, []).append(int(entry.published))
                else:
                    published_for.setdefault(entry.target, [])
        for target, hosts in published_for.items():
            add(target, "ports", nodes[target], tuple(hosts))
    expose = service.get("expose")
    if isinstance(expose, Sequence):
        for item in expose.items:
            for port in expose_ports(item):
                add(port, "expose", item)
    for ref in service_strings(service):
        if ref.where is Where.HEALTHCHECK:
            for address in loopbacks(ref.value, ref.value_start):
                if address.port is not None:
                    add(address.port, "healthcheck", ref.node)
        if ref.where is Where.HEALTHCHECK:
            for port in port_flags(ref.prefix + ref.value):
                add(port, "healthcheck", ref.node)
        if ref.where is Where.ENVIRONMENT and ref.name and _PORT_VARIABLE.search(ref.name) and ref.value.isdigit():
            add(int(ref.value), f"environment {ref.name}", ref.node)
        if ref.where is Where.ENVIRONMENT and is_bind_name(ref.name):
            for port in bound_ports(ref.value):
                add(port, f"environment {ref.name}", ref.node)
        if ref.where in (Where.COMMAND, Where.ENTRYPOINT):
            for address in loopbacks(ref.value, 0, ref.prefix):
                if address.bind and address.port is not None:
                    add(address.port, ref.where.value, ref.node)
    for key in ("command", "entrypoint"):
        words = command_words(service.get(key))
        if words:
            for port in port_flags(" ".join(words)):
                add(port, key, service.get(key))
    known = known_image(service)
    if known is not None:
        for port in known.get("ports", []):
            add(int(port), f"image {text_of(service.get('image'))}", service.get("image"))
    return found


def _classify(
    service: Service, address: Address, analysis: Analysis, host_mode: set[str]
) -> tuple[Reach, tuple[Listener, ...]]:
    port = address.port
    if port is None:
        return Reach.UNKNOWN, ()
    if analysis.listening(service.name, port) is not None:
        return Reach.SELF, ()
    others: list[Listener] = []
    in_host_mode = service.name in host_mode
    for name, listeners in analysis.listeners.items():
        if name == service.name:
            continue
        for listener in listeners:
            # A published host port means T (the author thought localhost was the host); a bridge-mode service
            # also means T by T's container port. In host mode (Linux), localhost reaches T's container port only
            # when T is in host mode too.
            same_port = listener.port == port and (not in_host_mode or name in host_mode)
            if port in listener.published or same_port:
                others.append(listener)
    if others:
        return Reach.SERVICE, tuple(others)
    return Reach.HOST, ()


def analyse(project: Project) -> Analysis:
    """Listeners of every service and the classification of every loopback address (cached per project)."""
    cached = project.cache.get("analysis")
    if isinstance(cached, Analysis):
        return cached
    analysis = Analysis()
    for service in project.services.values():
        analysis.listeners[service.name] = _listeners(service)
    host_mode = {s.name for s in project.services.values() if s.network_mode == "host"}
    for service in project.services.values():
        if service.namespace_owner is not None:
            # Loopback reaches the namespace's owner: never a finding (docs/platforms.md#shared-network-namespaces).
            continue
        for ref, address, bind in _loopback_uses(service):
            if bind:
                analysis.uses.append(Use(service, ref, address, True))
                continue
            reach, targets = _classify(service, address, analysis, host_mode)
            analysis.uses.append(Use(service, ref, address, False, reach, targets))
    project.cache["analysis"] = analysis
    return analysis


def _loopback_uses(service: Service) -> Iterator[tuple[StringRef, Address, bool]]:
    for ref in service_strings(service):
        if ref.where not in CONTAINER_SIDE or ref.where is Where.HEALTHCHECK:
            # Healthchecks run inside the container: localhost is the container (docs/platforms.md#healthchecks).
            continue
        bind_variable = ref.where in (Where.ENVIRONMENT, Where.HOOK) and is_bind_name(ref.name)
        if not bind_variable and handed_out(ref.name):
            continue
        for address in loopbacks(ref.value, ref.value_start, ref.prefix):
            bind = bind_variable or address.bind
            if not bind and address.port is None and not (ref.where is Where.ENVIRONMENT and is_connect_name(ref.name)):
                continue  # `ping localhost`, `SERVER_NAME=localhost`: no port, and nothing says it is a connection
            yield ref, address, bind
