"""## What it does
Reports a bind mount of an absolute host path that lies outside the folders the chosen VM-backed engines share
with their VM. Relative paths (`./data`), paths in your home folder (`~/...`, `$HOME/...`), paths built from
variables and named volumes are never reported.

## Why is this bad?
On Linux a bind mount reads the host's folder directly. A VM-backed engine can only mount what it shares into its
VM (see docs/platforms.md#host-paths-and-file-sharing):

- Docker Desktop for Mac shares `/Users`, `/Volumes`, `/private`, `/tmp` and `/var/folders` by default; any other
  path fails at `up` with "Mounts denied: the path ... is not shared from the host" until it is added under
  *Settings > Resources > File sharing*.
- Colima mounts only your home folder by default: any other path is silently an empty folder inside the VM, so the
  container starts with no data.
- OrbStack translates macOS paths and is not reported. Podman machine's default shares are unconfirmed, so with
  `podman` as the only such target the finding is information only.

Teams that added folders to the engines' file sharing list them in the configuration, and mounts under them are
not reported:

```toml
[tool.composefix]
file-sharing = ["/srv", "/opt/data"]
```

## Example
```yaml
services:
  app:
    image: example/app
    volumes:
      - /srv/app/data:/data
```

## Use instead
```yaml
services:
  app:
    image: example/app
    volumes:
      - ${APP_DATA:-./data}:/data
```

A path relative to the compose file works everywhere; a variable with a relative default lets the Linux server
keep `/srv/app/data` in its `.env` file.

Docker Desktop on Windows with the WSL 2 backend shares files automatically; this rule is about Macs.

## Platforms
Docker Desktop for Mac, Colima; Podman machine (information).
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import bind_mounts, under
from composefix.model import Finding, Severity, Target
from composefix.reading.project import locate
from composefix.rules.base import Context, Rule

DESKTOP_SHARED = ("/Users", "/Volumes", "/private", "/tmp", "/var/folders")
# Paths other rules explain better: time zone files (CF201), the Docker socket (CF209), the VM's own file systems
# (CF208), and device nodes.
OWNED_ELSEWHERE = (
    "/etc/localtime",
    "/etc/timezone",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/proc",
    "/sys",
    "/dev",
    "/var/lib/docker",
    "/lib/modules",
    "/usr/lib/modules",
)


def check(ctx: Context) -> Iterator[Finding]:
    targets = ctx.settings.targets
    extra = ctx.settings.file_sharing
    for service in ctx.services:
        for mount in bind_mounts(service):
            source = mount.source
            if not mount.literal or not source.startswith("/") or source.rstrip("/") == "":
                continue
            if under(source, OWNED_ELSEWHERE) or under(source, extra):
                continue
            reasons: list[str] = []
            if Target.DESKTOP in targets and not under(source, DESKTOP_SHARED):
                reasons.append(
                    "Docker Desktop for Mac shares only /Users, /Volumes, /private, /tmp and /var/folders by default, "
                    'so `up` fails with "Mounts denied" until the folder is added in Settings > Resources > '
                    "File sharing"
                )
            if Target.COLIMA in targets and not under(source, ("/Users", "/home")):
                reasons.append("Colima mounts only your home folder, so the container sees an empty folder")
            severity = Severity.WARNING if reasons else Severity.INFO
            if not reasons and Target.PODMAN in targets and not under(source, ("/Users", "/home")):
                reasons.append(
                    "Podman machine may not share it with its VM (its default shares are unconfirmed; "
                    "believed to be your home folder)"
                )
            if not reasons:
                continue
            yield RULE.finding(
                locate(ctx.project, mount.node, mount.start, mount.end),
                f"Service `{service.name}` mounts the host path `{source}`: " + "; ".join(reasons),
                service=service.name,
                path=f"services.{service.name}.volumes",
                severity=severity,
                help="use a path relative to the compose file (e.g. `${DATA_DIR:-./data}`), or list the folder in "
                "`file-sharing` once every machine shares it",
            )


RULE = Rule(
    code="CF202",
    name="host-path-not-shared",
    severity=Severity.WARNING,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.PODMAN}),
    summary="A host path outside the folders VM-backed engines share with their VM",
    doc=__doc__ or "",
    check=check,
)
