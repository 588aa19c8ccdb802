"""## What it does
Reports a hard-coded docker0 gateway address (`172.17.0.1`, the old default `172.17.42.1`) or an address
Docker Desktop used behind `host.docker.internal` (`192.168.65.2`, `192.168.65.254`) in the strings a service
uses to connect: `environment`, `command`, `entrypoint`, `healthcheck`, lifecycle hooks, `labels`,
`build.args` and `dns`. Addresses listed under `bridge-ips` in the configuration count too. A CIDR such as
`172.17.0.1/16` names a network, not a host, and is not reported; `extra_hosts` entries are CF106's.

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

from collections.abc import Iterator

from composefix.addresses import CONTAINER_SIDE, Where, bridge_ip_pattern, locate, matches, service_strings
from composefix.model import Finding, Severity, Target
from composefix.rules.base import ALL_TARGETS, Context, Rule

SCANNED = CONTAINER_SIDE | {Where.LABEL, Where.BUILD_ARG, Where.DNS}


def _why(targets: frozenset[Target]) -> str:
    reasons = []
    if targets - {Target.LINUX}:
        reasons.append("on VM-backed engines it is an address inside the VM, not your machine")
    if Target.LINUX in targets:
        reasons.append("on Linux it depends on the daemon's `bip` and address pools")
    return "; ".join(reasons)


def check(ctx: Context) -> Iterator[Finding]:
    pattern = bridge_ip_pattern(ctx.settings.bridge_ips)
    why = _why(ctx.settings.targets)
    for service in ctx.services:
        for ref in service_strings(service):
            if ref.where not in SCANNED:
                continue
            for start, end, address in matches(ref, pattern):
                yield RULE.finding(
                    locate(ctx.project, ref, start, end),
                    f"Service `{service.name}` reaches the host through the docker0 address `{address}` "
                    f"(in `{ref.path}`): {why}",
                    service=service.name,
                    path=f"services.{service.name}.{ref.path}",
                    help='use `host.docker.internal` and add `extra_hosts: ["host.docker.internal:host-gateway"]`',
                )


RULE = Rule(
    code="CF105",
    name="docker-bridge-ip",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A hard-coded docker0 gateway address used to reach the host",
    doc=__doc__ or "",
    check=check,
)
