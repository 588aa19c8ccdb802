"""Whether each connection works on each engine, which finding explains a broken one, and which connections a rewritten
project no longer makes (what a rewrite must keep)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from composefix.analysis.hostnames import DEFAULT_BRIDGE_IPS, HOST_ALIAS
from composefix.analysis.loopback import loopbacks
from composefix.analysis.network import GATEWAY, HOST, Edge, Graph, Kind, Link, Status, build, via_at
from composefix.analysis.strings import service_strings
from composefix.model import TARGET_LABELS, Finding, Span, Target
from composefix.reading.files import Reader
from composefix.reading.loader import load_project
from composefix.reading.project import Project

# Engines where a `network_mode: host` container shares the loopback of the machine the user works on
# (Linux: the same kernel; OrbStack: documented; Rancher Desktop: announced, unconfirmed). Docker Desktop joins
# them only with its "Enable host networking" setting (4.34+): docs/platforms.md#host-networking-per-engine.
_HOST_LOOPBACK = frozenset({Target.LINUX, Target.ORBSTACK, Target.RANCHER})

# Docker Desktop's own addresses behind host.docker.internal (older releases): the Mac there, the VM elsewhere.
_DESKTOP_IPS = frozenset(ip for ip in DEFAULT_BRIDGE_IPS if ip.startswith("192.168.65."))


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
        if edge.target != HOST and _namespace(graph, edge.target).mode != "host" and not edge.published:
            # The host's loopback reaches a service on a project network only through a port it publishes.
            return False, (
                f"`{edge.target}` is not in host mode and does not publish that port on the host: `{edge.written}` "
                "is whatever listens on the machine's port, not the service"
            )
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
        if edge.port is not None and edge.port in node.loopback:
            return False, (
                f"`{edge.target}` listens on {edge.port} only on its container's loopback address: other "
                "containers do not reach it"
            )
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
                    via_at(project, ref, address.start, address.end),
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
