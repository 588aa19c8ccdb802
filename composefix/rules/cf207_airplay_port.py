"""## What it does
Reports a service that publishes host port 5000 or 7000 (TCP) when a macOS engine is a target.

## Why is this bad?
From macOS 12 (Monterey) the AirPlay Receiver listens on ports 5000 and 7000 and is on by default, so on a Mac
`docker compose up` fails with `Ports are not available: ... listen tcp 0.0.0.0:5000: bind: address already in
use` (docker/docs#14226). The container port does not matter, only the port published on the host.
See docs/platforms.md#ports-5000-and-7000-on-macos.

## Example
```yaml
services:
  api:
    image: example/flask-api
    ports:
      - "5000:5000"
```

## Use instead
```yaml
services:
  api:
    image: example/flask-api
    ports:
      - "${API_PORT:-5001}:5000"
```

Or turn the AirPlay Receiver off (System Settings > General > AirDrop & Handoff), on every Mac that runs the
project.

## Platforms
Docker Desktop, Colima, OrbStack, Podman machine and Rancher Desktop on macOS.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from composefix.model import Finding, Severity, Target
from composefix.reading.document import Mapping, Scalar, Sequence
from composefix.reading.project import locate, text_of
from composefix.rules.base import Context, Rule

AIRPLAY = (5000, 7000)
_RANGE = re.compile(r"\s*(\d+)(?:-(\d+))?\s*")


def _published(item: Scalar | Mapping) -> tuple[Scalar, int, int] | None:
    """The scalar holding the host port of a `ports:` item, and where the host port is inside its value."""
    if isinstance(item, Mapping):
        node = item.get("published")
        text = text_of(node)
        if isinstance(node, Scalar) and text:
            return node, 0, len(text)
        return None
    value = text_of(item) or ""
    spec = value.partition("/")[0]
    parts = spec.split(":")
    if len(parts) < 2:
        return None
    start = len(":".join(parts[:-2])) + 1 if len(parts) > 2 else 0
    return item, start, start + len(parts[-2])


def _protocol(item: Scalar | Mapping) -> str:
    if isinstance(item, Mapping):
        return (text_of(item.get("protocol")) or "tcp").lower()
    return ((text_of(item) or "").partition("/")[2] or "tcp").strip().lower()


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        ports = service.get("ports")
        if not isinstance(ports, Sequence):
            continue
        for item in ports.items:
            if not isinstance(item, Scalar | Mapping):
                continue
            where = _published(item)
            if where is None:
                continue
            node, start, end = where
            published = (text_of(node) or "")[start:end]
            if "5000" not in published and "7000" not in published and "-" not in published:
                continue
            match = _RANGE.fullmatch(published)
            if match is None:
                continue
            low, high = int(match.group(1)), int(match.group(2) or match.group(1))
            hit = [port for port in AIRPLAY if low <= port <= high]
            if not hit or _protocol(item) != "tcp":
                continue
            yield RULE.finding(
                locate(ctx.project, node, start, end),
                f"Service `{service.name}` publishes host port {hit[0]}: on macOS 12+ the AirPlay Receiver listens "
                'on ports 5000 and 7000, so `up` fails with "address already in use"',
                service=service.name,
                path=f"services.{service.name}.ports",
                help="publish another host port (e.g. `5001:5000`), or turn off the AirPlay Receiver on each Mac",
            )


RULE = Rule(
    code="CF207",
    name="airplay-port",
    severity=Severity.WARNING,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.ORBSTACK, Target.PODMAN, Target.RANCHER}),
    summary="Host ports 5000 and 7000 are taken by macOS's AirPlay Receiver",
    doc=__doc__ or "",
    check=check,
)
