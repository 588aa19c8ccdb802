"""Which files are compose files, and reading them: regular files only, within a size limit, each read and parsed once
per run; paths as the user writes them."""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable
from pathlib import Path

from composefix.model import Position, Span
from composefix.reading.document import Document, DocumentError, Kind, Problem, decode, load

# Compose's file names, in its order of preference (docs/platforms.md#override-files-and-file-discovery).
DEFAULT_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")

DEFAULT_OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)

# The largest file the loader reads unless told otherwise (the command line's --max-file-size).
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them. Anything else (a folder, a FIFO, a device) is refused
    without blocking: the file is opened non-blocking and checked on the open descriptor, so a file swapped
    between a check and the open cannot make the read hang either."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {path}")
        if info.st_size > limit:
            raise OSError(
                f"file is {info.st_size:,} bytes, over the {limit:,}-byte limit (raise it with --max-file-size)"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(f"file grew over the {limit:,}-byte limit while it was read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror if exc.strerror and exc.filename is not None else str(exc) or type(exc).__name__


class Reader:
    """Reads and parses files once per run; records which paths were read (a cache shared by projects)."""

    def __init__(self, read: Callable[[Path], bytes] | None = None) -> None:
        self._read = read or read_regular
        self.documents: dict[str, Document] = {}
        # Files that exist but could not be read, with the reason (too large, not a regular file, permissions).
        self.errors: dict[str, str] = {}

    def document(self, path: Path, display: str | None = None, *, yaml: bool = True) -> Document | None:
        """The parsed file (``yaml=False``: only decoded, for `.env` files); None when it cannot be read (a file
        that exists is then listed in ``errors``)."""
        key = display or str(path)
        if key in self.documents:
            return self.documents[key]
        if key in self.errors:
            return None
        try:
            data = self._read(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if not os.path.lexists(path):
                return None
            self.errors[key] = _reason(exc)
            return None
        if yaml:
            doc = load(data, key)
        else:
            try:
                text, bom = decode(data)
                doc = Document(path=key, text=text, bom=bom)
            except DocumentError as exc:
                position = exc.position or Position(1, 1, 0)
                doc = Document(path=key, text="")
                doc.problems.append(Problem(Kind.SYNTAX, exc.message, Span(position, position)))
        self.documents[key] = doc
        return doc


def real_path(path: Path) -> str:
    """``path`` absolute, with symlinks resolved (cached: each `resolve()` stats every folder on the way)."""
    return _real_path(str(path), os.getcwd())


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the current folder when below it."""
    return _display_path(str(path), os.getcwd())


@functools.lru_cache(maxsize=8192)
def _real_path(path: str, cwd: str) -> str:
    full = os.path.join(cwd, path)
    folder, name = os.path.split(full)
    if name in ("", ".", ".."):
        return os.path.realpath(full)
    # The folder's real path is shared by the files in it and by the project folder's own lookups: only the last
    # name is looked at here (one lstat, not one per folder on the way).
    candidate = os.path.join(_real_folder(folder), name)
    return os.path.realpath(candidate) if os.path.islink(candidate) else candidate


@functools.lru_cache(maxsize=8192)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


@functools.lru_cache(maxsize=8192)
def _display_path(path: str, cwd: str) -> str:
    # os.getcwd() is already free of symlinks (the kernel reports the real folder).
    real = _real_path(path, cwd)
    if real == cwd:
        return "."
    return real[len(cwd) :].lstrip(os.sep) if real.startswith(cwd.rstrip(os.sep) + os.sep) else path
