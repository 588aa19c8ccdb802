"""Building blocks for the fixes rules attach to their findings (the changes themselves are in composefix.model).

Several rules share one fix: CF101's (a service leaves host mode) also decides how CF105 and CF107 are fixed in
the services that reached the host-mode service through the host, so its plan is computed here, once per
service, for all three.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple, cast

from composefix.analysis.hostnames import HOST_ALIAS, HOST_ALIAS_RE, bridge_ip_pattern
from composefix.analysis.strings import StringRef, Where, extra_hosts, matches, service_strings
from composefix.analysis.topology import Reach, analyse, image_name, known_image
from composefix.model import Change, EnsureHostGateway, ReplaceText, ResetKey, Target
from composefix.reading.document import Sequence
from composefix.reading.project import Service, text_of
from composefix.rules.base import Context

if TYPE_CHECKING:
    from composefix.data.linux_only import HostNetworkNeed

if TYPE_CHECKING:
    from composefix.analysis.network import Graph

NOT_VERBATIM = "the address is not written verbatim in a file (escaped or from the environment)"
LEAVES_HOST_MODE = "fixed together with CF101 (the service first has to leave host mode)"
INFORMATION_ONLY = "information only: left as written (no evidence that the container connects to it)"


def replace(ctx: Context, service: Service, ref: StringRef, start: int, end: int, text: str) -> ReplaceText | None:
    """Replace ``ref.value[start:end]`` with ``text``, where it is written verbatim in a file; else None."""
    interp = ref.node.interp
    source = interp.origin(start, end) if interp is not None else None
    if source is None or source.file is None or not source.exact:
        return None
    return ReplaceText(service.name, source.file, source.start, source.end, text, ref)


def gateway(ctx: Context, service: Service) -> tuple[Change, ...]:
    """The change that gives ``service`` (or the owner of its network namespace) the host-gateway entry, when
    Linux is a target and it lacks one."""
    if Target.LINUX not in ctx.settings.targets:
        return ()
    holder = service
    owner = service.namespace_owner
    if owner is not None:
        if owner[0] != "service" or owner[1] not in ctx.project.services:
            return ()
        holder = ctx.project.services[owner[1]]
    if any(e.name.lower() == HOST_ALIAS for e in extra_hosts(holder)):
        return ()
    return (EnsureHostGateway(holder.name),)


def leaving_host_mode(service: Service) -> ResetKey:
    """The change a fix needs before it applies to a host-mode service: the service leaves host mode."""
    return ResetKey(service.name, "network_mode")


class HostModeExit(NamedTuple):
    """How a host-mode service leaves host networking: the ports it publishes, or why it cannot."""

    # (container port, where we learnt it) to publish as "PORT:PORT".
    ports: tuple[tuple[int, str], ...] = ()
    # Ports the service already publishes in its `ports`.
    already: tuple[int, ...] = ()
    # Why the service cannot leave host mode automatically (empty when it can).
    reason: str = ""
    # Other services' `host.docker.internal:PORT` / bridge-IP addresses that reached it through the host.
    reached: tuple[tuple[Service, StringRef, int, int], ...] = ()
    # The project networks it joins: those of the services it talks to and that talk to it (empty: `default`).
    networks: tuple[str, ...] = ()


def host_mode_exit(ctx: Context, service: Service) -> HostModeExit:
    """The plan for taking ``service`` (in `network_mode: host`) onto the project network."""
    cache = cast(dict[tuple[object, ...], HostModeExit], ctx.project.cache.setdefault("fixing.host_mode_exit", {}))
    settings = (tuple(sorted(ctx.settings.publish.items())), tuple(sorted(ctx.settings.image_ports.items())))
    if (service.name, *settings) not in cache:
        # Each host-mode service's own plan first; then, until nothing changes, a service that reaches through
        # `localhost` a host-mode service that stays, stays too (moved alone, it would reach its own container).
        host_mode = [s for s in ctx.project.services.values() if s.network_mode == "host"]
        plans = {s.name: _host_mode_exit(ctx, s) for s in host_mode}
        changed = True
        while changed:
            changed = False
            for other in host_mode:
                if not plans[other.name].reason:
                    why = _reaches_one_that_stays(ctx, other, {n for n, plan in plans.items() if plan.reason})
                    if why:
                        plans[other.name], changed = HostModeExit(reason=why), True
        for name, plan in plans.items():
            cache[(name, *settings)] = plan
        if (service.name, *settings) not in cache:  # not in host mode: its plan is worked out alone
            cache[(service.name, *settings)] = _host_mode_exit(ctx, service)
    return cache[(service.name, *settings)]


def linux_only(service: Service) -> HostNetworkNeed | None:
    """Why the service's image needs the host's own network (LAN discovery, host interfaces), when it is known."""
    from composefix.data.linux_only import HOST_NETWORK  # only for host-mode services

    image = text_of(service.get("image"))
    if not image:
        return None
    need = next((HOST_NETWORK[name] for name in image_name(image) if name in HOST_NETWORK), None)
    if need is not None and need.capability is not None:
        caps = service.get("cap_add")
        added = {(text_of(c) or "").upper() for c in caps.items} if isinstance(caps, Sequence) else set()
        if need.capability not in added and f"CAP_{need.capability}" not in added:
            return None
    return need


def _host_mode_exit(ctx: Context, service: Service) -> HostModeExit:
    known = known_image(service)
    explicit = list(ctx.settings.publish.get(service.name, ()))
    given = service.name in ctx.settings.publish
    if known is not None and known.get("host-network") and not given:
        return HostModeExit(
            reason=f"`{service.name}` {known['host-network']}: it needs host networking; turn on Docker Desktop's "
            f"host networking (4.34+) instead, or pass --publish {service.name}=PORT to move it anyway"
        )
    need = linux_only(service)
    if need is not None and not given:
        # The images CF101 calls Linux-only by design: moved, they would get their ports back but not the LAN.
        return HostModeExit(
            reason=f"`{service.name}` needs host networking: {need.reason} (see {need.source}); turn on Docker "
            f"Desktop's host networking (4.34+) instead, or pass --publish {service.name}=PORT to move it anyway"
        )
    listeners = analyse(ctx.project).listeners.get(service.name, [])
    ports: list[tuple[int, str]] = [(p, "--publish") for p in explicit]
    already = {item.port for item in listeners if item.reason == "ports"}
    # `--publish SERVICE=` (or `SERVICE = []` in the configuration): the service publishes nothing.
    if not ports and not given:
        # Every port the project's own text tells (expose, healthcheck, command flags, port variables: issue 14,
        # a service with several port variables listens on each); the image's ports only when the text tells
        # none: the EXPOSE of the local image the engine has (`--inspect-images`, evidence about this very
        # image) before the defaults data/known_images.py records for its name.
        # A port the command binds on the loopback address only (`--debug-addr 127.0.0.1:6060`) is not published:
        # nothing outside the container reaches it in host mode either.
        loopback = {
            use.address.port
            for use in analyse(ctx.project).uses
            if use.service is service and use.bind and use.address.port is not None
        }
        told = {
            item.port: item.reason
            for item in reversed(listeners)
            if _rank(item.reason) in (1, 2, 3) and not (item.reason == "command" and item.port in loopback)
        }
        ports = sorted((port, reason) for port, reason in told.items() if port not in already)
        if not ports and not already:
            image_ports = ctx.settings.image_ports
            image = text_of(service.get("image")) or ""
            if image_ports.get(image):
                ports = [(port, f"EXPOSE of image {image} (engine)") for port in image_ports[image]]
            else:
                ports = [(item.port, item.reason) for item in listeners if _rank(item.reason) == 4]
    if not ports and not already and not given:
        return HostModeExit(
            reason=f"no port found for `{service.name}`: pass --publish {service.name}=PORT[,PORT] (or set "
            "[tool.composefix.publish]) so the override can publish what it listens on, or --publish "
            f"{service.name}= when it only makes outgoing connections and publishes nothing"
        )
    own_ports = {item.port for item in listeners} | {p for p, _ in ports}
    bridge = bridge_ip_pattern(ctx.settings.bridge_ips)
    reached: list[tuple[Service, StringRef, int, int]] = []
    for other in ctx.project.services.values():
        if other.name == service.name:
            continue
        for ref in service_strings(other):
            if ref.where not in (Where.ENVIRONMENT, Where.COMMAND, Where.ENTRYPOINT):
                continue
            for pattern in (HOST_ALIAS_RE, bridge):
                for start, end, _ in matches(ref, pattern):
                    port_match = re.match(r":(\d{1,5})\b", ref.value[end:])
                    if port_match and int(port_match.group(1)) in own_ports:
                        reached.append((other, ref, start, end))
    # A port bound on the loopback address only keeps the service in host mode when it would be published, or
    # when another service reaches it (through `localhost` in host mode, or through the host): moved, the server
    # would listen on its own container's loopback, which neither a published port nor a service name reaches.
    reached_ports = {
        target.port
        for use in analyse(ctx.project).uses
        if use.service is not service and not use.bind and use.reach is Reach.SERVICE
        for target in use.targets
        if target.service == service.name
    }
    for _, ref, _, end in reached:
        port_match = re.match(r":(\d{1,5})\b", ref.value[end:])
        if port_match:
            reached_ports.add(int(port_match.group(1)))
    kept = _loopback_bind(ctx, service, {p for p, _ in ports} | already | reached_ports)
    if kept:
        return HostModeExit(reason=kept)
    return HostModeExit(tuple(ports), tuple(sorted(already)), "", tuple(reached), _networks_to_join(ctx, service))


def _peers(ctx: Context) -> tuple[Graph, dict[str, set[str]]]:
    """The connection graph of the project as Linux runs it, and for each service the services it talks to and
    that talk to it (computed once per project: every host-mode service asks)."""
    from composefix.analysis.network import HOST, build

    cache = cast(dict[object, tuple["Graph", dict[str, set[str]]]], ctx.project.cache.setdefault("fixing.peers", {}))
    key = ctx.settings.bridge_ips
    if key not in cache:
        graph = build(ctx.project, ctx.settings.bridge_ips)
        peers: dict[str, set[str]] = {}
        for edge in graph.edges:
            if edge.target != HOST and edge.target != edge.source:
                peers.setdefault(edge.source, set()).add(edge.target)
                peers.setdefault(edge.target, set()).add(edge.source)
        cache[key] = (graph, peers)
    return cache[key]


def _networks_to_join(ctx: Context, service: Service) -> tuple[str, ...]:
    """The networks a host-mode service leaving host mode must list so that it shares one with each service it
    talks to and each that talks to it (the connection graph of the project as Linux runs it). Without a
    `networks:` key it is on `default` only: when every peer is on `default`, nothing is listed; else the peers'
    networks, and `default` too when some peer is on it. A peer in host mode that leaves it as well lands on
    `default`; peers outside the project networks (bridge, another container) share none whatever is listed."""
    graph, peers = _peers(ctx)
    needed: list[str] = []
    on_default = False
    for peer in sorted(peers.get(service.name, ())):
        node = graph.services.get(peer)
        seen = {peer}
        while node is not None and (node.network_mode or "").startswith("service:"):
            owner = (node.network_mode or "").split(":", 1)[1]
            if owner in seen:
                node = None
                break
            seen.add(owner)
            node = graph.services.get(owner)
        if node is None:
            continue
        if node.network_mode is None:
            networks = set(node.networks)
        elif node.network_mode == "host" and node.name in ctx.project.services:
            other = ctx.project.services[node.name]
            if other is service or _leaves_host_mode(ctx, other) is False:
                continue
            networks = {"default"}
        else:
            continue
        if "default" in networks:
            on_default = True
        elif networks and not networks & set(needed):
            # The peer's own project networks first (in the order it lists them), an external one (a reverse
            # proxy's network, shared with other projects) only when it has no other.
            listed = [n for n in node.networks if n in networks] if node.network_mode is None else sorted(networks)
            needed.append(min(listed, key=lambda n: (_external(ctx, n), listed.index(n))))
    if not needed:
        return ()
    return ("default", *needed) if on_default else tuple(needed)


def _external(ctx: Context, network: str) -> bool:
    from composefix.reading.document import Mapping

    section = ctx.project.top.get("networks")
    entry = section.get(network) if isinstance(section, Mapping) else None
    external = entry.get("external") if isinstance(entry, Mapping) else None
    # `external: true`, or the old `external: {name: ...}`
    return isinstance(external, Mapping) or (text_of(external) or "").lower() == "true"


def _leaves_host_mode(ctx: Context, service: Service) -> bool:
    """Whether CF101's fix can take ``service`` out of host mode (the ports are known, the image allows it),
    without computing its own networks (two host-mode services may talk to each other)."""
    known = known_image(service)
    if known is not None and known.get("host-network") and not ctx.settings.publish.get(service.name):
        return False
    return bool(
        ctx.settings.publish.get(service.name)
        or analyse(ctx.project).listeners.get(service.name)
        or ctx.settings.image_ports.get(text_of(service.get("image")) or "")
    )


def _loopback_bind(ctx: Context, service: Service, ports: set[int]) -> str:
    """Why ``service`` cannot leave host mode when its server listens only on a loopback address (a bind with no
    port, or on a port it would publish or another service reaches): in host mode its clients on the machine
    reach it there, but neither a port published from the project network nor a service name reaches a server
    bound to the container's loopback (docs/platforms.md#port-publishing-and-loopback-listeners), so moving it
    would cut them off. "" otherwise."""
    for use in analyse(ctx.project).uses:
        if use.service is not service or not use.bind:
            continue
        port = use.address.port
        if port is None or port in ports:
            return (
                f"`{service.name}` listens only on `{use.address.host}` (in `{use.ref.path}`): a published port does "
                "not reach a server bound to the container's loopback, so leaving host mode would cut off the clients "
                "that reach it on this machine; make it listen on `0.0.0.0` first"
            )
    return ""


def _reaches_one_that_stays(ctx: Context, service: Service, staying: set[str]) -> str:
    """Why ``service`` cannot leave host mode when it connects through `localhost` to another host-mode service
    that cannot leave: from the project network that address would be its own container, and the other service
    is on no project network to be reached by name. "" otherwise."""
    for use in analyse(ctx.project).uses:
        if use.service is not service or use.bind or use.reach is not Reach.SERVICE:
            continue
        for target in dict.fromkeys(t.service for t in use.targets):
            if target in staying and target != service.name:
                return (
                    f"`{service.name}` reaches `{target}` at `{use.address.shown}` (in `{use.ref.path}`), and "
                    f"`{target}` stays in host mode: leaving host mode alone would cut that connection"
                )
    return ""


def reached_through_host(ctx: Context, service: Service, ref: StringRef, start: int, end: int) -> Service | None:
    """The host-mode service that ``service`` reaches at ``ref.value[start:end]`` through the host, if any: that
    address becomes the host-mode service's name when it leaves host mode."""
    for other in ctx.project.services.values():
        if other.network_mode != "host" or other is service or host_mode_exit(ctx, other).reason:
            continue
        for who, where, s, e in host_mode_exit(ctx, other).reached:
            if who is service and where is ref and (s, e) == (start, end):
                return other
    return None


