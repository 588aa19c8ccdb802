"""## What it does
Reports a loopback address that a service uses to connect to a port another service of the project listens on
(or publishes on the host), and names that service: `localhost:5432` when `db` listens on 5432 should be
`db:5432`. Where the other service's port is known from is given as a related location. The sources, and what is
never reported, are those of CF103.

A service in `network_mode: host` reaches other host-mode services and ports published on the host through
`localhost` on Linux; that is reported too, because it stops working once the service leaves host mode for the
VM-backed engines (CF101).

Severity follows the evidence that the container itself connects, as in CF103: a **warning** in a host-mode
service, and in a bridge-network service with positive evidence (a server scheme or connection string such as
`postgres://localhost:5432`, a client program's argument, a reverse-proxy upstream in a mounted config, a
variable that names a backing server such as `DATABASE_URL` or `REDIS_HOST`, a client variable of a well-known
image); **info** for other loopback values of bridge services (never fixed automatically). An http(s) URL on a
port that a service publishes on the host is what a browser on the host uses, and is not reported in a
bridge-network service.

## Why is this bad?
Each container has its own network namespace: `localhost` is the container itself, never another service, on
every engine, Linux included. Other services are reached by their service name on the project network
(docs/platforms.md#bridge-networks; "`web`'s application code could connect to the URL `postgres://db:5432`",
https://docs.docker.com/compose/how-tos/networking/).

## Example
```yaml
services:
  db:
    image: postgres:16
  api:
    image: example/api
    environment:
      DATABASE_URL: postgres://app@localhost:5432/app
```

## Use instead
```yaml
services:
  db:
    image: postgres:16
  api:
    image: example/api
    environment:
      DATABASE_URL: postgres://app@db:5432/app
```

## Fix safety
Safe: `localhost:PORT` becomes `SERVICE:PORT`, with the listening service's container port (a published host port
is mapped back to it). Only warnings are fixed: informational findings are left as written. A bootstrap address
(Kafka's `BOOTSTRAP_SERVERS`, `CONNECT_BOOTSTRAP_SERVERS`...) is left as written, with the reason, while the server
it points at advertises a loopback address (`KAFKA_ADVERTISED_LISTENERS`): the client would be sent back to
`localhost` by the broker (https://kafka.apache.org/documentation/#brokerconfigs_advertised.listeners).

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.topology import Reach, analyse
from composefix.model import Applicability, Finding, Fix, Related, Severity
from composefix.reading.project import locate
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.rules.fixing import (
    INFORMATION_ONLY,
    LEAVES_HOST_MODE,
    NOT_VERBATIM,
    advertises_loopback,
    leaving_host_mode,
    replace,
)


def check(ctx: Context) -> Iterator[Finding]:
    analysis = analyse(ctx.project)
    for use, hint in [(use, False) for use in analysis.uses] + [(use, True) for use in analysis.hints]:
        if use.bind or use.reach is not Reach.SERVICE or not use.targets:
            continue
        address = use.address
        first = use.targets[0]
        names = list(dict.fromkeys(t.service for t in use.targets))
        via = "the published port of" if address.port in first.published and address.port != first.port else ""
        listens = (
            f"`{first.service}` listens on {first.port}"
            if not via
            else (f"`{first.service}` publishes {address.port} for its port {first.port}")
        )
        others = f" (also: {', '.join(f'`{n}`' for n in names[1:])})" if len(names) > 1 else ""
        related = tuple(
            Related(t.node.file, t.node.span, f"`{t.service}` listens on {t.port} ({t.reason})")
            for t in use.targets
            if t.node is not None
        )
        target = ctx.project.services.get(first.service)
        both = target is not None and target.network_mode == "host"
        help = f"use the service name: `{first.service}:{first.port}`"
        if use.service.network_mode == "host":
            # A host-mode container is on no project network: Docker's embedded DNS, which resolves service
            # names, serves user-defined networks only (docs/platforms.md#host-mode). The name works once moved.
            help = (
                f"once {'both leave' if both else f'`{use.service.name}` leaves'} host networking, {help} "
                "(a container in host mode does not resolve service names)"
            )
            while_ = "both share the host's network" if both or via == "" else f"`{use.service.name}` uses it"
            message = (
                f"Service `{use.service.name}` reaches another service through host networking: `{address.shown}` "
                f"(in `{use.ref.path}`) works only while {while_}; {listens}{others}"
            )
            if target is not None and target.network_mode != "host" and address.port not in first.published:
                message += (
                    f", but does not publish it on the host: on Linux this reaches whatever listens on the machine's "
                    f"port {address.port}, not `{first.service}`"
                )
        elif hint:
            message = (
                f"Service `{use.service.name}` has `{address.shown}` (in `{use.ref.path}`): if this container "
                f"connects to it, that is the container itself on every engine, not another service; "
                f"{listens}{others}"
            )
        else:
            message = (
                f"Service `{use.service.name}` connects to `{address.shown}` (in `{use.ref.path}`: {use.evidence}), "
                f"which is the container itself on every engine, not another service; {listens}{others}"
            )
        end = address.end + (len(f":{address.port}") if address.explicit_port else 0)
        text = (
            f"{first.service}:{first.port}" if (address.explicit_port or first.port != address.port) else first.service
        )
        server = ctx.project.services.get(first.service)
        advertised = advertises_loopback(ctx, use.ref, server) if server is not None and not hint else ""
        change = None if hint or advertised else replace(ctx, use.service, use.ref, address.start, end, text)
        fix = (
            Fix(
                f"use `{first.service}:{first.port}`",
                Applicability.SAFE,
                changes=(change,),
                requires=tuple(
                    leaving_host_mode(service)
                    for service in (use.service, ctx.project.services.get(first.service))
                    if service is not None and service.network_mode == "host"
                ),
                unmet=LEAVES_HOST_MODE,
            )
            if change is not None
            else None
        )
        yield RULE.finding(
            locate(ctx.project, use.ref.node, address.start, address.end),
            message,
            service=use.service.name,
            path=f"services.{use.service.name}.{use.ref.path}",
            help=help,
            severity=Severity.INFO if hint else None,
            related=related,
            fix=fix,
            no_fix="" if fix is not None else INFORMATION_ONLY if hint else advertised or NOT_VERBATIM,
        )


RULE = Rule(
    code="CF104",
    name="loopback-to-service",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A loopback address whose port belongs to another service of the project",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.SAFE,
)
