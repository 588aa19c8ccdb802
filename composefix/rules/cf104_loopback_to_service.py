"""## What it does
Reports a loopback address that a service uses to connect to a port another service of the project listens on
(or publishes on the host), and names that service: `localhost:5432` when `db` listens on 5432 should be
`db:5432`. Where the other service's port is known from is given as a related location. The sources, and what is
never reported, are those of CF103.

A service in `network_mode: host` reaches other host-mode services and ports published on the host through
`localhost` on Linux; that is reported too, because it stops working once the service leaves host mode for the
VM-backed engines (CF101).

## Why is this bad?
Each container has its own network namespace: `localhost` is the container itself, never another service. Other
services are reached by their service name on the project network (docs/platforms.md#bridge-networks; "`web`'s
application code could connect to the URL `postgres://db:5432`", https://docs.docker.com/compose/how-tos/networking/).

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
is mapped back to it).

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.addresses import locate
from composefix.model import Finding, Related, Severity
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.topology import Reach, analyse


def check(ctx: Context) -> Iterator[Finding]:
    analysis = analyse(ctx.project)
    for use in analysis.uses:
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
        if use.service.network_mode == "host":
            message = (
                f"Service `{use.service.name}` reaches another service through host networking: `{address.shown}` "
                f"(in `{use.ref.path}`) works only while both share the host's network; {listens}{others}"
            )
        else:
            message = (
                f"Service `{use.service.name}` connects to `{address.shown}` (in `{use.ref.path}`), which is the "
                f"container itself, not another service; {listens}{others}"
            )
        yield RULE.finding(
            locate(ctx.project, use.ref, address.start, address.end),
            message,
            service=use.service.name,
            path=f"services.{use.service.name}.{use.ref.path}",
            help=f"use the service name: `{first.service}:{first.port}`",
            related=related,
        )


RULE = Rule(
    code="CF104",
    name="loopback-to-service",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A loopback address whose port belongs to another service of the project",
    doc=__doc__ or "",
    check=check,
)
