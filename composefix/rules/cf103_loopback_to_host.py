"""## What it does
Reports a loopback address (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`) that a service uses to connect to
something that no service of the project listens on, so it can only mean a server on the host machine. It
looks in `environment` (and the `.env`/`env_file` values and interpolation defaults behind it), `command`,
`entrypoint`, lifecycle hooks and the inline config files (`configs.*.content`) the service mounts, and reports
the finding in the file where the address is written.

The port is the one written (`localhost:4000`), the URL scheme's default (`postgres://localhost` is 5432), or a
client program's (`redis-cli -h 127.0.0.1` is 6379). Without any port the finding is informational: composefix
cannot tell what the address reaches.

Not reported, because they are not connections from this container to the host:
- `healthcheck` tests (they run inside the container: `localhost` is the container itself,
  docs/platforms.md#healthchecks);
- `127.0.0.11` (Docker's DNS), `0.0.0.0` and `::`;
- addresses on a port the service itself listens on (its `ports`, `expose`, healthcheck, `--port`, image);
- services with `network_mode: service:X` or `container:X` (loopback reaches X,
  docs/platforms.md#shared-network-namespaces);
- values handed to browsers or other clients: `PUBLIC_URL`, `NEXT_PUBLIC_*`, `VITE_*`, CORS lists, OAuth
  callbacks, `*_ADVERTISED_LISTENERS`, ...;
- listen/bind settings (`--host 127.0.0.1`, `HOST=127.0.0.1`): that is CF108;
- ports that another service listens on: that is CF104.

## Why is this bad?
In a container on a bridge network (the Compose default) `localhost` is the container itself, on every engine
(docs/platforms.md#bridge-networks): the connection is refused. In a `network_mode: host` service it is the host
on Linux but the VM on Docker Desktop (without its host networking), Colima and Podman machine
(docs/platforms.md#host-networking-per-engine).

## Example
```yaml
services:
  api:
    image: example/api
    environment:
      PAYMENTS_URL: http://localhost:4000
```

## Use instead
```yaml
services:
  api:
    image: example/api
    environment:
      PAYMENTS_URL: http://host.docker.internal:4000
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

## Fix safety
Safe: `localhost` becomes `host.docker.internal`, and when `linux` is a target the service (or the owner of its
network namespace) gets `extra_hosts: ["host.docker.internal:host-gateway"]`. Addresses without a port are not
fixed. A value written in a `.env` or `env_file` file is edited there (in place only: an override file cannot
change it).

## Platforms
Every engine for bridge-network services; Docker Desktop, Colima and Podman machine for host-mode services
(Linux and OrbStack share the host's loopback in host mode). `host.docker.internal` then needs the
`host-gateway` entry on Linux (CF107), which Rancher Desktop does not support
(docs/platforms.md#when-the-host-gateway-entry-is-not-harmless).
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.addresses import locate
from composefix.model import Finding, Severity, Target, describe_targets
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.topology import Reach, analyse

VM_TARGETS = frozenset({Target.DESKTOP, Target.COLIMA, Target.PODMAN})


def check(ctx: Context) -> Iterator[Finding]:
    analysis = analyse(ctx.project)
    vm = ctx.settings.targets & VM_TARGETS
    if ctx.settings.desktop_host_networking:
        vm = vm - {Target.DESKTOP}
    for use in analysis.uses:
        if use.bind or use.reach not in (Reach.HOST, Reach.UNKNOWN):
            continue
        host_mode = use.service.network_mode == "host"
        if host_mode and not vm:
            continue  # Linux (and OrbStack) host mode: loopback is the host, as intended
        address = use.address
        where = f"(in `{use.ref.path}`)"
        target = f"host.docker.internal:{address.port}" if address.port else "host.docker.internal"
        if host_mode:
            message = (
                f"Service `{use.service.name}` connects to `{address.shown}` {where} through host networking: "
                f"on {describe_targets(vm)} that is the VM, not your machine"
            )
        else:
            message = (
                f"Service `{use.service.name}` connects to `{address.shown}` {where}, which inside a container "
                "is the container itself, not your machine"
            )
        if use.reach is Reach.UNKNOWN:
            message += "; no port is given, so composefix cannot tell what it should reach"
        yield RULE.finding(
            locate(ctx.project, use.ref, address.start, address.end),
            message,
            service=use.service.name,
            path=f"services.{use.service.name}.{use.ref.path}",
            severity=Severity.INFO if use.reach is Reach.UNKNOWN else None,
            help=f"to reach a server on your machine use `{target}` with `extra_hosts: "
            '["host.docker.internal:host-gateway"]`',
        )


RULE = Rule(
    code="CF103",
    name="loopback-to-host",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A loopback address used to connect to something on the host machine",
    doc=__doc__ or "",
    check=check,
)
