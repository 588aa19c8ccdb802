"""## What it does
Reports settings that look at or change the machine the engine runs on: `pid: host`; bind mounts of `/`, `/proc`,
`/sys`, `/var/lib/docker` or `/lib/modules`; `cap_add: SYS_MODULE`; mount propagation (`rshared`, `rslave`...);
and `macvlan`/`ipvlan` networks. Information only: what they do is legitimate on Linux.

## Why is this bad?
On a VM-backed engine the machine the engine runs on is the VM, not your Mac or PC, so these settings quietly
observe or change the VM (see docs/platforms.md#settings-that-see-the-vm):

- `pid: host` shows the VM's processes; Docker Desktop's Enhanced Container Isolation rejects it.
- `/`, `/proc`, `/sys`: monitoring tools (node-exporter, cAdvisor, netdata, glances) report the VM's CPU, memory,
  disks and uptime, not your machine's.
- `/var/lib/docker` is the VM's Docker data; `/lib/modules` and `SYS_MODULE` load modules into the VM's kernel.
- Mount propagation "doesn't work with Docker Desktop" (Docker's bind mount documentation).
- `macvlan` and `ipvlan` networks are not supported on Docker Desktop and OrbStack has no macvlan: the container
  does not get an address on your LAN.

## Example
```yaml
services:
  node-exporter:
    image: prom/node-exporter
    pid: host
    volumes:
      - /proc:/host/proc:ro
```

## Use instead
```yaml
services:
  node-exporter:
    image: prom/node-exporter
```

Keep host-level monitoring in a Linux-only file (`-f compose.linux.yaml`), and read the figures of your own
machine with its native tools.

## Platforms
Docker Desktop, Colima, OrbStack, Podman machine, Rancher Desktop.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import bind_mounts, entries, under
from composefix.model import Finding, Severity, Target
from composefix.reading.document import Mapping, Scalar
from composefix.reading.project import locate, text_of
from composefix.rules.base import Context, Rule

VM_PATHS = {
    "/proc": "the VM's processes and kernel figures, not your machine's",
    "/sys": "the VM's devices and kernel settings, not your machine's",
    "/var/lib/docker": "the VM's Docker data (images, containers, volumes)",
    "/lib/modules": "the VM kernel's modules",
    "/usr/lib/modules": "the VM kernel's modules",
}
_VM_ROOTS = tuple(VM_PATHS)
PROPAGATION = {"shared", "rshared", "slave", "rslave"}
VM_TARGETS = frozenset({Target.DESKTOP, Target.COLIMA, Target.ORBSTACK, Target.PODMAN, Target.RANCHER})


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        name = service.name
        pid = service.get("pid")
        if isinstance(pid, Scalar) and text_of(pid) == "host":
            yield RULE.finding(
                pid,
                f"Service `{name}` uses `pid: host`: on VM-backed engines it sees the VM's processes, not your "
                "machine's (Docker Desktop's Enhanced Container Isolation rejects it)",
                service=name,
                path=f"services.{name}.pid",
            )
        for mount in bind_mounts(service):
            source = mount.source.rstrip("/") or "/"
            seen = ""
            if mount.literal and source == "/":
                seen = "the VM's root file system, not your machine's"
            elif mount.literal and source.startswith(_VM_ROOTS):
                seen = next((text for path, text in VM_PATHS.items() if under(source, (path,))), "")
            if seen:
                yield RULE.finding(
                    locate(ctx.project, mount.node, mount.start, mount.end),
                    f"Service `{name}` mounts the host's `{source}`: on VM-backed engines it sees {seen}",
                    service=name,
                    path=f"services.{name}.volumes",
                )
            if not mount.options:
                continue
            shared = [o for o in mount.options if o in PROPAGATION]
            if shared and mount.options_at is not None:
                node, offset = mount.options_at
                value = text_of(node) or ""
                at = value.find(shared[0], offset)
                yield RULE.finding(
                    locate(ctx.project, node, at, at + len(shared[0])) if at >= 0 else (node.file, node.span),
                    f"Service `{name}` mounts `{mount.source}` with `{shared[0]}` propagation: mount propagation "
                    "does not work with Docker Desktop, so mounts made on either side do not appear on the other",
                    service=name,
                    path=f"services.{name}.volumes",
                )
        for node, value in entries(service, "cap_add"):
            if value.upper().removeprefix("CAP_") == "SYS_MODULE":
                yield RULE.finding(
                    node,
                    f"Service `{name}` adds `SYS_MODULE`: on VM-backed engines it loads modules into the VM's "
                    "kernel, not your machine's",
                    service=name,
                    path=f"services.{name}.cap_add",
                )
    networks = ctx.project.top.get("networks")
    if isinstance(networks, Mapping):
        for network, entry in networks.entries.items():
            if not isinstance(entry.value, Mapping):
                continue
            driver = entry.value.get("driver")
            kind = (text_of(driver) or "").lower()
            if isinstance(driver, Scalar) and kind in ("macvlan", "ipvlan"):
                yield RULE.finding(
                    driver,
                    f"Network `{network}` uses the `{kind}` driver: Docker Desktop does not support it (and OrbStack "
                    "has no macvlan), so containers do not get an address on your LAN",
                    path=f"networks.{network}.driver",
                )


RULE = Rule(
    code="CF208",
    name="observes-the-vm",
    severity=Severity.INFO,
    targets=VM_TARGETS,
    summary="Settings that see or change the engine's VM instead of your machine",
    doc=__doc__ or "",
    check=check,
)