def _rank(reason: str) -> int:
    if reason == "expose":
        return 1
    if reason == "healthcheck":
        return 2
    if reason.startswith("image ") or " bundled in image " in reason:
        return 4  # what composefix knows of the image, not what the project's text tells
    return 3 if reason != "ports" else 0


def advertises_loopback(ctx: Context, client: StringRef, server: Service) -> str:
    """Why a bootstrap address in ``client`` must not become ``server``'s name: the server advertises a loopback
    address to its clients (composefix/data/advertised.py). Empty when nothing says so."""
    from composefix.analysis.loopback import loopbacks
    from composefix.data.advertised import ADVERTISED

    name = (client.name or "").upper()
    if client.where is not Where.ENVIRONMENT or not name:
        return ""
    wanted = {
        variable.name: (entry.system, variable.source)
        for entry in ADVERTISED
        if any(c.name == name for c in entry.clients)
        for variable in entry.servers
    }
    for ref in service_strings(server):
        found = wanted.get((ref.name or "").upper()) if ref.where is Where.ENVIRONMENT else None
        if found is None:
            continue
        system, source = found
        for address in loopbacks(ref.value, ref.value_start, ref.prefix):
            return (
                f"`{server.name}` advertises `{address.shown}` ({ref.name}): a {system} client given "
                f"`{server.name}` is sent back to that address (and a certificate for it does not cover the name); "
                f"change what `{server.name}` advertises first (see {source})"
            )
    return ""
