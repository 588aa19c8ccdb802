"""## What it does
Reports Docker Desktop's old or Desktop-only host names in the strings a service uses: `docker.for.mac.localhost`,
`docker.for.win.localhost`, `docker.for.mac.host.internal`, `docker.for.win.host.internal`,
`docker.for.mac.gateway.internal`, `docker.for.mac.http.internal` and `gateway.docker.internal`. A service that
defines the name itself in `extra_hosts` is not reported.

## Why is this bad?
These names were served by Docker Desktop's vpnkit (docs/platforms.md#old-docker-desktop-names). No other engine
defines them: on Linux
Docker Engine, Colima, OrbStack, Podman and Rancher Desktop (which lacks `gateway.docker.internal`, rancher-desktop
#1767) they do not resolve. `host.docker.internal` is the name Docker documents for reaching the host.

## Example
```yaml
services:
  api:
    image: example/api
    environment:
      CACHE_HOST: docker.for.mac.localhost
```

## Use instead
```yaml
services:
  api:
    image: example/api
    environment:
      CACHE_HOST: host.docker.internal
    extra_hosts:
      - "host.docker.internal:host-gateway"
```

## Fix safety
Safe: the name becomes `host.docker.internal`, with the `host-gateway` entry when `linux` is a target.

## Platforms
Linux Docker Engine, Colima, OrbStack, Podman machine, Rancher Desktop. Whether current Docker Desktop still
serves every old `docker.for.*` alias is not documented, so the `desktop` target alone does not
trigger this rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.hostnames import HOST_ALIAS, LEGACY_RE
from composefix.analysis.strings import CONTAINER_SIDE, Where, extra_hosts, matches, service_strings
from composefix.model import Applicability, Finding, Fix, Severity, Target, describe_targets
from composefix.reading.project import locate
from composefix.rules.base import Context, Rule
from composefix.rules.fixing import gateway, replace

SCANNED = CONTAINER_SIDE | {Where.LABEL, Where.BUILD_ARG, Where.DNS}


def check(ctx: Context) -> Iterator[Finding]:
    breaks_on = describe_targets(ctx.settings.targets & RULE.targets)
    for service in ctx.services:
        defined = {entry.name.lower() for entry in extra_hosts(service)}
        for ref in service_strings(service):
            if ref.where not in SCANNED:
                continue
            for start, end, name in matches(ref, LEGACY_RE):
                if name.lower() in defined:
                    continue
                change = replace(ctx, service, ref, start, end, HOST_ALIAS)
                fix = (
                    Fix(
                        f"use `{HOST_ALIAS}` (with its host-gateway entry)",
                        Applicability.SAFE,
                        changes=(change, *gateway(ctx, service)),
                    )
                    if change is not None
                    else None
                )
                yield RULE.finding(
                    locate(ctx.project, ref.node, start, end),
                    f"Service `{service.name}` uses `{name}` (in `{ref.path}`), a name only Docker Desktop "
                    f"defines: it does not resolve on {breaks_on}",
                    service=service.name,
                    path=f"services.{service.name}.{ref.path}",
                    help='use `host.docker.internal` with `extra_hosts: ["host.docker.internal:host-gateway"]`',
                    fix=fix,
                    no_fix="" if fix is not None else "the address is not written verbatim in a file",
                )


RULE = Rule(
    code="CF109",
    name="desktop-legacy-hostname",
    severity=Severity.WARNING,
    targets=frozenset({Target.LINUX, Target.COLIMA, Target.ORBSTACK, Target.PODMAN, Target.RANCHER}),
    summary="A Docker Desktop-only host name (`docker.for.mac.localhost`, `gateway.docker.internal`, ...)",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.SAFE,
)
