"""## What it does
Reports a service that asks for an NVIDIA GPU: a `deploy.resources.reservations.devices` entry with
`capabilities: [gpu]` or `driver: nvidia`, `gpus:`, `runtime: nvidia`, or a CDI device such as
`nvidia.com/gpu=all` in `devices:`.

## Why is this bad?
"GPU support in Docker Desktop is only available on Windows with the WSL2 backend" (Docker's GPU page). A Mac has
no NVIDIA GPU to give: on Docker Desktop for Mac, Colima, OrbStack and Podman machine `up` fails with
`could not select device driver "nvidia" with capabilities: [[gpu]]` (the same error appears on a Linux machine
without the NVIDIA Container Toolkit), and `runtime: nvidia` names a runtime the VM does not have.
See docs/platforms.md#gpu-reservations.

## Example
```yaml
services:
  ollama:
    image: ollama/ollama
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
```

## Use instead
```yaml
services:
  ollama:
    image: ollama/ollama
```

and keep the reservation in an opt-in file, `compose.gpu.yaml`, loaded only where a GPU exists with
`docker compose -f compose.yaml -f compose.gpu.yaml up` (or `COMPOSE_FILE=compose.yaml:compose.gpu.yaml` in that
machine's `.env`):

```yaml
services:
  ollama:
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
```

A service under `profiles:` (started only with `--profile gpu`) is already opt-in and is not reported.

## Platforms
Docker Desktop (Mac), Colima, OrbStack, Podman machine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.document import Mapping, Scalar, Sequence
from composefix.model import Finding, Severity, Target, describe_targets
from composefix.mounts import entries, locate
from composefix.project import Service, text_of
from composefix.rules.base import Context, Rule


def _reservations(service: Service) -> Iterator[Scalar]:
    """The `driver: nvidia` or `gpu` capability scalar of each GPU reservation."""
    deploy = service.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, Mapping) else None
    reservations = resources.get("reservations") if isinstance(resources, Mapping) else None
    devices = reservations.get("devices") if isinstance(reservations, Mapping) else None
    if not isinstance(devices, Sequence):
        return
    for device in devices.items:
        if not isinstance(device, Mapping):
            continue
        driver = device.get("driver")
        if isinstance(driver, Scalar) and (text_of(driver) or "").lower() == "nvidia":
            yield driver
            continue
        capabilities = device.get("capabilities")
        items = capabilities.items if isinstance(capabilities, Sequence) else [capabilities]
        gpu = next((c for c in items if isinstance(c, Scalar) and (text_of(c) or "").lower() == "gpu"), None)
        if gpu is not None:
            yield gpu


def check(ctx: Context) -> Iterator[Finding]:
    chosen = ctx.settings.targets & RULE.targets
    where = describe_targets(chosen)
    for service in ctx.services:
        if service.get("profiles") is not None:
            continue  # started only when asked for (`--profile`): already opt-in
        driver_error = '`up` fails with `could not select device driver "nvidia"`'
        found: list[tuple[Scalar, int, str, str]] = [
            (node, len(text_of(node) or ""), "reserves an NVIDIA GPU", driver_error) for node in _reservations(service)
        ]
        gpus = service.get("gpus")
        first = gpus.items[0] if isinstance(gpus, Sequence) and gpus.items else gpus
        if first is not None:
            node = first if isinstance(first, Scalar) else service.key_of("gpus")
            if node is not None:
                found.append((node, len(node.text), "asks for GPUs with `gpus:`", driver_error))
        runtime = service.get("runtime")
        if isinstance(runtime, Scalar) and (text_of(runtime) or "").lower() == "nvidia":
            found.append((runtime, len("nvidia"), "uses `runtime: nvidia`", "the VM has no `nvidia` runtime"))
        for node, value in entries(service, "devices"):
            if value.lower().startswith("nvidia.com/gpu"):
                cdi = value.split(":", 1)[0]
                found.append((node, len(cdi), f"passes the CDI device `{cdi}`", "the VM has no such device"))
        for node, length, what, failure in found:
            yield RULE.finding(
                locate(ctx.project, node, 0, length),
                f"Service `{service.name}` {what}: Docker Desktop supports GPUs only on Windows with WSL 2, and a "
                f"Mac has no NVIDIA GPU, so on {where} {failure}",
                service=service.name,
                path=f"services.{service.name}",
                help="move the GPU request to an opt-in `compose.gpu.yaml` loaded with `-f` where a GPU exists",
            )


RULE = Rule(
    code="CF204",
    name="gpu-reservation",
    severity=Severity.WARNING,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.ORBSTACK, Target.PODMAN}),
    summary="An NVIDIA GPU request that fails on every Mac",
    doc=__doc__ or "",
    check=check,
)
