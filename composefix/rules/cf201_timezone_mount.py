"""## What it does
Reports a bind mount of the host's time zone files, `/etc/localtime` or `/etc/timezone`.

## Why is this bad?
Mounting the host's time zone into a container is a Linux habit that breaks elsewhere
(see docs/platforms.md#time-zone-mounts):

- Docker Desktop for Mac: `/etc` is not one of the shared folders, and `/etc/localtime` is a symlink into macOS's
  time-zone database, so the mount fails with "Mounts denied", or with `operation not permitted` after macOS
  updates that database (docker/for-mac#2396, #7188).
- `/etc/timezone` does not exist on macOS, Fedora or Arch Linux: Compose then creates an empty directory in its
  place and the container fails to start with "not a directory".
- Colima: the path is read inside the VM, which usually runs in UTC, so the container gets the wrong time zone
  without an error (from user reports only, so this is information, not a warning).

## Example
```yaml
services:
  app:
    image: example/app
    volumes:
      - /etc/localtime:/etc/localtime:ro
```

## Use instead
```yaml
services:
  app:
    image: example/app
    environment:
      TZ: Europe/Berlin
```

`TZ` needs the image to carry the time zone database (`tzdata`); most distribution-based images do.

## Platforms
Docker Desktop for Mac; Linux hosts without `/etc/timezone` (Fedora, Arch); Colima (information).
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Finding, Severity, Target
from composefix.mounts import bind_mounts
from composefix.project import locate
from composefix.rules.base import Context, Rule

ZONE_FILES = ("/etc/localtime", "/etc/timezone")


def check(ctx: Context) -> Iterator[Finding]:
    targets = ctx.settings.targets
    for service in ctx.services:
        for mount in bind_mounts(service):
            source = mount.source.rstrip("/")
            if source not in ZONE_FILES or not mount.literal:
                continue
            reasons: list[str] = []
            if Target.DESKTOP in targets:
                reasons.append(
                    'Docker Desktop for Mac does not share `/etc` ("Mounts denied") and `/etc/localtime` is a '
                    "symlink into macOS's time-zone database, which breaks the mount when macOS updates it"
                )
            if source == "/etc/timezone" and targets & {Target.DESKTOP, Target.LINUX}:
                reasons.append(
                    "`/etc/timezone` does not exist on macOS, Fedora or Arch, so Compose creates a directory there "
                    'and the container fails with "not a directory"'
                )
            severity = Severity.WARNING if reasons else Severity.INFO
            if not reasons and Target.COLIMA in targets:
                reasons.append(
                    "on Colima the file is the VM's, usually UTC, so the container gets the wrong time zone "
                    "(unconfirmed: user reports only)"
                )
            if not reasons:
                continue
            yield RULE.finding(
                locate(ctx.project, mount.node, mount.start, mount.end),
                f"Service `{service.name}` mounts the host's `{source}`: " + "; ".join(reasons),
                service=service.name,
                path=f"services.{service.name}.volumes",
                severity=severity,
                help="set the `TZ` environment variable (e.g. `TZ: Europe/Berlin`) and remove the mount",
            )


RULE = Rule(
    code="CF201",
    name="timezone-mount",
    severity=Severity.WARNING,
    targets=frozenset({Target.LINUX, Target.DESKTOP, Target.COLIMA}),
    summary="Mounting `/etc/localtime` or `/etc/timezone` fails or misleads off Linux",
    doc=__doc__ or "",
    check=check,
)
