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


def group_projects(files: list[str]) -> list[list[str]]:
    """Files as projects: in one folder, the main file Compose would pick and its automatic override file are one
    project (platform-facts §6.6); every other file is a project of its own."""
    from composefix.project import DEFAULT_FILE_NAMES, DEFAULT_OVERRIDE_NAMES

    by_folder: dict[str, list[str]] = {}
    for name in files:
        by_folder.setdefault(os.path.dirname(name), []).append(name)
    projects: list[list[str]] = []
    paired: dict[str, list[str]] = {}
    for names in by_folder.values():
        base = {os.path.basename(n): n for n in names}
        main = next((base[n] for n in DEFAULT_FILE_NAMES if n in base), None)
        override = next((base[n] for n in DEFAULT_OVERRIDE_NAMES if n in base), None)
        if main is not None and override is not None:
            paired[main] = [main, override]
            paired[override] = []
    for name in files:
        group = paired.get(name)
        if group is None:
            projects.append([name])
        elif group:
            projects.append(group)
    return projects


def compose_file_variable(environ: dict[str, str], cwd: Path) -> list[str] | None:
    """`COMPOSE_FILE` from the environment, or from `.env` in the current folder (platform-facts §6.6)."""
    value = environ.get("COMPOSE_FILE")
    if value is None:
        dotenv = cwd / ".env"
        if dotenv.is_file():
            for line in dotenv.read_text(encoding="utf-8", errors="replace").splitlines():
                key, sep, rest = line.strip().partition("=")
                if sep and key.strip() == "COMPOSE_FILE":
                    value = rest.strip().strip("'\"")
    if not value:
        return None
    separator = environ.get("COMPOSE_PATH_SEPARATOR", ";" if os.name == "nt" else ":")
    return [part for part in value.split(separator) if part]
