"""## What it does
Reports a service pinned to `platform: linux/amd64`, or using an image that is published for amd64 only (from a
short curated list, each entry with its source). Information only.

## Why is this bad?
Macs with Apple silicon run amd64 images under emulation (Rosetta or QEMU), which Docker's known-issues page calls
best effort: such containers can be slow, crash, or miss features (no inotify file watching under QEMU; no AVX
under Rosetta, so MongoDB 5+ stops with "Illegal instruction"). A `platform: linux/amd64` pin forces that
emulation even when the image also has an arm64 build. Intel Macs and Linux servers are not affected.
See docs/platforms.md#cpu-architecture.

## Example
```yaml
services:
  db:
    image: mcr.microsoft.com/mssql/server:2022-latest
```

## Use instead
```yaml
services:
  db:
    image: postgres:16
```

Prefer an image with an arm64 build; where there is none (SQL Server), turn on Docker Desktop's "Use Rosetta for
x86_64/amd64 emulation on Apple Silicon" and expect emulation, or run that service on an amd64 machine.

## Platforms
Docker Desktop, Colima, OrbStack, Podman machine and Rancher Desktop on Apple silicon.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.topology import image_keys
from composefix.data.amd64_only import AMD64_ONLY
from composefix.model import Finding, Severity, Target
from composefix.reading.document import Scalar
from composefix.reading.project import text_of
from composefix.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        platform = service.get("platform")
        if isinstance(platform, Scalar) and (text_of(platform) or "").strip().lower() in ("linux/amd64", "amd64"):
            yield RULE.finding(
                platform,
                f"Service `{service.name}` is pinned to `linux/amd64`: on Macs with Apple silicon it runs under "
                "emulation, which Docker calls best effort (slow, and some programs crash)",
                service=service.name,
                path=f"services.{service.name}.platform",
                help="remove the pin when the image has an arm64 build",
            )
            continue
        source = next((AMD64_ONLY[name] for name in image_keys(service) if name in AMD64_ONLY), None)
        image_node = service.get("image")
        image = text_of(image_node)
        if source is None or image_node is None:
            continue
        yield RULE.finding(
            image_node,
            f"Service `{service.name}` uses `{image}`, which is published for amd64 only ({source}): on Macs with "
            "Apple silicon it runs under emulation, which Docker calls best effort",
            service=service.name,
            path=f"services.{service.name}.image",
            help="use an image with an arm64 build, or expect emulation (Rosetta) on Apple silicon",
        )


RULE = Rule(
    code="CF210",
    name="amd64-only-image",
    severity=Severity.INFO,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.ORBSTACK, Target.PODMAN, Target.RANCHER}),
    summary="amd64-only images and `platform: linux/amd64` run under emulation on Apple silicon",
    doc=__doc__ or "",
    check=check,
)
