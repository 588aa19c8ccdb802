"""## What it does
Reports `ports`, `expose`, `extra_hosts`, `dns`, `dns_search`, `dns_opt`, `hostname` and `mac_address` on a
service that uses another container's network namespace (`network_mode: service:X` or `container:X`), at the
offending key.

## Why is this bad?
The engine rejects these settings on such a container (`--publish`, `--expose`, `--add-host`, `--dns*`,
`--hostname`, `--mac-address`; https://docs.docker.com/engine/network/#container-networks,
docs/platforms.md#shared-network-namespaces), but `docker compose config` accepts the file, so the error
only appears when the container is created. They belong on `X`, whose network stack the service uses.

## Example
```yaml
services:
  vpn:
    image: example/vpn
  app:
    image: example/app
    network_mode: "service:vpn"
    ports:
      - "8080:8080"
```

## Use instead
```yaml
services:
  vpn:
    image: example/vpn
    ports:
      - "8080:8080"
  app:
    image: example/app
    network_mode: "service:vpn"
```

## Fix safety
Unsafe (needs `--unsafe-fixes`): the settings move to the service that owns the network namespace (in override
mode: `!reset` on this service, the items added to the owner). `container:X` owners are outside the project and
are not changed; a `hostname` or `mac_address` the owner already has is left for you to choose.

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Applicability, Finding, Fix, MoveKey, Severity
from composefix.rules.base import ALL_TARGETS, Context, Rule

REJECTED = ("ports", "expose", "extra_hosts", "dns", "dns_search", "dns_opt", "hostname", "mac_address")


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        owner = service.namespace_owner
        if owner is None:
            continue
        kind, name = owner
        for key in REJECTED:
            key_node = service.key_of(key)
            if key_node is None:
                continue
            fix, no_fix = None, ""
            if kind != "service" or name not in ctx.project.services:
                no_fix = f"`{name}` is not a service of this project: move `{key}` by hand"
            elif key in ("hostname", "mac_address") and ctx.project.services[name].get(key) is not None:
                no_fix = f"`{name}` already sets `{key}`: choose one by hand"
            else:
                fix = Fix(
                    f"move `{key}` to service `{name}`",
                    Applicability.UNSAFE,
                    changes=(MoveKey(service.name, key, name),),
                )
            yield RULE.finding(
                key_node,
                f"Service `{service.name}` sets `{key}` but uses the network namespace of {kind} `{name}` "
                f"(`network_mode: {kind}:{name}`): the engine rejects `{key}` there when it creates the container",
                service=service.name,
                path=f"services.{service.name}.{key}",
                help=f"move `{key}` to {kind} `{name}`, whose network stack this service shares",
                fix=fix,
                no_fix=no_fix,
            )


RULE = Rule(
    code="CF111",
    name="shared-namespace-conflict",
    severity=Severity.ERROR,
    targets=ALL_TARGETS,
    summary="`ports`, `extra_hosts`, `dns`, ... on a `service:X`/`container:X` service",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.UNSAFE,
)
