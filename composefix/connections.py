"""The connection graph of a project: which service reaches which service or the host, on which port, through
what (a variable, a command word, an inline config line), and whether each connection works on each engine.

Built on the address analysis (`topology.analyse` for loopback addresses, `addresses` for the strings a service
reads and the host names in them) plus the names of services. Whether a connection works is decided here from
how each engine runs the project (shared networks, host mode, `host.docker.internal`, `host-gateway`); which
finding explains a broken connection is taken from the findings the rules report at its place, never from a
table of rule codes in this module.

`lost_connections` compares an original project (as Linux runs it) with a rewritten one (as each target runs it)
and lists the connections that did not survive: what a rewrite must keep.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from composefix.addresses import (
    CONTAINER_SIDE,
    DEFAULT_BRIDGE_IPS,
    HOST_ALIAS,
    HOST_ALIAS_RE,
    LEGACY_DESKTOP_NAMES,
    LEGACY_RE,
    SCHEME_PORTS,
    StringRef,
    Where,
    bridge_ip_pattern,
    extra_hosts,
    handed_out,
    is_connect_name,
    loopbacks,
    service_strings,
)
from composefix.document import Mapping as MappingNode
from composefix.document import Sequence
from composefix.masking import mask
from composefix.model import TARGET_LABELS, Finding, Span, Target
from composefix.ports import PortError, parse_entry
from composefix.project import Project, Reader, Service, load_project, locate, text_of
from composefix.topology import Analysis, Reach, analyse

HOST = "host"
GATEWAY = "host-gateway"
# Engines where a `network_mode: host` container shares the loopback of the machine the user works on
# (Linux: the same kernel; OrbStack: documented; Rancher Desktop: announced, unconfirmed). Docker Desktop joins
# them only with its "Enable host networking" setting (4.34+): docs/platforms.md#host-networking-per-engine.
_HOST_LOOPBACK = frozenset({Target.LINUX, Target.ORBSTACK, Target.RANCHER})
# Docker Desktop's own addresses behind host.docker.internal (older releases): the Mac there, the VM elsewhere.
_DESKTOP_IPS = frozenset(ip for ip in DEFAULT_BRIDGE_IPS if ip.startswith("192.168.65."))


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
    listens: tuple[int, ...]
    links: tuple[Link, ...]


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


def _via(project: Project, ref: StringRef, start: int, end: int) -> Via:
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
        node = ServiceNode(
            service.name,
            service.network_mode,
            _networks(service),
            _published(service),
            tuple(sorted({item.port for item in analysis.listeners.get(service.name, [])})),
            _links(service, bridge_ips),
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
        via = _via(project, use.ref, address.start, address.end)
        written = address.shown
        if use.reach is Reach.SERVICE and use.targets:
            first = use.targets[0]
            add(Edge(use.service.name, first.service, first.port, Kind.LOOPBACK, written, via))
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
                    via = _via(project, ref, match.start(1), match.end(1))
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
                        service.name, target, port, Kind.NAME, written, _via(project, ref, match.start(1), match.end(1))
                    )
                )
    graph.edges = sorted(edges.values(), key=lambda e: (e.source, e.via.file, e.via.span.start.offset, e.target))
    graph.names = names
    return graph


# --- how each engine runs it ------------------------------------------------------------------------------------


class _Namespace(NamedTuple):
    mode: str  # "networks", "host", "bridge", "none", "container" (another container, outside the project)
    networks: frozenset[str] = frozenset()


def _namespace(graph: Graph, name: str) -> _Namespace:
    seen: set[str] = set()
    node = graph.services.get(name)
    while node is not None:
        mode = (node.network_mode or "").strip()
        if not mode:
            return _Namespace("networks", frozenset(node.networks))
        kind, _, owner = mode.partition(":")
        if kind == "service" and owner not in seen:
            seen.add(owner)
            node = graph.services.get(owner)
            continue
        if mode in ("host", "bridge", "none"):
            return _Namespace(mode)
        return _Namespace("container")
    return _Namespace("container")


def _host_loopback(target: Target, desktop_host_networking: bool) -> bool:
    return target in _HOST_LOOPBACK or (target is Target.DESKTOP and desktop_host_networking)


def _link_for(graph: Graph, source: str, name: str) -> Link | None:
    holder = source
    seen: set[str] = set()
    while (node := graph.services.get(holder)) is not None:
        kind, _, owner = (node.network_mode or "").partition(":")
        if kind != "service" or owner in seen:
            break
        seen.add(owner)
        holder = owner
    node = graph.services.get(holder)
    return next((link for link in node.links if link.name == name), None) if node else None


def _reaches_host(address: str, target: Target, bridge_ips: tuple[str, ...]) -> str:
    """An empty string when an address (an IP, or host-gateway) reaches the user's machine on ``target``, else
    why not (docs/platforms.md#the-host-gateway-value, docs/platforms.md#when-the-host-gateway-entry-is-not-harmless,
    docs/platforms.md#the-docker0-bridge-address)."""
    label = TARGET_LABELS[target]
    if address == GATEWAY:
        if target is Target.RANCHER:
            return f"{label} does not support `host-gateway`"
        return ""
    if address in _DESKTOP_IPS:
        return "" if target is Target.DESKTOP else f"`{address}` is an address of Docker Desktop's VM only"
    if target is Target.LINUX:
        return ""  # docker0's gateway (or a configured one): the host, if it listens beyond 127.0.0.1
    return f"`{address}` is the gateway of the engine's VM on {label}, not your machine"


def _status(graph: Graph, edge: Edge, target: Target, settings: _Settings) -> tuple[bool, str]:
    label = TARGET_LABELS[target]
    space = _namespace(graph, edge.source)
    if space.mode == "none":
        return False, f"`{edge.source}` has no network (`network_mode: none`)"
    if edge.kind is Kind.LOOPBACK:
        if space.mode != "host":
            return False, f"inside `{edge.source}`'s container `{edge.written}` is the container itself"
        if edge.target == HOST and not _host_loopback(target, settings.desktop_host_networking):
            return False, f"in host mode on {label} `{edge.written}` is the engine's VM, not your machine"
        return True, ""
    if edge.kind is Kind.NAME:
        if space.mode in ("host", "bridge", "container"):
            modes = {"host": "host networking", "bridge": "the default bridge (`network_mode: bridge`)"}
            where = modes.get(space.mode, "another container's network")
            return False, f"`{edge.source}` uses {where}, where service names do not resolve"
        other = _namespace(graph, edge.target)
        if other.mode != "networks":
            return False, f"`{edge.target}` is not on a project network (`network_mode: {other.mode}`)"
        alias_network = graph.names.get(edge.written.split(":", 1)[0].lower(), (edge.target, None))[1]
        shared = space.networks & other.networks
        if alias_network is not None:
            shared &= {alias_network}
        if not shared:
            mine = ", ".join(sorted(space.networks)) or "none"
            theirs = ", ".join(sorted(other.networks)) or "none"
            return False, f"`{edge.source}` ({mine}) and `{edge.target}` ({theirs}) share no network"
        # A host port used inside the network: the classic mix-up (`web:8080` for `ports: ["8080:80"]`). Other
        # ports a service is not known to listen on are not evidence: listeners are known only in part.
        node = graph.services[edge.target]
        if edge.port is not None and edge.port not in node.listens:
            mapped = sorted({p.container_port for p in node.published if p.host_port == str(edge.port)})
            if mapped:
                inside = ", ".join(str(p) for p in mapped)
                return False, (
                    f"`{edge.target}` publishes {edge.port} on the host for its port {inside}; "
                    f"other services reach it on {inside}"
                )
        return True, ""
    # The host, by name or address; then, for a service behind the host, whether the host reaches it.
    works, why = _host_status(graph, edge, target, settings)
    if not works or edge.target == HOST:
        return works, why
    if _namespace(graph, edge.target).mode == "host" and not _host_loopback(target, settings.desktop_host_networking):
        return False, f"`{edge.target}` listens in host mode: on {label} that is the engine's VM, not your machine"
    return True, ""


def _host_status(graph: Graph, edge: Edge, target: Target, settings: _Settings) -> tuple[bool, str]:
    label = TARGET_LABELS[target]
    if edge.kind is Kind.HOST_ALIAS:
        link = _link_for(graph, edge.source, HOST_ALIAS)
        if link is not None:
            why = _reaches_host(link.address, target, settings.bridge_ips)
            return (False, f"`{HOST_ALIAS}` is mapped to `{link.address}`: {why}") if why else (True, "")
        if target is Target.LINUX:
            return False, f"Linux Docker Engine does not define `{HOST_ALIAS}` without `extra_hosts` `host-gateway`"
        return True, ""
    if edge.kind is Kind.LEGACY:
        if target is Target.DESKTOP:
            return True, ""
        return False, f"`{edge.written.split(':', 1)[0]}` is a Docker Desktop name; {label} does not define it"
    if edge.kind is Kind.EXTRA_HOST:
        link = _link_for(graph, edge.source, edge.written.split(":", 1)[0].lower())
        address = link.address if link else ""
        why = _reaches_host(address, target, settings.bridge_ips) if link else "the name is not mapped"
        return (
            (False, f"`{link.name if link else edge.written}` is mapped to `{address}`: {why}") if why else (True, "")
        )
    address = edge.written.split(":", 1)[0] if not edge.written.startswith("[") else edge.written
    why = _reaches_host(address, target, settings.bridge_ips)
    return (False, why) if why else (True, "")


class _Settings(NamedTuple):
    desktop_host_networking: bool = False
    bridge_ips: tuple[str, ...] = ()


def _findings(project: Project, target: Target, settings: _Settings) -> list[Finding]:
    """What `check` reports on ``project`` for ``target`` alone (every rule, no suppressions: explanations)."""
    from composefix.rules import RULES
    from composefix.rules.base import Context, Settings

    ctx = Context(project, Settings(frozenset({target}), settings.desktop_host_networking, settings.bridge_ips))
    found: list[Finding] = []
    for rule in RULES:
        if rule.concerns(ctx.settings.targets):
            found.extend(rule.check(ctx))
    return found


def _inside(outer: Span, inner: Span) -> bool:
    return outer.start.offset <= inner.start.offset and inner.end.offset <= outer.end.offset


def _overlaps(a: Span, b: Span) -> bool:
    if a.start.offset == b.start.offset:
        return True
    return a.start.offset < b.end.offset and b.start.offset < a.end.offset


def _explain(project: Project, edge: Edge, findings: list[Finding]) -> tuple[str, ...]:
    """Codes of the findings at the edge's place; else at its service's network mode or extra_hosts; else those
    of the same service about the same written host name (a rule may report only the first of several uses)."""
    here = {f.code for f in findings if f.file == edge.via.file and _overlaps(f.span, edge.via.span)}
    if here:
        return tuple(sorted(here))
    service = project.services.get(edge.source)
    nodes = [service.get(key) for key in ("network_mode", "extra_hosts")] if service else []
    spans = [(n.file, n.span) for n in nodes if n is not None]
    around = {f.code for f in findings if any(f.file == file and _inside(span, f.span) for file, span in spans)}
    if around:
        return tuple(sorted(around))
    host = edge.written.split(":", 1)[0].lower()
    same = set()
    for f in findings:
        doc = project.documents.get(f.file)
        if f.service == edge.source and doc is not None and doc.source(f.span).lower() == host:
            same.add(f.code)
    return tuple(sorted(same))


def assess(
    project: Project,
    graph: Graph,
    targets: Iterable[Target] = tuple(Target),
    *,
    desktop_host_networking: bool = False,
    bridge_ips: tuple[str, ...] = (),
    explain: bool = True,
) -> Graph:
    """Fill ``graph.status`` for each target: does each edge work there, and if not, why and (with ``explain``,
    which runs every rule for the target) which findings."""
    settings = _Settings(desktop_host_networking, bridge_ips)
    for target in targets:
        findings: list[Finding] | None = None
        statuses: list[Status] = []
        for edge in graph.edges:
            works, reason = _status(graph, edge, target, settings)
            if works:
                statuses.append(Status(True))
                continue
            if not explain:
                statuses.append(Status(False, reason))
                continue
            if findings is None:
                findings = _findings(project, target, settings)
            statuses.append(Status(False, reason, _explain(project, edge, findings)))
        graph.status[target] = statuses
    return graph


def connection_graph(
    project: Project,
    targets: Iterable[Target] = tuple(Target),
    *,
    desktop_host_networking: bool = False,
    bridge_ips: tuple[str, ...] = (),
    explain: bool = True,
) -> Graph:
    """The graph of ``project`` with each connection's status on each of ``targets`` (see `assess`)."""
    graph = build(project, bridge_ips)
    return assess(
        project,
        graph,
        targets,
        desktop_host_networking=desktop_host_networking,
        bridge_ips=bridge_ips,
        explain=explain,
    )


# --- what a rewrite must keep -----------------------------------------------------------------------------------


class Lost(NamedTuple):
    """A connection the original project makes on Linux that the rewritten one does not make on ``target``."""

    edge: Edge  # as in the original project
    target: Target
    reason: str
    codes: tuple[str, ...] = ()

    def describe(self) -> str:
        codes = f" [{', '.join(self.codes)}]" if self.codes else ""
        return f"{TARGET_LABELS[self.target]}: {self.edge.describe()}: {self.reason}{codes}"


def lost_connections(
    original: Project,
    rewritten: Project | Mapping[Target, Project],
    targets: Iterable[Target] = tuple(Target),
    *,
    desktop_host_networking: bool = False,
    bridge_ips: tuple[str, ...] = (),
) -> list[Lost]:
    """The connections of ``original`` that work on Linux and do not work in ``rewritten`` on each target.

    ``rewritten`` is one project (the same files for every engine) or the project each target loads (Linux
    machines may load only the base files while VM-backed engines also load an override; a target missing from
    the mapping is not compared). A connection
    survives on a target when the rewritten project connects the same service to the same service (container
    port) or to the host (host port), through the same setting if it still holds such a connection, and that
    connection works there. A connection the original already breaks on a target counts as lost there unless
    the rewrite repairs it: the invariant is that every connection made on Linux is made on every target."""
    before = connection_graph(
        original,
        (Target.LINUX,),
        desktop_host_networking=desktop_host_networking,
        bridge_ips=bridge_ips,
        explain=False,
    )
    kept = [edge for edge, status in zip(before.edges, before.status[Target.LINUX], strict=True) if status.works]
    lost: list[Lost] = []
    graphs: dict[int, Graph] = {}
    for target in targets:
        project = rewritten if isinstance(rewritten, Project) else rewritten.get(target)
        if project is None:
            continue
        graph = graphs.get(id(project))
        if graph is None:
            graph = graphs[id(project)] = build(project, bridge_ips, hints=True)
        assess(project, graph, (target,), desktop_host_networking=desktop_host_networking, bridge_ips=bridge_ips)
        statuses = dict(zip(graph.edges, graph.status[target], strict=True))
        by_key: dict[tuple[str, str, int | None], list[Edge]] = {}
        by_place: dict[tuple[str, str], list[Edge]] = {}
        for e in graph.edges:
            by_key.setdefault(e.key, []).append(e)
            by_place.setdefault((e.source, e.via.path), []).append(e)
        for edge in kept:
            same = by_key.get(edge.key, [])
            exact = [e for e in same if e.via.path == edge.via.path]
            candidates = exact or same
            if any(statuses[e].works for e in candidates):
                continue
            if candidates:
                status = statuses[candidates[0]]
                lost.append(Lost(edge, target, status.reason, status.codes))
            else:
                moved = by_place.get((edge.source, edge.via.path), [])
                left = _left_behind(project, graph, edge)
                if moved:
                    port = f":{moved[0].port}" if moved[0].port is not None else ""
                    reason = f"`{edge.via.path}` now reaches `{moved[0].target}{port}` (`{moved[0].written}`)"
                    lost.append(Lost(edge, target, reason))
                elif left is not None:
                    settings = _Settings(desktop_host_networking, bridge_ips)
                    _, reason = _status(graph, left, target, settings)
                    codes = _explain(project, left, _findings(project, target, settings))
                    lost.append(Lost(edge, target, reason or f"`{left.written}` is left in `{edge.via.path}`", codes))
                else:
                    reason = f"the rewritten project no longer makes this connection from `{edge.via.path}`"
                    lost.append(Lost(edge, target, reason))
    return lost


def _left_behind(project: Project, graph: Graph, edge: Edge) -> Edge | None:
    """A loopback address still written where ``edge`` was (one the analysis sets aside in a bridge service, as a
    URL on a published port, is still what the process reads)."""
    service = project.services.get(edge.source)
    if service is None:
        return None
    for ref in service_strings(service):
        if ref.path != edge.via.path:
            continue
        for address in loopbacks(ref.value, ref.value_start, ref.prefix):
            if not address.bind:
                return Edge(
                    edge.source,
                    edge.target,
                    edge.port,
                    Kind.LOOPBACK,
                    address.shown,
                    _via(project, ref, address.start, address.end),
                )
    return None


def load_edited(
    files: list[Path],
    texts: Mapping[Path | str, str],
    *,
    project_directory: Path | None = None,
    environ: dict[str, str] | None = None,
    env_files: list[Path] | None = None,
    profiles: list[str] | None = None,
) -> Project:
    """The project made of ``files`` as it would be with ``texts`` (path -> new text) in place of those files on
    disk: compose files, `.env` or env_file files. Nothing is written. For comparing an in-place rewrite with
    the original (`lost_connections`) before writing it."""
    edited = {os.path.realpath(str(path)): text.encode("utf-8") for path, text in texts.items()}

    def read(path: Path) -> bytes:
        key = os.path.realpath(str(path))
        return edited[key] if key in edited else path.read_bytes()

    return load_project(
        files,
        reader=Reader(read),
        project_directory=project_directory,
        environ=environ,
        env_files=env_files,
        profiles=profiles,
    )
