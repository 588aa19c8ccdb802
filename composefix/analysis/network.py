"""The connections a project's text makes: services, their networks, published ports and host links, and each connection
(service to service or to the host, on a port) with what it goes through (a variable, a command word, an inline
config line)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from composefix.analysis.hostnames import (
    DEFAULT_BRIDGE_IPS,
    HOST_ALIAS,
    HOST_ALIAS_RE,
    LEGACY_DESKTOP_NAMES,
    LEGACY_RE,
    bridge_ip_pattern,
)
from composefix.analysis.loopback import SCHEME_PORTS, handed_out, is_connect_name
from composefix.analysis.strings import CONTAINER_SIDE, StringRef, Where, extra_hosts, service_strings
from composefix.analysis.topology import Analysis, Reach, analyse
from composefix.masking import mask
from composefix.model import Span, Target
from composefix.reading.document import Mapping as MappingNode
from composefix.reading.document import Sequence
from composefix.reading.ports import PortError, parse_entry
from composefix.reading.project import Project, Service, locate, text_of

HOST = "host"

GATEWAY = "host-gateway"


class Kind(StrEnum):
    """How a connection names what it reaches."""

    NAME = "name"  # a service name, container name or network alias
    LOOPBACK = "loopback"  # localhost, 127.0.0.1, ::1
    HOST_ALIAS = "host-alias"  # host.docker.internal
    BRIDGE_IP = "bridge-ip"  # 172.17.0.1 and other fixed gateway addresses
    LEGACY = "legacy-name"  # docker.for.mac.localhost and the other old Desktop names
    EXTRA_HOST = "extra-host"  # a name the service maps to host-gateway or a gateway IP in extra_hosts


class Via(NamedTuple):
    """What a connection goes through: the string holding the address, and where that text is written."""

    where: Where
    path: str  # `environment.DATABASE_URL`, `command[3]`, `configs.nginx.content`
    file: str
    span: Span
    line_text: str  # the written line (secrets masked), for labels and messages
    word: str = ""  # in a command: the flag just before the address (`--to`, `-h`), if any

    @property
    def line(self) -> int:
        return self.span.start.line

    def describe(self) -> str:
        return f"{self.path} ({self.file}:{self.line})"


class Edge(NamedTuple):
    """ "`source` reaches `target` on `port`" (`target` is a service name or HOST; `port` a container port for a
    service, a host port for the host, None when nothing tells)."""

    source: str
    target: str
    port: int | None
    kind: Kind
    written: str  # the address as written (`localhost:5432`, `db`, `host.docker.internal:4000`)
    via: Via
    # A loopback address that reaches another service (Kind.LOOPBACK): whether that service publishes the port
    # the address names on the host. From a host-mode container, `localhost:5432` reaches a service on a project
    # network only through a port it publishes; otherwise it is whatever listens on the machine's port 5432.
    published: bool = False

    @property
    def key(self) -> tuple[str, str, int | None]:
        return self.source, self.target, self.port

    def describe(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"`{self.source}` -> `{self.target}{port}` through `{self.written}` in {self.via.describe()}"


class Published(NamedTuple):
    host_port: str  # `8080`, `8000-8001`, or "" when the engine picks one
    container_port: int
    host_ip: str | None
    protocol: str


class Link(NamedTuple):
    """An `extra_hosts` entry that names the host (host-gateway or a gateway address)."""

    name: str
    address: str


class ServiceNode(NamedTuple):
    name: str
    network_mode: str | None
    networks: tuple[str, ...]  # the project networks it joins (none in host/bridge/service: modes)
    published: tuple[Published, ...]
    listens: tuple[int, ...]  # without `loopback`
    links: tuple[Link, ...]
    # Ports its command binds on a loopback address only (`--debug-addr 127.0.0.1:6060`), when it is not in host
    # mode: its own container's loopback, which neither another container nor a published port reaches.
    loopback: tuple[int, ...] = ()


class Status(NamedTuple):
    """Whether an edge works on one target; when it does not, why, and the findings that explain it."""

    works: bool
    reason: str = ""
    codes: tuple[str, ...] = ()


@dataclass(slots=True, eq=False)
class Graph:
    """Services, networks and connections of a project, and the status of every connection per target."""

    project: str
    services: dict[str, ServiceNode] = field(default_factory=dict)
    networks: dict[str, list[str]] = field(default_factory=dict)  # network -> services on it
    edges: list[Edge] = field(default_factory=list)
    status: dict[Target, list[Status]] = field(default_factory=dict)  # parallel to edges
    # Names services are reached by -> (service, the network the name is valid on; None: every network).
    names: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def broken(self, target: Target) -> list[tuple[Edge, Status]]:
        return [(e, s) for e, s in zip(self.edges, self.status.get(target, []), strict=True) if not s.works]


# --- building -------------------------------------------------------------------------------------------------


def _networks(service: Service) -> tuple[str, ...]:
    if service.network_mode is not None:
        return ()
    node = service.get("networks")
    if isinstance(node, MappingNode):
        return tuple(node.entries)
    if isinstance(node, Sequence):
        return tuple(t for t in (text_of(item) for item in node.items) if t)
    return ("default",)


def _aliases(service: Service) -> dict[str, str | None]:
    """Names other services reach this one by -> the network the name is valid on (None: every shared one)."""
    names: dict[str, str | None] = {service.name.lower(): None}
    container = text_of(service.get("container_name"))
    if container:
        names[container.lower()] = None
    node = service.get("networks")
    if isinstance(node, MappingNode):
        for network, entry in node.entries.items():
            config = entry.value
            aliases = config.get("aliases") if isinstance(config, MappingNode) else None
            if isinstance(aliases, Sequence):
                for item in aliases.items:
                    alias = text_of(item)
                    if alias:
                        names.setdefault(alias.lower(), network)
    return names


def _published(service: Service) -> tuple[Published, ...]:
    node = service.get("ports")
    found: list[Published] = []
    if isinstance(node, Sequence):
        for item in node.items:
            try:
                entries = parse_entry(item)
            except PortError:
                continue
            found += [Published(p.published or "", p.target, p.host_ip, p.protocol) for p in entries]
    return tuple(found)


def _is_host_address(address: str, bridge_ips: tuple[str, ...]) -> bool:
    return address == GATEWAY or address in DEFAULT_BRIDGE_IPS or address in bridge_ips


def _holder(project: Project, service: Service) -> Service:
    """The service whose network namespace (and /etc/hosts) ``service`` uses."""
    seen = {service.name}
    while (owner := service.namespace_owner) is not None and owner[0] == "service":
        other = project.services.get(owner[1])
        if other is None or other.name in seen:
            break
        seen.add(other.name)
        service = other
    return service


def _links(service: Service, bridge_ips: tuple[str, ...]) -> tuple[Link, ...]:
    return tuple(
        Link(entry.name.lower(), entry.address)
        for entry in extra_hosts(service)
        if _is_host_address(entry.address, bridge_ips) or entry.name.lower() == HOST_ALIAS
    )


_SCHEME_BEFORE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*)://(?:[^/@\s]*@)?$")

_PORT_AFTER = re.compile(r":(\d{1,5})(?!\d)")

# A host name token: after the start, a separator, `//` or `@`; followed by a port, a path or a separator.
_TOKEN = re.compile(
    r"(?:^|(?<=[\s=,;'\"(@\[])|(?<=//))([A-Za-z0-9][A-Za-z0-9_.\-]*)(?=$|[\s/,;'\")\]?#]|:\d|:(?![\w/]))"
)


def _port_at(value: str, start: int, end: int) -> tuple[int | None, bool, str]:
    """(port, explicit, text as written with the port) of the host at value[start:end]."""
    match = _PORT_AFTER.match(value, end)
    if match:
        return int(match.group(1)), True, value[start : match.end()]
    scheme = _SCHEME_BEFORE.search(value[max(0, start - 200) : start])
    if scheme:
        port = SCHEME_PORTS.get(scheme.group(1).lower().rsplit(":", 1)[-1].split("+", 1)[0])
        return port, False, value[start:end]
    return None, False, value[start:end]


def _links_aliases(service: Service, project: Project) -> dict[str, tuple[str, str | None]]:
    """`links: ["db:database"]`: names valid in this service only."""
    found: dict[str, tuple[str, str | None]] = {}
    node = service.get("links")
    if isinstance(node, Sequence):
        for item in node.items:
            name, _, alias = (text_of(item) or "").partition(":")
            if name in project.services:
                found[(alias or name).lower()] = (name, None)
    return found


def _behind_host(analysis: Analysis, host_mode: set[str], source: str, port: int | None) -> tuple[str, int | None]:
    """What a host address with ``port`` reaches: (service, container port) of a host-mode service listening on
    it or of a service publishing it on the host, else (HOST, port)."""
    if port is None:
        return HOST, None
    for name in sorted(host_mode):
        listener = analysis.listening(name, port)
        if name != source and listener is not None:
            return name, port
    for name, listeners in sorted(analysis.listeners.items()):
        for listener in listeners:
            if name != source and name not in host_mode and listener.publishes(port):
                if port not in listener.published and listener.shift is not None:
                    return name, port - listener.shift  # a published range, port by port
                return name, listener.port
    return HOST, port


def _addressed(ref: StringRef, start: int, end: int, explicit_port: bool) -> bool:
    """Whether the name at ref.value[start:end] is used as an address: with a port, as a URL's host, or as the
    whole value of a variable that names a server (`DB_HOST=db`)."""
    if explicit_port or _SCHEME_BEFORE.search(ref.value[max(0, start - 200) : start]):
        return True
    return ref.value[ref.value_start :].strip() == ref.value[start:end] and is_connect_name(ref.name)


def _line_text(project: Project, file: str, span: Span) -> str:
    doc = project.documents.get(file)
    if doc is None:
        return ""
    return mask(doc.line_text(span.start.line).strip())


def via_at(project: Project, ref: StringRef, start: int, end: int) -> Via:
    file, span = locate(project, ref.node, start, end)
    word = ""
    if ref.where in (Where.COMMAND, Where.ENTRYPOINT, Where.HOOK):
        text = ref.prefix + ref.value[:start]
        words = text.split()
        if words and text and not text[-1].isspace():
            current = words.pop()  # the word the address is part of: `--db=postgres://` or `amqp://user@`
            if current.startswith("-") and "=" in current:
                words.append(current.split("=", 1)[0])
        word = words[-1] if words and words[-1].startswith("-") else ""
    return Via(ref.where, ref.path, file, span, _line_text(project, file, span), word)


def _connection_strings(service: Service) -> Iterator[StringRef]:
    for ref in service_strings(service):
        if ref.where in CONTAINER_SIDE and ref.where is not Where.HEALTHCHECK and not handed_out(ref.name):
            yield ref


def build(project: Project, bridge_ips: tuple[str, ...] = (), *, hints: bool = False) -> Graph:
    """The services, networks and connections of ``project`` (statuses are filled by `assess`). ``hints`` adds
    the loopback values that nothing shows to be connections (the analysis's hints: a rewritten project that
    leaves one where the original connected has not kept that connection)."""
    graph = Graph(project.name)
    analysis = analyse(project)
    names: dict[str, tuple[str, str | None]] = {}  # reachable name -> (service, network it is valid on)
    for service in project.services.values():
        # In host mode a loopback bind is the machine's (or the VM's) loopback: other host-mode services reach it.
        loopback = (
            set()
            if _holder(project, service).network_mode == "host"
            else {
                use.address.port
                for use in analysis.uses
                if use.service is service and use.bind and use.address.port is not None
            }
        )
        node = ServiceNode(
            service.name,
            service.network_mode,
            _networks(service),
            _published(service),
            tuple(sorted({item.port for item in analysis.listeners.get(service.name, [])} - loopback)),
            _links(service, bridge_ips),
            tuple(sorted(loopback)),
        )
        graph.services[service.name] = node
        for network in node.networks:
            graph.networks.setdefault(network, []).append(service.name)
        for alias, on_network in _aliases(service).items():
            names.setdefault(alias, (service.name, on_network))
    edges: dict[tuple[str, str, int | None, str, int], Edge] = {}

    def add(edge: Edge) -> None:
        edges.setdefault((*edge.key, edge.via.file, edge.via.span.start.offset), edge)

    for use in [*analysis.uses, *(analysis.hints if hints else ())]:
        if use.bind or use.reach is Reach.SELF:
            continue
        address = use.address
        via = via_at(project, use.ref, address.start, address.end)
        written = address.shown
        if use.reach is Reach.SERVICE and use.targets:
            first = use.targets[0]
            published = address.port is None or first.publishes(address.port)
            add(Edge(use.service.name, first.service, first.port, Kind.LOOPBACK, written, via, published))
        else:
            add(Edge(use.service.name, HOST, address.port, Kind.LOOPBACK, written, via))
    bridge = bridge_ip_pattern(bridge_ips)
    host_mode = {s.name for s in project.services.values() if s.network_mode == "host"}
    for service in project.services.values():
        holder = _holder(project, service)
        custom = {
            link.name: link
            for link in _links(holder, bridge_ips)
            if link.name != HOST_ALIAS and link.name not in LEGACY_DESKTOP_NAMES
        }
        custom_re = (
            re.compile(
                r"(?<![\w.-])("
                + "|".join(re.escape(n) for n in sorted(custom, key=len, reverse=True))
                + r")(?![\w-]|\.\w)",
                re.IGNORECASE,
            )
            if custom
            else None
        )
        local = _links_aliases(service, project)
        for ref in _connection_strings(service):
            value = ref.value
            for pattern, kind in (
                (HOST_ALIAS_RE, Kind.HOST_ALIAS),
                (LEGACY_RE, Kind.LEGACY),
                (bridge, Kind.BRIDGE_IP),
                (custom_re, Kind.EXTRA_HOST),
            ):
                if pattern is None:
                    continue
                for match in pattern.finditer(value, ref.value_start):
                    port, explicit, written = _port_at(value, match.start(1), match.end(1))
                    if kind is Kind.EXTRA_HOST and not _addressed(ref, match.start(1), match.end(1), explicit):
                        continue  # a name that is also a word of the text (`@capture {` in a Caddyfile)
                    # Through the host to a service: one in host mode listening on the port, or one publishing it.
                    target, inside = _behind_host(analysis, host_mode, service.name, port)
                    via = via_at(project, ref, match.start(1), match.end(1))
                    add(Edge(service.name, target, inside, kind, written, via))
            for match in _TOKEN.finditer(value, ref.value_start):
                token = match.group(1)
                found = local.get(token.lower()) or names.get(token.lower())
                if found is None or found[0] == service.name or token.lower() in custom:
                    continue
                port, explicit, written = _port_at(value, match.start(1), match.end(1))
                if not _addressed(ref, match.start(1), match.end(1), explicit):
                    continue  # a word that happens to be a service name, not an address
                target = found[0]
                if port is None:
                    listens = graph.services[target].listens
                    port = listens[0] if len(listens) == 1 else None
                add(
                    Edge(
                        service.name,
                        target,
                        port,
                        Kind.NAME,
                        written,
                        via_at(project, ref, match.start(1), match.end(1)),
                    )
                )
    graph.edges = sorted(edges.values(), key=lambda e: (e.source, e.via.file, e.via.span.start.offset, e.target))
    graph.names = names
    return graph
