"""## What it does
Reports `ports:` on a service that uses `network_mode: host`.

## Why is this bad?
Docker discards published ports in host mode on every engine, with only a warning at `up`
(`Published ports are discarded when using host network mode`); `docker compose config` accepts the file
(docs/platforms.md#published-ports-are-ignored-in-host-mode; https://docs.docker.com/engine/network/drivers/host/).
A remap such as `8080:80` therefore never happens: the service is on port 80 of the host (on Linux) or of the VM,
and the `ports:` list only misleads the reader.

## Example
```yaml
services:
  web:
    image: nginx
    network_mode: host
    ports:
      - "8080:80"
```

## Use instead
```yaml
services:
  web:
    image: nginx
    ports:
      - "8080:80"
```

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Applicability, Finding, Fix, Severity
from composefix.reading.document import Sequence
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.rules.fixing import LEAVES_HOST_MODE, leaving_host_mode


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        if service.network_mode != "host":
            continue
        ports = service.get("ports")
        key = service.key_of("ports")
        if key is None or not isinstance(ports, Sequence) or not ports.items:
            continue
        yield RULE.finding(
            key,
            f"Service `{service.name}` publishes ports but uses `network_mode: host`: every engine discards "
            "`ports` in host mode (with only a warning), so these mappings never take effect",
            service=service.name,
            path=f"services.{service.name}.ports",
            help="remove `ports` (in host mode the service listens on the host's ports directly), "
            "or leave host mode so that the mappings apply",
            fix=Fix(
                "the ports take effect once the service leaves host mode (CF101's fix)",
                Applicability.SAFE,
                requires=(leaving_host_mode(service),),
                unmet=LEAVES_HOST_MODE,
            ),
        )


RULE = Rule(
    code="CF102",
    name="ports-ignored-in-host-mode",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="`ports:` on a host-mode service are discarded on every engine",
    doc=__doc__ or "",
    check=check,
)
