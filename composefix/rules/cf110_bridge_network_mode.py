"""## What it does
Reports a service with `network_mode: bridge`.

## Why is this bad?
`bridge` is the engine's default bridge (docker0), not the project network: Compose passes the value to the
engine unchanged and does not attach the service to `<project>_default`
(docs/platforms.md#the-default-bridge-network-mode). On the default
bridge container names do not resolve, so the service cannot reach `db` or any other service by name, and the
other services cannot reach it. Docker calls the default bridge a legacy detail not recommended for production.

## Example
```yaml
services:
  api:
    image: example/api
    network_mode: bridge
```

## Use instead
```yaml
services:
  api:
    image: example/api
```

## Fix safety
Unsafe (needs `--unsafe-fixes`): the service joins the project network (`network_mode: !reset null` in override
mode, the line removed in place).

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Applicability, Finding, Fix, ResetKey, Severity
from composefix.rules.base import ALL_TARGETS, Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        if service.network_mode != "bridge":
            continue
        node = service.get("network_mode")
        assert node is not None
        yield RULE.finding(
            node,
            f"Service `{service.name}` uses `network_mode: bridge`, the engine's default bridge (docker0), not the "
            "project network: service names do not resolve there",
            service=service.name,
            path=f"services.{service.name}.network_mode",
            help="remove `network_mode` so the service joins the project's default network",
            fix=Fix(
                "remove `network_mode` (join the project network)",
                Applicability.UNSAFE,
                changes=(ResetKey(service.name, "network_mode"),),
            ),
        )


RULE = Rule(
    code="CF110",
    name="bridge-network-mode",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="`network_mode: bridge` leaves the project network",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.UNSAFE,
)
