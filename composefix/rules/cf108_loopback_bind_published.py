"""## What it does
Reports a server told to listen on a loopback address (`--host 127.0.0.1`, `--bind localhost:8000`,
`listen 127.0.0.1:80`, `HOST=127.0.0.1`, `*_LISTEN_ADDR=127.0.0.1:...`) in a service that publishes ports or
that another service connects to. When the listen address has a port, that port must be the published or
reached one; a qualified setting without a port (`transport.host`, `HEALTH_SERVER_ADDRESS`) is taken as a side
listener that may well be private, and is not reported. Client programs' `--host`/`-h` (psql, redis-cli,
curl, ...) are connections, not listen addresses, and are not reported. Services in host mode (where
127.0.0.1 is the host's loopback on Linux) and in `service:X`/`container:X` mode (which share the loopback
with X) are not reported.

Every finding is a warning: the listen setting and the published port (or another service's connection to
that port, whether that connection is a warning or only information for CF103/CF104) are both written in the
project, which is the evidence.

## Why is this bad?
Published ports and other containers reach a container at its own IP address on the Docker network; a socket
bound to 127.0.0.1 inside the container never receives that traffic
(docs/platforms.md#port-publishing-and-loopback-listeners; https://docs.docker.com/engine/network/port-publishing/).
On Docker Desktop and OrbStack the symptom is "connection reset" or "empty reply" on the published port; the
server logs look fine.

## Example
```yaml
services:
  web:
    image: example/web
    command: ["uvicorn", "app:app", "--host", "127.0.0.1", "--port", "8000"]
    ports:
      - "8000:8000"
```

## Use instead
```yaml
services:
  web:
    image: example/web
    command: ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]
    ports:
      - "8000:8000"
```

## Fix safety
Unsafe (needs `--unsafe-fixes`): the server then listens on every interface of the container (`0.0.0.0`, or `::`
for `::1`), which is what publishing needs but widens who can connect.

## Platforms
Every engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from composefix.analysis.strings import Where
from composefix.analysis.topology import Reach, analyse
from composefix.model import Applicability, Finding, Fix, Severity
from composefix.reading.document import Node, Sequence
from composefix.reading.ports import PortError, PortRange, parse_range
from composefix.reading.project import locate
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.rules.fixing import NOT_VERBATIM, replace

# Listen settings for the service's main server; a qualified one (`transport.host`, `HEALTH_SERVER_ADDRESS`)
# without a port may be a side listener that is meant to stay private.
GENERIC = re.compile(
    r"^(HOST|BIND|LISTEN|BIND_ADDR|BIND_ADDRESS|LISTEN_ADDR|LISTEN_ADDRESS|SERVER_HOST|HOST_IP|FLASK_RUN_HOST|"
    r"UVICORN_HOST|GUNICORN_BIND|NUXT_HOST|NITRO_HOST|HTTP_ADDR)$",
    re.IGNORECASE,
)


class _Targets:
    """The container ports of `ports:` entries, kept as ranges (`1-65535` is one entry, not 65,535)."""

    def __init__(self, node: Node | None) -> None:
        self.ranges: list[PortRange] = []
        if isinstance(node, Sequence):
            for item in node.items:
                try:
                    self.ranges.append(parse_range(item))
                except PortError:
                    continue

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and any(r.covers(port) for r in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.ranges)


def _published_targets(node: Node | None) -> _Targets:
    return _Targets(node)


def check(ctx: Context) -> Iterator[Finding]:
    analysis = analyse(ctx.project)
    for use in analysis.uses:
        service = use.service
        if not use.bind or service.network_mode == "host":
            continue
        targets = _published_targets(service.get("ports"))
        reached_ports = {
            t.port
            for other in (*analysis.uses, *analysis.hints)
            if other.reach is Reach.SERVICE
            for t in other.targets
            if t.service == service.name
        }
        port = use.address.port
        if port is not None:
            published, reached = port in targets, port in reached_ports
        else:
            if use.ref.where is Where.ENVIRONMENT and not GENERIC.search(use.ref.name or ""):
                continue
            published, reached = bool(targets), bool(reached_ports)
        if not published and not reached:
            continue
        why = "publishes ports" if published else "is reached by other services"
        listen = "::" if use.address.host in ("::1", "[::1]") else "0.0.0.0"
        change = replace(ctx, service, use.ref, use.address.start, use.address.end, listen)
        yield RULE.finding(
            locate(ctx.project, use.ref.node, use.address.start, use.address.end),
            f"Service `{service.name}` listens on `{use.address.host}` (in `{use.ref.path}`) but {why}: "
            "published ports and other containers connect to the container's own address, so nothing reaches it",
            service=service.name,
            path=f"services.{service.name}.{use.ref.path}",
            help="listen on all interfaces: `0.0.0.0` (or `::`)",
            fix=Fix(f"listen on `{listen}`", Applicability.UNSAFE, changes=(change,)) if change is not None else None,
            no_fix=NOT_VERBATIM if change is None else "",
        )


RULE = Rule(
    code="CF108",
    name="loopback-bind-published",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A server listens on 127.0.0.1/localhost in a service that publishes ports or is reached by others",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.UNSAFE,
)
