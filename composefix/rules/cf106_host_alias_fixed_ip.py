"""## What it does
Reports an `extra_hosts` entry that maps a name to a fixed docker0 or Docker Desktop internal address
(`172.17.0.1`, `172.17.42.1`, `192.168.65.2`, `192.168.65.254`, and any `bridge-ips` from the configuration),
in the list form (`name:ip`, `name=ip`) or the mapping form (`name: ip`).

## Why is this bad?
The address is a VM address on VM-backed engines and depends on daemon settings on Linux
(docs/platforms.md#the-docker0-bridge-address). Since Docker Engine 20.10 the special value `host-gateway` makes
the daemon fill in the right address for the engine it runs on (docs/platforms.md#the-host-gateway-value;
https://docs.docker.com/reference/cli/dockerd/#configure-host-gateway-ip).

## Example
```yaml
services:
  api:
    image: example/api
    extra_hosts:
      - "host.docker.internal:172.17.0.1"
```

## Use instead
```yaml
services:
  api:
    image: example/api
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

## Fix safety
Safe: the address becomes `host-gateway`. In override mode the whole list is written with `extra_hosts: !override`
(Compose 2.24.4+), because since Compose 2.24.6 a second entry for the same name is appended, not replaced.

## Platforms
Every engine. Rancher Desktop does not support `host-gateway`; there `host.docker.internal` works without any
`extra_hosts` entry (docs/platforms.md#when-the-host-gateway-entry-is-not-harmless; https://docs.rancherdesktop.io/faq):
a project that targets Rancher Desktop and Linux needs the entry in an override that only Linux users load.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.hostnames import bridge_ip_pattern
from composefix.analysis.strings import extra_hosts
from composefix.model import Applicability, Finding, Fix, MapToHostGateway, Severity, Target
from composefix.rules.base import ALL_TARGETS, Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    pattern = bridge_ip_pattern(ctx.settings.bridge_ips)
    rancher = Target.RANCHER in ctx.settings.targets
    for service in ctx.services:
        for entry in extra_hosts(service):
            if not pattern.fullmatch(entry.address):
                continue
            help = f'write `"{entry.name}:host-gateway"` (Docker Engine 20.10+) so the daemon fills in the host address'
            if rancher:
                help += "; Rancher Desktop does not support `host-gateway`, keep that entry in a Linux-only override"
            yield RULE.finding(
                entry.node,
                f"Service `{service.name}` maps `{entry.name}` to the fixed address `{entry.address}` in "
                "`extra_hosts`: it is a VM address on VM-backed engines and depends on daemon settings on Linux",
                service=service.name,
                path=f"services.{service.name}.{entry.path}",
                help=help,
                fix=Fix(
                    f"map `{entry.name}` to `host-gateway`",
                    Applicability.SAFE,
                    changes=(
                        MapToHostGateway(service.name, entry.node.file, entry.node.span.start.offset, entry.node),
                    ),
                ),
            )


RULE = Rule(
    code="CF106",
    name="host-alias-fixed-ip",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="`extra_hosts` maps a name to a fixed bridge or Desktop-internal IP",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.SAFE,
)
