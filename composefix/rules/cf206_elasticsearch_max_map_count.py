"""## What it does
Reports an Elasticsearch or OpenSearch service that does not run with single-node discovery
(`discovery.type=single-node`).

## Why is this bad?
Outside single-node discovery Elasticsearch enforces its bootstrap checks, and one of them refuses to start unless
the kernel's `vm.max_map_count` is at least 262144 (Elastic's Docker guide now recommends 1048576). The container
exits (code 78) with `max virtual memory areas vm.max_map_count [65530] is too low`. The setting belongs to the
kernel that runs the container: the host on Linux (many distributions default to 65530), the VM on VM-backed
engines, where it has to be set inside the VM: Docker Desktop 4.25 lowered it to 65530 (docker/for-mac#7047), and
on Windows with WSL 2 Docker does not set it (docker/for-win#5202). OpenSearch has the same check.
See docs/platforms.md#elasticsearch-and-the-map-count-limit.

Services whose transport layer binds only to loopback (`transport.host=localhost`) run in development mode, where
the checks only warn, and services that mount their own `elasticsearch.yml`/`opensearch.yml` (the setting may be
in it) are not reported.

## Example
```yaml
services:
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment:
      ES_JAVA_OPTS: -Xms1g -Xmx1g
```

## Use instead
```yaml
services:
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment:
      ES_JAVA_OPTS: -Xms1g -Xmx1g
      discovery.type: single-node
```

A real multi-node cluster needs `vm.max_map_count` raised on every machine that runs it (inside the VM on
VM-backed engines).

## Platforms
Every engine: the host's kernel on Linux, the VM's kernel elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.analysis.mounts import bind_mounts
from composefix.analysis.topology import image_keys
from composefix.model import Finding, Severity
from composefix.reading.project import Service, text_of
from composefix.reading.words import command_words
from composefix.rules.base import ALL_TARGETS, Context, Rule

ENGINES = {
    "elasticsearch": "Elasticsearch",
    "elasticsearch/elasticsearch": "Elasticsearch",
    "docker.elastic.co/elasticsearch/elasticsearch": "Elasticsearch",
    "docker.elastic.co/elasticsearch/elasticsearch-oss": "Elasticsearch",
    "opensearchproject/opensearch": "OpenSearch",
}
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "_local_"}
_DISCOVERY_KEYS = {"discovery.type", "discovery_type", "es_setting_discovery_type", "es_setting_discovery__type"}


def _single_node(service: Service) -> bool:
    if any(name.strip().lower() in _DISCOVERY_KEYS for name in service.env):
        return True  # any explicit discovery type: the author chose it
    for name in ("transport.host", "transport.bind_host", "network.bind_host"):
        scalar = service.env.get(name)
        if scalar is not None and (text_of(scalar) or "").strip().lower() in _LOOPBACK:
            return True  # transport on loopback: development mode, the checks only warn
    words = command_words(service.get("command")) or []
    if any("discovery.type" in word for word in words):
        return True
    config = ("/elasticsearch.yml", "/opensearch.yml", "/config")
    return any(mount.target.rstrip("/").endswith(config) for mount in bind_mounts(service))


def check(ctx: Context) -> Iterator[Finding]:
    for service in ctx.services:
        engine = next((ENGINES[name] for name in image_keys(service) if name in ENGINES), None)
        image_node = service.get("image")
        if engine is None or image_node is None or _single_node(service):
            continue
        yield RULE.finding(
            image_node,
            f"Service `{service.name}` runs {engine} without `discovery.type=single-node`: its bootstrap checks "
            "need `vm.max_map_count` >= 262144 in the kernel that runs it (the Linux kernel default is 65530; on "
            "VM-backed engines it is the VM's kernel, and Docker Desktop 4.25 shipped 65530), or the container "
            "exits at start",
            service=service.name,
            path=f"services.{service.name}.image",
            help="set `discovery.type: single-node` in `environment` for a one-node development stack, or raise "
            "`vm.max_map_count` on every machine (inside the VM on VM-backed engines)",
        )


RULE = Rule(
    code="CF206",
    name="elasticsearch-max-map-count",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="Elasticsearch/OpenSearch outside single-node discovery needs `vm.max_map_count` in the VM",
    doc=__doc__ or "",
    check=check,
)
