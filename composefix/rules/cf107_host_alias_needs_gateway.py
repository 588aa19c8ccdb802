"""## What it does
Reports a service that connects to `host.docker.internal` (in `environment`, `command`, `entrypoint`,
`healthcheck` or a lifecycle hook) without an `extra_hosts` entry for that name. Variables whose value is handed
to browsers or other clients rather than used by the container (`*_ADVERTISED_LISTENERS`, `PUBLIC_URL`,
`NEXT_PUBLIC_*`, CORS lists, OAuth callbacks, ...) are not connections and are not reported. A service that joins
another service's network namespace (`network_mode: service:X`) needs the entry on `X`, and is judged by `X`'s
entries.

## Why is this bad?
Docker Desktop, OrbStack, Colima (0.3.4+), Rancher Desktop and Podman (4.7.0+) define `host.docker.internal`
by themselves; Linux Docker Engine does not, so on Linux the name does not resolve and the service fails to
connect (docs/platforms.md#where-the-host-name-resolves). `extra_hosts: ["host.docker.internal:host-gateway"]`
(Engine 20.10+) defines it (https://docs.docker.com/reference/cli/docker/container/run/#add-host).

## Example
```yaml
services:
  api:
    image: example/api
    environment:
      PAYMENTS_URL: http://host.docker.internal:4000
```

## Use instead
```yaml
services:
  api:
    image: example/api
    environment:
      PAYMENTS_URL: http://host.docker.internal:4000
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

## Fix safety
Safe: adds `"host.docker.internal:host-gateway"` (the `:` form, which every Compose v2 reads) to the service, or
to the owner of the network namespace it uses.

## Platforms
Linux Docker Engine. Write the entry with `:` (the `=` form breaks before Compose 2.24.1), and never on a
`service:`/`container:` service, where the engine rejects it (docs/platforms.md#shared-network-namespaces).
Rancher Desktop does not support `host-gateway` and the entry replaces its built-in alias
(docs/platforms.md#when-the-host-gateway-entry-is-not-harmless): when both `linux` and
`rancher` are targets, the finding says so, and the entry belongs in an override that only Linux users load.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.addresses import (
    CONTAINER_SIDE,
    HOST_ALIAS,
    HOST_ALIAS_RE,
    extra_hosts,
    handed_out,
    locate,
    matches,
    service_strings,
)
from composefix.model import Finding, Severity, Target
from composefix.project import Service
from composefix.rules.base import Context, Rule


def _defines_alias(service: Service) -> bool:
    return any(e.name.lower() == HOST_ALIAS for e in extra_hosts(service))


def _namespace_service(ctx: Context, service: Service) -> Service | None:
    """The service whose network namespace (and so /etc/hosts) this one uses; None when unknown."""
    owner = service.namespace_owner
    if owner is None:
        return service
    kind, name = owner
    return ctx.service(name) if kind == "service" else None


def check(ctx: Context) -> Iterator[Finding]:
    rancher = Target.RANCHER in ctx.settings.targets
    for service in ctx.services:
        uses = [
            (ref, start, end)
            for ref in service_strings(service)
            if ref.where in CONTAINER_SIDE and not handed_out(ref.name)
            for start, end, _ in matches(ref, HOST_ALIAS_RE)
        ]
        if not uses:
            continue
        holder = _namespace_service(ctx, service)
        if holder is None or _defines_alias(holder):
            continue
        ref, start, end = uses[0]
        more = f" (and {len(uses) - 1} more place{'s' if len(uses) > 2 else ''})" if len(uses) > 1 else ""
        where = "" if holder is service else f" on service `{holder.name}`, whose network namespace it uses"
        help = f'add `extra_hosts: ["{HOST_ALIAS}:host-gateway"]`{where} (Docker Engine 20.10+)'
        if rancher:
            help += "; Rancher Desktop does not support `host-gateway`, so put the entry in a Linux-only override"
        yield RULE.finding(
            locate(ctx.project, ref, start, end),
            f"Service `{service.name}` uses `{HOST_ALIAS}` (in `{ref.path}`){more}, which Linux Docker Engine "
            "does not define without an `extra_hosts` entry",
            service=service.name,
            path=f"services.{service.name}.{ref.path}",
            help=help,
        )


RULE = Rule(
    code="CF107",
    name="host-alias-needs-gateway",
    severity=Severity.WARNING,
    targets=frozenset({Target.LINUX}),
    summary="`host.docker.internal` used without `extra_hosts: host.docker.internal:host-gateway`",
    doc=__doc__ or "",
    check=check,
)
