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

## Fix safety
Unsafe in place, so `--unsafe-fixes` is needed there: `rewrite --in-place --unsafe-fixes` moves the GPU request
(`deploy`, `gpus`, `runtime` or `devices`, as written) out of the service into a new opt-in file,
`compose.gpu.yaml` beside the service's file, and says how a GPU machine loads it
(`docker compose -f compose.yaml -f compose.gpu.yaml up`); every other machine, Linux included, now starts the
service without a GPU unless it loads that file. `composefix rewrite` applies the fix by default in override mode
instead: the override file, loaded only by the VM-backed machines, takes the GPU request away (`deploy: !reset
null`, `runtime: !reset null`, `gpus: !reset null` or `devices: !reset null`, Compose 2.18.0+) while the Linux
machine keeps it in the base file, so nothing changes where a GPU may exist. A key that holds more than the GPU
request (`deploy` with limits, `devices` with other devices) is left alone and the finding stays: move the GPU part
by hand. An existing `compose.gpu.yaml` is never replaced: move the request there by hand.

## Platforms
Docker Desktop (Mac), Colima, OrbStack, Podman machine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import entries
from composefix.model import Applicability, Finding, Fix, OptIn, Severity, Target, describe_targets
from composefix.reading.document import Mapping, Scalar, Sequence
from composefix.reading.project import Service, locate, text_of
from composefix.rules.base import Context, Rule

GPU_FILE = "compose.gpu.yaml"


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


def _only_gpu_reservations(service: Service) -> bool:
    """Whether `deploy` holds nothing but GPU reservations (so resetting it takes away only the GPU)."""
    deploy = service.get("deploy")
    if not isinstance(deploy, Mapping) or set(deploy.entries) != {"resources"}:
        return False
    resources = deploy.get("resources")
    if not isinstance(resources, Mapping) or set(resources.entries) != {"reservations"}:
        return False
    reservations = resources.get("reservations")
    if not isinstance(reservations, Mapping) or set(reservations.entries) != {"devices"}:
        return False
    devices = reservations.get("devices")
    return isinstance(devices, Sequence) and len(list(_reservations(service))) == len(devices.items)


def _fix(service: Service, key: str, whole: bool) -> tuple[Fix | None, str]:
    if not whole:
        return None, f"`{key}` holds more than the GPU request: move the GPU part to `compose.gpu.yaml` by hand"
    title = f"keep `{key}` only where a GPU is"
    change = OptIn(service.name, key, GPU_FILE, machine="a GPU machine")
    return Fix(title, Applicability.UNSAFE, changes=(change,), vm_only=True), ""


def check(ctx: Context) -> Iterator[Finding]:
    chosen = ctx.settings.targets & RULE.targets
    where = describe_targets(chosen)
    for service in ctx.services:
        keys = service.node.entries
        if "profiles" in keys or not ("deploy" in keys or "runtime" in keys or "gpus" in keys or "devices" in keys):
            continue  # nothing that asks for a GPU, or started only when asked for (`--profile`): already opt-in
        driver_error = '`up` fails with `could not select device driver "nvidia"`'
        reservations = list(_reservations(service))
        only_gpu = bool(reservations) and _only_gpu_reservations(service)
        found: list[tuple[Scalar, int, str, str, str, bool]] = [
            (node, len(text_of(node) or ""), "reserves an NVIDIA GPU", driver_error, "deploy", only_gpu)
            for node in reservations
        ]
        gpus = service.get("gpus")
        first = gpus.items[0] if isinstance(gpus, Sequence) and gpus.items else gpus
        if first is not None:
            node = first if isinstance(first, Scalar) else service.key_of("gpus")
            if node is not None:
                found.append((node, len(node.text), "asks for GPUs with `gpus:`", driver_error, "gpus", True))
        runtime = service.get("runtime")
        if isinstance(runtime, Scalar) and (text_of(runtime) or "").lower() == "nvidia":
            no_runtime = "the VM has no `nvidia` runtime"
            found.append((runtime, len("nvidia"), "uses `runtime: nvidia`", no_runtime, "runtime", True))
        devices = list(entries(service, "devices"))
        cdi = [(node, value) for node, value in devices if value.lower().startswith("nvidia.com/gpu")]
        for node, value in cdi:
            name = value.split(":", 1)[0]
            what = f"passes the CDI device `{name}`"
            found.append((node, len(name), what, "the VM has no such device", "devices", len(cdi) == len(devices)))
        for node, length, what, failure, key, whole in found:
            fixed, why = _fix(service, key, whole)
            yield RULE.finding(
                locate(ctx.project, node, 0, length),
                f"Service `{service.name}` {what}: Docker Desktop supports GPUs only on Windows with WSL 2, and a "
                f"Mac has no NVIDIA GPU, so on {where} {failure}",
                service=service.name,
                path=f"services.{service.name}.{key}",
                help="move the GPU request to an opt-in `compose.gpu.yaml` loaded with `-f` where a GPU exists",
                fix=fixed,
                no_fix=why,
            )


RULE = Rule(
    code="CF204",
    name="gpu-reservation",
    severity=Severity.WARNING,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.ORBSTACK, Target.PODMAN}),
    summary="An NVIDIA GPU request that fails on every Mac",
    doc=__doc__ or "",
    check=check,
    fixable=Applicability.UNSAFE,
)
