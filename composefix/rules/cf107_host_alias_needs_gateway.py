"""## What it does
Reports a service that uses `host.docker.internal` without an `extra_hosts` entry for that name:
- to connect (in `environment`, `command`, `entrypoint`, `healthcheck`, a lifecycle hook or a mounted inline
  config);
- as an address it advertises to its clients (`*_ADVERTISED_LISTENERS`, announce addresses): every client
  container resolves it, so on Linux each of them needs the entry too;
- in a logging option (`logging.options`: `loki-url`, `fluentd-address`, ...): the Docker daemon resolves it on
  the engine's host, where the container's `extra_hosts` do not apply, so this is reported even when the service
  has the entry (docs/platforms.md#addresses-resolved-outside-the-container).

Values handed to browsers (`PUBLIC_URL`, `NEXT_PUBLIC_*`, CORS lists, OAuth callbacks, ...) are not reported.
A service that joins another service's network namespace (`network_mode: service:X`) needs the entry on `X`, and
is judged by `X`'s entries. Every finding is a warning: each is positive evidence that a name Linux Docker Engine
does not define is resolved.

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

from composefix.analysis.hostnames import GATEWAY_ENTRY, HOST_ALIAS, HOST_ALIAS_RE
from composefix.analysis.loopback import ADVERTISED, handed_out
from composefix.analysis.strings import CONTAINER_SIDE, Where, extra_hosts, matches, service_strings
from composefix.model import Applicability, Finding, Fix, Severity, Target
from composefix.reading.project import Service, locate
from composefix.rules.base import Context, Rule
from composefix.rules.fixing import gateway, reached_through_host, replace


def fix(ctx: Context, service: Service) -> Fix:
    """The host-gateway entry; none when every use of the alias becomes a service name (CF101's fix)."""
    title = f'add `extra_hosts: ["{GATEWAY_ENTRY}"]`'
    own = Fix(title, Applicability.SAFE, changes=gateway(ctx, service))
    # A logging option is resolved by the daemon: neither the entry nor a service name helps it.
    uses = [
        (ref, start, end)
        for ref in service_strings(service)
        if ref.where is not Where.LOGGING
        for start, end, _ in matches(ref, HOST_ALIAS_RE)
    ]
    renamed = []
    for ref, start, end in uses:
        target = reached_through_host(ctx, service, ref, start, end)
        change = replace(ctx, service, ref, start, end, target.name) if target is not None else None
        if change is None:
            return own
        renamed.append(change)
    if not renamed:
        return own
    return Fix(title, Applicability.SAFE, requires=tuple(renamed), fallback=own)


def _defines_alias(service: Service) -> bool:
    return any(e.name.lower() == HOST_ALIAS for e in extra_hosts(service))


def _namespace_service(ctx: Context, service: Service) -> Service | None:
    """The service whose network namespace (and so /etc/hosts) this one uses; None when unknown."""
    owner = service.namespace_owner
    if owner is None:
        return service
    kind, name = owner
    return ctx.service(name) if kind == "service" else None


def _advertised(name: str | None) -> bool:
    return name is not None and ADVERTISED.search(name) is not None


def check(ctx: Context) -> Iterator[Finding]:
    rancher = Target.RANCHER in ctx.settings.targets
    for service in ctx.services:
        yield from _logging(ctx, service)
        uses = [
            (ref, start, end)
            for ref in service_strings(service)
            if ref.where in CONTAINER_SIDE and (not handed_out(ref.name) or _advertised(ref.name))
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
        if _advertised(ref.name):
            message = (
                f"Service `{service.name}` advertises `{HOST_ALIAS}` to its clients (in `{ref.path}`){more}: on Linux "
                "Docker Engine every client container needs an `extra_hosts` entry for it, and this service has none"
            )
            help += ", and the same entry on every service that connects to the advertised address"
        else:
            message = (
                f"Service `{service.name}` uses `{HOST_ALIAS}` (in `{ref.path}`){more}, which Linux Docker Engine "
                "does not define without an `extra_hosts` entry"
            )
        yield RULE.finding(
            locate(ctx.project, ref.node, start, end),
            message,
            service=service.name,
            path=f"services.{service.name}.{ref.path}",
            help=help,
            fix=fix(ctx, service),
        )


def _logging(ctx: Context, service: Service) -> Iterator[Finding]:
    """`host.docker.internal` in a logging option: resolved by the daemon, where `extra_hosts` do not apply."""
    for ref in service_strings(service):
        if ref.where is not Where.LOGGING:
            continue
        for start, end, _ in matches(ref, HOST_ALIAS_RE):
            yield RULE.finding(
                locate(ctx.project, ref.node, start, end),
                f"Service `{service.name}` sends its logs to `{HOST_ALIAS}` (in `{ref.path}`), which the Docker "
                "daemon resolves on the engine's host, not in the container: `extra_hosts` does not apply there, "
                "and Linux Docker Engine's host does not define the name",
                service=service.name,
                path=f"services.{service.name}.{ref.path}",
                help="use an address the engine's host reaches: for a log server in a container that publishes its "
                "port, `localhost` and that port",
            )
            break


RULE = Rule(
    code="CF107",
    name="host-alias-needs-gateway",
    severity=Severity.WARNING,
    targets=frozenset({Target.LINUX}),
    summary="`host.docker.internal` used without `extra_hosts: host.docker.internal:host-gateway`",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.SAFE,
)
