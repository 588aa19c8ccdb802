"""## What it does
Reports a loopback address (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`) that a service uses to connect to
something that no service of the project listens on, so it can only mean a server on the host machine. It
looks in `environment` (and the `.env`/`env_file` values and interpolation defaults behind it), `command`,
`entrypoint`, lifecycle hooks and the inline config files (`configs.*.content`) the service mounts, and reports
the finding in the file where the address is written.

The port is the one written (`localhost:4000`), the URL scheme's default (`postgres://localhost` is 5432), a
client program's (`redis-cli -h 127.0.0.1` is 6379), the variable beside it (`DB_HOST` and `DB_PORT`) or the
usual port of the server a variable names (`SMTP_HOST=localhost` is 25).

Severity follows the evidence that the container itself connects to the address:
- **warning** in a `network_mode: host` service: on Linux its loopback is the machine, so this is a real
  dependency on a server there, which breaks on the VM-backed engines;
- **warning** in a bridge-network service only with positive evidence of a connection: a server scheme or
  connection string (`postgres://`, `redis://`, `amqp://`, `smtp://`, `user@tcp(localhost:3306)/db`,
  `host=localhost port=5432`), the argument of a client program (`psql -h`, `redis-cli -h`, `curl`), a reverse-proxy
  upstream in a config the service mounts (`proxy_pass`, `reverse_proxy`), a variable that names a backing server
  (`DATABASE_URL`, `REDIS_HOST`, `SMTP_SERVER`, `OLLAMA_HOST`), or a variable the image's documentation says it
  connects to;
- **info** for any other loopback value of a bridge-network service ("if this container connects to it ..."),
  also with that evidence when the service's command starts several processes (a background `&`,
  `supervisord`, `pm2`, ...), since the server may run in the same container; and when no port is known:
  composefix cannot tell what it reaches. Information never fails CI by default and
  is never fixed automatically.

Not reported, because they are not connections from this container to the host:
- `healthcheck` tests (they run inside the container: `localhost` is the container itself,
  docs/platforms.md#healthchecks);
- `127.0.0.11` (Docker's DNS), `0.0.0.0` and `::`;
- addresses on a port the service itself listens on (its `ports`, `expose`, healthcheck, `--port`, the site
  addresses of a Caddyfile written inline, its image's ports and the servers an all-in-one image bundles);
- services with `network_mode: service:X` or `container:X` (loopback reaches X,
  docs/platforms.md#shared-network-namespaces);
- a name the service's `extra_hosts` maps to an address (`localhost:host-gateway`);
- a value in an `env_file` or anchor shared by several services, for a well-known image that does not read that
  variable (a database image and an application's `REDIS_URL`);
- values handed to browsers or other clients: `PUBLIC_URL`, `NEXT_PUBLIC_*`, `VITE_*`, CORS lists, OAuth
  redirects and callbacks, issuers, `*_ADVERTISED_LISTENERS`, the browser variables of well-known images, a value
  whose comment asks for your own domain or calls it public, and in bridge-network services `https://localhost`
  without a port and http(s) URLs on a port that a service of the project publishes on the host;
- listen/bind settings (`--host 127.0.0.1`, `HOST=127.0.0.1`): that is CF108;
- logging options (`logging.options`): the Docker daemon resolves them on the engine's host, not the container;
- ports that another service listens on: that is CF104.

## Why is this bad?
In a container on a bridge network (the Compose default) `localhost` is the container itself, on every engine,
Linux included (docs/platforms.md#bridge-networks): the connection is refused. That is a bug rather than a
portability difference, which is why only evidence of a connection makes it a warning. In a `network_mode: host`
service it is the host on Linux but the VM on Docker Desktop (without its host networking), Colima and Podman
machine (docs/platforms.md#host-networking-per-engine).

## Example
```yaml
services:
  api:
    image: example/api
    environment:
      SMTP_URL: smtp://localhost:25
```

## Use instead
```yaml
services:
  api:
    image: example/api
    environment:
      SMTP_URL: smtp://host.docker.internal:25
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

## Fix safety
Safe: `localhost` becomes `host.docker.internal`, and when `linux` is a target the service (or the owner of its
network namespace) gets `extra_hosts: ["host.docker.internal:host-gateway"]`. Only warnings are fixed:
informational findings (no evidence of a connection, or no port) are left as written. A value written in a
`.env` or `env_file` file is edited there (in place only: an override file cannot change it).

## Platforms
Every engine for bridge-network services; Docker Desktop, Colima and Podman machine for host-mode services
(Linux and OrbStack share the host's loopback in host mode). `host.docker.internal` then needs the
`host-gateway` entry on Linux (CF107), which Rancher Desktop does not support
(docs/platforms.md#when-the-host-gateway-entry-is-not-harmless).
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.hostnames import HOST_ALIAS
from composefix.analysis.topology import Reach, analyse
from composefix.model import Applicability, Finding, Fix, Severity, Target, describe_targets
from composefix.reading.project import locate
from composefix.rules.base import ALL_TARGETS, Context, Rule
from composefix.rules.fixing import (
    INFORMATION_ONLY,
    LEAVES_HOST_MODE,
    NOT_VERBATIM,
    gateway,
    leaving_host_mode,
    replace,
)

VM_TARGETS = frozenset({Target.DESKTOP, Target.COLIMA, Target.PODMAN})


def check(ctx: Context) -> Iterator[Finding]:
    analysis = analyse(ctx.project)
    vm = ctx.settings.targets & VM_TARGETS
    if ctx.settings.desktop_host_networking:
        vm = vm - {Target.DESKTOP}
    for use, hint in [(use, False) for use in analysis.uses] + [(use, True) for use in analysis.hints]:
        if use.bind or use.reach not in (Reach.HOST, Reach.UNKNOWN):
            continue
        host_mode = use.service.network_mode == "host"
        if host_mode and not vm:
            continue  # Linux (and OrbStack) host mode: loopback is the host, as intended
        address = use.address
        where = f"(in `{use.ref.path}`)"
        target = f"host.docker.internal:{address.port}" if address.port else "host.docker.internal"
        reaches = f"your machine's port {address.port}" if address.port else "your machine"
        if host_mode:
            message = (
                f"Service `{use.service.name}` connects to `{address.shown}` {where} through host networking: on "
                f"Linux that is {reaches}, on {describe_targets(vm)} it is the VM, not your machine"
            )
        elif hint:
            message = (
                f"Service `{use.service.name}` has `{address.shown}` {where}: if this container connects to it, "
                "that is the container itself on every engine (Linux too), not your machine"
            )
        else:
            message = (
                f"Service `{use.service.name}` connects to `{address.shown}` (in `{use.ref.path}`: {use.evidence}), "
                "which inside a container is the container itself on every engine (Linux too), not your machine"
            )
        if use.reach is Reach.UNKNOWN:
            message += "; no port is given, so composefix cannot tell what it should reach"
        fix, no_fix = None, INFORMATION_ONLY if hint else ""
        if use.reach is Reach.HOST and not hint:
            change = replace(ctx, use.service, use.ref, address.start, address.end, HOST_ALIAS)
            if change is None:
                no_fix = NOT_VERBATIM
            else:
                fix = Fix(
                    f"use `{HOST_ALIAS}` (with its host-gateway entry)",
                    Applicability.SAFE,
                    changes=(change, *gateway(ctx, use.service)),
                    requires=(leaving_host_mode(use.service),) if host_mode else (),
                    unmet=LEAVES_HOST_MODE,
                )
        yield RULE.finding(
            locate(ctx.project, use.ref.node, address.start, address.end),
            message,
            service=use.service.name,
            path=f"services.{use.service.name}.{use.ref.path}",
            severity=Severity.INFO if hint or use.reach is Reach.UNKNOWN else None,
            help=f"to reach a server on your machine use `{target}` with `extra_hosts: "
            '["host.docker.internal:host-gateway"]`',
            fix=fix,
            no_fix=no_fix,
        )


RULE = Rule(
    code="CF103",
    name="loopback-to-host",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="A loopback address used to connect to something on the host machine",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.SAFE,
)
