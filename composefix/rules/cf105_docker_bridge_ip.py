"""## What it does
Reports a hard-coded docker0 gateway address (`172.17.0.1`, the old default `172.17.42.1`), the gateway of a
network made from Docker's default address pools (`172.18.0.1` ... `172.31.0.1`), or an address Docker Desktop
used behind `host.docker.internal` (`192.168.65.2`, `192.168.65.254`) in the strings a service uses to connect:
`environment`, `command`, `entrypoint`, `healthcheck`, lifecycle hooks, `labels`, `build.args` and `dns`.
Addresses listed under `bridge-ips` in the configuration count too. A CIDR such as `172.17.0.1/16` names a
network, not a host, and is not reported, nor is an address a server is told to listen on (`--listen
172.24.0.1:8182`); `extra_hosts` entries are CF106's.

Every finding is a warning: unlike `localhost`, such an address can never be the container itself or a URL that
works in a browser on the machine, so it is evidence enough of a connection to the host.

## Why is this bad?
- On VM-backed engines docker0 lives inside the VM: `172.17.0.1` is the VM, not your machine. Docker Desktop
  stopped routing it to the host in 4.1.0, and its own internal addresses changed in 4.19
  (docs/platforms.md#the-docker0-bridge-address).
- On Linux it is fragile: docker0's address depends on the daemon's `bip` and `default-address-pools`, Compose
  networks have other gateways, and rootless Docker differs (https://docs.docker.com/engine/network/#subnet-allocation).

## Example
```yaml
services:
  api:
    image: example/api
    environment:
      DATABASE_URL: postgres://app@172.17.0.1:5432/app
```

## Use instead
```yaml
services:
  api:
    image: example/api
    environment:
      DATABASE_URL: postgres://app@host.docker.internal:5432/app
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

## Fix safety
Safe: the address becomes `host.docker.internal`, and the `host-gateway` entry is added when `linux` is a target.

## Platforms
Every engine: a VM address on Docker Desktop, Colima, OrbStack, Podman machine and Rancher Desktop; an address
that depends on daemon settings on Linux.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from composefix.analysis.hostnames import HOST_ALIAS, NETWORK_GATEWAY_IPS, bridge_ip_pattern
from composefix.analysis.loopback import bind_context
from composefix.analysis.strings import CONTAINER_SIDE, StringRef, Where, matches, service_strings
from composefix.model import Applicability, Finding, Fix, Severity, Target
from composefix.reading.project import Service, locate
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.rules.fixing import gateway, leaving_host_mode, reached_through_host, replace

SCANNED = CONTAINER_SIDE | {Where.LABEL, Where.BUILD_ARG, Where.DNS}


def _why(targets: frozenset[Target]) -> str:
    reasons = []
    if targets - {Target.LINUX}:
        reasons.append("on VM-backed engines it is an address inside the VM, not your machine")
    if Target.LINUX in targets:
        reasons.append("on Linux it depends on the daemon's `bip` and address pools")
    return "; ".join(reasons)


def fix(ctx: Context, service: Service, ref: StringRef, start: int, end: int) -> Fix | None:
    """`host.docker.internal` with its host-gateway entry; the service's name when the address reached a host-mode
    service that leaves host mode (CF101's fix)."""
    change = replace(ctx, service, ref, start, end, HOST_ALIAS)
    if change is None:
        return None
    own = Fix(
        f"use `{HOST_ALIAS}` (with its host-gateway entry)",
        Applicability.SAFE,
        changes=(change, *gateway(ctx, service)),
    )
    target = reached_through_host(ctx, service, ref, start, end)
    if target is None:
        return own
    return Fix(
        f"reach `{target.name}` by its service name",
        Applicability.SAFE,
        changes=(dataclasses.replace(change, text=target.name),),
        requires=(leaving_host_mode(target),),
        fallback=own,
    )


def _kind(address: str) -> str:
    return "Docker network gateway address" if address in NETWORK_GATEWAY_IPS else "docker0 address"


def check(ctx: Context) -> Iterator[Finding]:
    pattern = bridge_ip_pattern(ctx.settings.bridge_ips)
    why = _why(ctx.settings.targets)
    for service in ctx.services:
        for ref in service_strings(service):
            if ref.where not in SCANNED:
                continue
            for start, end, address in matches(ref, pattern):
                if bind_context(ref.prefix + ref.value[:start]):
                    continue  # an address to listen on, not one to connect to
                yield RULE.finding(
                    locate(ctx.project, ref.node, start, end),
                    f"Service `{service.name}` reaches the host through the {_kind(address)} `{address}` "
                    f"(in `{ref.path}`): {why}",
                    service=service.name,
                    path=f"services.{service.name}.{ref.path}",
                    help='use `host.docker.internal` and add `extra_hosts: ["host.docker.internal:host-gateway"]`',
                    fix=(fixed := fix(ctx, service, ref, start, end)),
                    no_fix="" if fixed is not None else "the address is not written verbatim in a file",
                )


RULE = Rule(
    code="CF105",
    name="docker-bridge-ip",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A hard-coded docker0 gateway address used to reach the host",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.SAFE,
)
