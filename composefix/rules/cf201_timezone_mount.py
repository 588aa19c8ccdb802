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

## Fix safety
Unsafe: the container's time zone may change. The fix removes the mount and, unless the service already sets
`TZ`, adds `TZ: ${TZ:-UTC}` to its `environment`. The host's zone cannot be read from the compose file, so the value
is the `TZ` variable of the shell or `.env` where `docker compose` runs, else UTC: put `TZ=Europe/Berlin` (your
zone) in `.env` to keep local time. A Linux host whose shell does not set `TZ` now gets UTC instead of its own zone,
which is why `--unsafe-fixes` is needed in both modes. In an override file the remaining mounts are written with
`volumes: !override` (Compose 2.24.4+); a list that also holds long-syntax mounts is changed in place only.

## Platforms
Docker Desktop for Mac; Linux hosts without `/etc/timezone` (Fedora, Arch); Colima (information).
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import Mount, bind_mounts
from composefix.model import Applicability, Change, Finding, Fix, RemoveItem, SetVariable, Severity, Target
from composefix.reading.document import Mapping, Node, Sequence
from composefix.reading.project import Service, locate
from composefix.rules.base import Context, Rule

ZONE_FILES = ("/etc/localtime", "/etc/timezone")
# The host's zone is not in the compose file: the shell's or `.env`'s TZ where Compose runs, else UTC.
TZ_VALUE = "${TZ:-UTC}"


def _item(service: Service, mount: Mount) -> Node | None:
    """The `volumes:` item that holds ``mount``."""
    volumes = service.get("volumes")
    if not isinstance(volumes, Sequence):
        return None
    for item in volumes.items:
        if item is mount.node or (isinstance(item, Mapping) and item.get("source") is mount.node):
            return item
    return None


def _fix(service: Service, mount: Mount) -> tuple[Fix | None, str]:
    item = _item(service, mount)
    if item is None:
        return None, "the mount is not an item of the service's `volumes`"
    changes: list[Change] = [RemoveItem(service.name, "volumes", item.file, item.span.start.offset, item)]
    if "TZ" in service.env:
        return Fix("remove the mount (the service already sets `TZ`)", Applicability.UNSAFE, changes=tuple(changes)), ""
    changes.append(SetVariable(service.name, "TZ", TZ_VALUE))
    title = f"remove the mount and set `TZ: {TZ_VALUE}` (put your zone in `.env` as `TZ=...`)"
    return Fix(title, Applicability.UNSAFE, changes=tuple(changes)), ""


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
            fix, no_fix = _fix(service, mount)
            if severity is Severity.INFO:
                fix, no_fix = None, "information only (unconfirmed on Colima): left as it is"
            yield RULE.finding(
                locate(ctx.project, mount.node, mount.start, mount.end),
                f"Service `{service.name}` mounts the host's `{source}`: " + "; ".join(reasons),
                service=service.name,
                path=f"services.{service.name}.volumes",
                severity=severity,
                help="set the `TZ` environment variable (e.g. `TZ: Europe/Berlin`) and remove the mount",
                fix=fix,
                no_fix=no_fix,
            )


RULE = Rule(
    code="CF201",
    name="timezone-mount",
    severity=Severity.WARNING,
    targets=frozenset({Target.LINUX, Target.DESKTOP, Target.COLIMA}),
    summary="Mounting `/etc/localtime` or `/etc/timezone` fails or misleads off Linux",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.UNSAFE,
)
