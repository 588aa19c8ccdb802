"""## What it does
Reports a host device passed into a container with `devices:` (`/dev/ttyUSB0`, `/dev/dri`, `/dev/snd`...).
Devices that every Linux VM has are not reported: `/dev/net/tun`, `/dev/fuse`, `/dev/kmsg`, `/dev/shm`, and the
memory devices (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random`, `/dev/urandom`).

## Why is this bad?
On a VM-backed engine the device path is looked up in the VM, which has none of your machine's USB, serial,
sound or GPU devices (see docs/platforms.md#device-passthrough):

- Docker Desktop does not support direct USB device passthrough (USB/IP exists from Desktop 4.35, set up by hand);
  `up` fails with `error gathering device information while adding custom device "/dev/...": no such file or
  directory`.
- Colima and Rancher Desktop cannot pass host devices either.

## Example
```yaml
services:
  zigbee:
    image: example/zigbee-bridge
    devices:
      - /dev/ttyUSB0:/dev/ttyUSB0
```

## Use instead
```yaml
services:
  zigbee:
    image: example/zigbee-bridge
    environment:
      SERIAL_PORT: tcp://zigbee-coordinator.local:6638
```

Reach the device over the network where the software supports it (many Zigbee/Z-Wave coordinators do), or keep
the `devices:` entry in an override file that only the Linux machine loads (`-f compose.devices.yaml`).

A service under `profiles:` is started only when asked for, so it is already opt-in and is not reported.

## Platforms
Docker Desktop, Colima, Rancher Desktop.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import entries
from composefix.model import Finding, Severity, Target, describe_targets
from composefix.reading.project import locate
from composefix.rules.base import Context, Rule

IN_EVERY_VM = frozenset(
    {
        "/dev/net/tun",
        "/dev/fuse",
        "/dev/kmsg",
        "/dev/shm",
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
    }
)


def check(ctx: Context) -> Iterator[Finding]:
    chosen = ctx.settings.targets & RULE.targets
    for service in ctx.services:
        if service.get("profiles") is not None:
            continue  # started only when asked for (`--profile`): already opt-in
        for node, value in entries(service, "devices"):
            host = value.split(":", 1)[0]
            if not host.startswith("/") or "$" in node.text or host.rstrip("/") in IN_EVERY_VM:
                continue
            why = (
                " (Docker Desktop has no USB passthrough; USB/IP from 4.35 is set up by hand)"
                if Target.DESKTOP in chosen
                else ""
            )
            yield RULE.finding(
                locate(ctx.project, node, 0, len(host)),
                f"Service `{service.name}` passes the host device `{host}`: {describe_targets(chosen)} cannot pass "
                f"your machine's devices into the VM{why}, so the path is looked up in the VM, and where the VM "
                'lacks it `up` fails (Docker: "error gathering device information")',
                service=service.name,
                path=f"services.{service.name}.devices",
                help="reach the device over the network, or move the `devices:` entry to an override file that "
                "only the Linux machine loads",
            )


RULE = Rule(
    code="CF203",
    name="host-device",
    severity=Severity.WARNING,
    targets=frozenset({Target.DESKTOP, Target.COLIMA, Target.RANCHER}),
    summary="A host device that VM-backed engines cannot pass into a container",
    doc=__doc__ or "",
    check=check,
)
