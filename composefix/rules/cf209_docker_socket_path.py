"""## What it does
Reports a bind mount of the Docker socket written as a fixed path, `/var/run/docker.sock` or `/run/docker.sock`.
Information only.

## Why is this bad?
Rootful Docker Engine, Docker Desktop, Colima and OrbStack all provide the socket at `/var/run/docker.sock`
(Docker Desktop special-cases that path). Rootless Docker and rootless Podman put it under `$XDG_RUNTIME_DIR`
(for example `/run/user/1000/docker.sock`), so there the fixed path does not exist and the container gets no
engine (containers/podman#18480). Docker Desktop's Enhanced Container Isolation also blocks the socket mount by
default. See docs/platforms.md#the-docker-socket-path.

## Example
```yaml
services:
  proxy:
    image: traefik:v3.1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
```

## Use instead
```yaml
services:
  proxy:
    image: traefik:v3.1
    volumes:
      - ${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock:ro
```

Machines with a rootless engine set `DOCKER_SOCK` (e.g. `DOCKER_SOCK=$XDG_RUNTIME_DIR/docker.sock`) in their
environment or `.env` file.

## Platforms
Rootless Docker (Linux), rootless Podman.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import bind_mounts
from composefix.model import Finding, Severity, Target
from composefix.reading.project import locate
from composefix.rules.base import Context, Rule

SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        for mount in bind_mounts(service):
            if not mount.literal or mount.source not in SOCKETS:
                continue
            yield RULE.finding(
                locate(ctx.project, mount.node, mount.start, mount.end),
                f"Service `{service.name}` mounts the Docker socket at the fixed path `{mount.source}`: rootless "
                "Docker and rootless Podman put it under $XDG_RUNTIME_DIR, where this path does not exist",
                service=service.name,
                path=f"services.{service.name}.volumes",
                help="write `${DOCKER_SOCK:-/var/run/docker.sock}` and set `DOCKER_SOCK` on machines with a "
                "rootless engine",
            )


RULE = Rule(
    code="CF209",
    name="docker-socket-path",
    severity=Severity.INFO,
    targets=frozenset({Target.LINUX, Target.PODMAN}),
    summary="A fixed Docker socket path that rootless engines do not have",
    doc=__doc__ or "",
    check=check,
)
