"""## What it does
Reports a PostgreSQL, MySQL, MariaDB or MongoDB service whose data directory is a bind mount of a host folder
(`./pgdata:/var/lib/postgresql/data`) rather than a named volume. Information only.

## Why is this bad?
On Linux a bind mount is the host's own file system. On Docker Desktop every file operation on a bind mount
crosses the file sharing between your machine and the VM; Docker's documentation says databases perform much better
on named volumes, which live inside the VM. Some databases also fail there: MongoDB with "Operation not permitted"
on Windows drives, MongoDB and Cassandra on Docker VMM's virtiofs, and MySQL on a case-insensitive macOS or
Windows file system behaves as `lower_case_table_names=2`. See docs/platforms.md#databases-on-bind-mounts.

Moving to a named volume moves the data, so there is no automatic fix: copy the data over (or start empty), then
change the mount.

## Example
```yaml
services:
  db:
    image: postgres:16
    volumes:
      - ./pgdata:/var/lib/postgresql/data
```

## Use instead
```yaml
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

## Platforms
Docker Desktop.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import bind_mounts
from composefix.analysis.topology import image_keys
from composefix.model import Finding, Severity, Target
from composefix.reading.project import locate
from composefix.rules.base import Context, Rule

# Data directories that only these databases use, whatever the image (custom builds included).
DATA_DIRS = {
    "/var/lib/postgresql/data": "PostgreSQL",
    "/var/lib/mysql": "MySQL",
    "/data/db": "MongoDB",
}
# Image name -> (database, its data directories in the container), for images with other directories.
IMAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "postgres": ("PostgreSQL", ("/var/lib/postgresql",)),  # PostgreSQL 18+ images
    "bitnami/postgresql": ("PostgreSQL", ("/bitnami/postgresql",)),
    "bitnami/mysql": ("MySQL", ("/bitnami/mysql",)),
    "mariadb": ("MariaDB", ("/var/lib/mysql",)),
    "bitnami/mariadb": ("MariaDB", ("/bitnami/mariadb",)),
    "bitnami/mongodb": ("MongoDB", ("/bitnami/mongodb",)),
}


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        mounts = bind_mounts(service)
        if not mounts:
            continue
        keys = image_keys(service)
        image = keys[0] if keys else ""
        known = next((IMAGES[name] for name in keys if name in IMAGES), None)
        for mount in mounts:
            if not mount.source or mount.source.startswith("$"):
                continue  # an unset variable: Compose would fail or mount nothing
            target = mount.target.rstrip("/")
            if known is not None and target in known[1]:
                database = known[0]
            elif target in DATA_DIRS:
                database = DATA_DIRS[target]
                if target == "/data/db" and image and "mongo" not in image:
                    continue
            else:
                continue
            yield RULE.finding(
                locate(ctx.project, mount.node, mount.start, mount.end),
                f"Service `{service.name}` keeps its {database} data in the host folder `{mount.written}`: on "
                "Docker Desktop a bind mount crosses the file sharing with the VM, where databases run much slower "
                "than on a named volume (and some fail)",
                service=service.name,
                path=f"services.{service.name}.volumes",
                help=f"use a named volume for `{mount.target}`; moving the existing data to it is a manual step",
            )


RULE = Rule(
    code="CF205",
    name="database-bind-mount",
    severity=Severity.INFO,
    targets=frozenset({Target.DESKTOP}),
    summary="A database's data directory on a bind mount (slower, sometimes failing, on Docker Desktop)",
    doc=__doc__ or "",
    check=check,
)
