"""## What it does
Reports a service with `network_mode: host`.

## Why is this bad?
On Linux Docker Engine the service shares the host's network: it reaches the host's servers on `localhost`, and
the host reaches it on the ports it listens on. On VM-backed engines "host" is the Linux VM, not your machine
(docs/platforms.md#host-networking-per-engine; https://docs.docker.com/engine/network/drivers/host/):

- Docker Desktop before 4.29, or 4.34+ with *Settings → Resources → Network → Enable host networking* off: the
  service cannot reach your machine through `localhost`, and nothing is forwarded, so your machine cannot reach
  the service either. Nobody gets an error, only "connection refused".
- Colima: `localhost` in the container is the Lima VM (maintainer statement, colima#1262).
- Podman machine: `localhost` is the VM (containers/podman#15664, open).

Some images use host mode for what only a Linux host's own network gives: LAN discovery (mDNS, SSDP, DHCP
broadcasts for Home Assistant, Plex, Homebridge, Pi-hole's DHCP server...) or the host's interfaces
(node-exporter). For those the message says "Linux-only by design" with the reason and its source: leaving host
mode restores the ports but not the discovery, and Docker Desktop's host networking works at layer 4 only
(docs/platforms.md#host-networking-for-lan-discovery).

OrbStack supports host networking in both directions, so the rule is silent for the `orbstack` target. For
Rancher Desktop the behaviour is **unconfirmed** (a maintainer says it is supported since 1.17, with open Windows
reports), so the `rancher` target does not trigger this rule either. With `desktop-host-networking = true` in the
configuration the team has turned Desktop's host networking on (4.34+), and the finding is informational when
Desktop is the only VM-backed target.

## Example
```yaml
services:
  proxy:
    image: nginx
    network_mode: host
```

## Use instead
```yaml
services:
  proxy:
    image: nginx
    ports:
      - "8080:8080"
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

Keep the Linux setup and add an override for the VM-backed engines instead: `network_mode: !reset null`
(Compose 2.18.0+) with the ports published at the same numbers (docs/platforms.md#leaving-host-mode).

## Fix safety
Unsafe: the service leaves host networking, so its ports become published ports and its view of `localhost`
changes. `composefix rewrite` applies it by default in override mode (the override file is loaded only by the
machines that need it: `network_mode: !reset null`, Compose 2.18.0+), and in place only with `--unsafe-fixes`.
The ports published are `--publish SERVICE=PORT` or config `publish` when given; else every port the project's
text tells beside the service's own `ports`: `expose`, healthcheck ports, `--port`-like flags and every `PORT`-like
variable (`HTTP_PORT`, `GRPC_PORT`, `METRICS_PORT`, `ADMIN_PORT`...); only when the text tells none, the image's:
the `EXPOSE` ports of the local image with `--inspect-images`, else the defaults composefix knows for the image's
name (host port = container port, as host networking had them). With none of these, nothing is written for the
service and the finding stays, asking for `--publish`; `--publish SERVICE=` (config `SERVICE = []`) says the
service publishes nothing (it only makes outgoing connections): it leaves host mode with no port published.
The service joins the networks of the services it talks to
and that talk to it (listing `default` too when one of them is on it), so that their names resolve; a fix that
would still lose one of the project's connections is refused with the connection and the reason. Images that
need the host's network (mDNS/SSDP discovery, DHCP, host metrics) are left alone with a note pointing at Docker
Desktop's host networking (4.34+). The service's loopback
addresses are rewritten in the same plan (`host.docker.internal`, or the name of the service that listens), and
so are other services' `host.docker.internal:PORT`/bridge-IP addresses that reached it. A move that would cut a
connection is not made, and the finding says why: a server that listens only on a loopback address (a
`--bind-address=127.0.0.1` with no port, or on a port it would publish or another service reaches) would no
longer be reached through its published port nor by its name
(docs/platforms.md#port-publishing-and-loopback-listeners), and a service that reaches another
host-mode service through `localhost` leaves only together with it.

## Platforms
Docker Desktop (unless its host networking is on), Colima, Podman machine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import (
    Applicability,
    Change,
    Finding,
    Fix,
    JoinNetworks,
    PublishPorts,
    Severity,
    Target,
    describe_targets,
)
from composefix.reading.project import Service
from composefix.rules.base import Context, Rule
from composefix.rules.fixing import host_mode_exit, leaving_host_mode, linux_only, reached_through_host, replace


def fix(ctx: Context, service: Service) -> tuple[Fix | None, str]:
    """Leave host mode: publish what the service listens on, and let the services that reached it through the
    host use its name."""
    plan = host_mode_exit(ctx, service)
    if plan.reason:
        return None, plan.reason
    changes: list[Change] = [leaving_host_mode(service)]
    if plan.ports:
        changes.append(PublishPorts(service.name, plan.ports))
    if plan.networks:
        changes.append(JoinNetworks(service.name, plan.networks))
    for other, ref, start, end in plan.reached:
        if reached_through_host(ctx, other, ref, start, end) is not service:
            continue  # an address two host-mode services listen behind goes to the first
        change = replace(ctx, other, ref, start, end, service.name)
        if change is not None:
            changes.append(change)
    names = ", ".join(f"`{n}`" for n in plan.networks)
    joined = f"join the network{'s' if len(plan.networks) > 1 else ''} {names}" if names else "join the project network"
    published = [f"{p}:{p}" for p, _ in plan.ports] + [f"{p} (already in ports)" for p in plan.already]
    # `--publish SERVICE=`: a service that only makes outgoing connections publishes nothing.
    title = f"{joined} and publish " + ", ".join(published) if published else f"{joined}; it publishes no port"
    return Fix(title, Applicability.UNSAFE, changes=tuple(changes), vm_only=True), ""


def check(ctx: Context) -> Iterator[Finding]:
    chosen = ctx.settings.targets & RULE.targets
    if ctx.settings.desktop_host_networking:
        chosen = chosen - {Target.DESKTOP}
    severity = Severity.WARNING if chosen else Severity.INFO
    for service in ctx.services:
        if service.network_mode != "host":
            continue
        node = service.get("network_mode")
        assert node is not None
        fixed, why = fix(ctx, service)
        if chosen:
            message = (
                f'Service `{service.name}` uses `network_mode: host`: on {describe_targets(chosen)} "host" is the '
                "VM, so the service cannot reach your machine through localhost and your machine cannot reach its ports"
            )
        else:
            message = (
                f"Service `{service.name}` uses `network_mode: host`: it works on Docker Desktop only with "
                '"Enable host networking" turned on (Desktop 4.34+, Settings > Resources > Network)'
            )
        need = linux_only(service)
        if need is not None:
            message += f"; Linux-only by design: {need.reason} (see {need.source})"
        yield RULE.finding(
            node,
            message,
            service=service.name,
            path=f"services.{service.name}.network_mode",
            severity=severity,
            help="put the service on the project network and publish the ports it listens on "
            "(an override with `network_mode: !reset null` and `ports:`), or turn on Docker Desktop's host "
            "networking (4.34+)",
            fix=fixed,
            no_fix=why,
        )


RULE = Rule(
    code="CF101",
    name="host-network-mode",
    severity=Severity.WARNING,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.PODMAN}),
    summary="`network_mode: host` means the VM, not your machine, on VM-backed engines",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.UNSAFE,
)
