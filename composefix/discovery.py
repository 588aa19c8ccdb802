"""Find compose files: the names Compose uses, their override and `docker-compose.<name>.yml` variants."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from pathlib import Path

# compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml, compose.override.yaml,
# docker-compose.prod.yml, compose.desktop.yaml, ...
COMPOSE_NAME = re.compile(r"^(docker-)?compose(\.[A-Za-z0-9_.-]+)?\.ya?ml$")

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"})


class DiscoveryError(Exception):
    """A path given on the command line that cannot be used."""


def is_compose_name(name: str) -> bool:
    return COMPOSE_NAME.match(name) is not None


def _excluded(path: Path, excludes: tuple[str, ...]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, g) or fnmatch.fnmatch(path.name, g) or path.match(g) for g in excludes)


def walk(folder: Path, excludes: tuple[str, ...] = ()) -> Iterator[Path]:
    """Compose files below ``folder`` in a stable order; symlinked folders are followed once (no loops)."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        try:
            info = os.stat(root)
        except OSError:
            dirs[:] = []
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            dirs[:] = []
            continue
        seen.add(key)
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not _excluded(here / d, excludes))
        for name in sorted(names):
            if is_compose_name(name) and not _excluded(here / name, excludes):
                yield here / name


def collect(paths: list[str], excludes: tuple[str, ...] = ()) -> list[str]:
    """Files to check: files as given, folders walked; `-` (stdin) passes through. Raises on a missing path."""
    found: list[str] = []
    for raw in paths:
        if raw == "-":
            found.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            found.extend(str(p) for p in walk(path, excludes))
        elif path.exists():
            found.append(raw)
        else:
            raise DiscoveryError(f"{raw}: no such file or directory")
    return list(dict.fromkeys(found))


def default_paths() -> list[str]:
    """With no paths: the compose files of the current folder (what `docker compose` would pick up)."""
    return [name for name in sorted(os.listdir(".")) if is_compose_name(name) and Path(name).is_file()]
