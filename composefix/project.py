"""Load a project as Compose v2 does: files merged in order, include, extends, interpolation, env files.

Every value of the merged model is a node of the file its text came from (aliases and merge keys keep the
anchor's position), and every string scalar carries its interpolated `Text`, which knows whether a character
came from the compose file, an interpolation default, a `.env` file or the process environment.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from composefix.document import (
    RESET_TAG,
    Document,
    DocumentError,
    Entry,
    Kind,
    Mapping,
    Node,
    Problem,
    Scalar,
    Sequence,
    decode,
    load,
    scalar_text,
)
from composefix.interpolate import EnvFile, InterpolationError, Interpolator, located_text, parse_env
from composefix.model import Position, Span
from composefix.texts import Piece, Source, Text

# Compose's file names, in its order of preference (docs/platforms.md#override-files-and-file-discovery).
DEFAULT_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
DEFAULT_OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)

# Merge behaviour per service key (compose-go override/merge.go, docs/platforms.md#compose-merge-rules).
REPLACED = frozenset({"command", "entrypoint"})
BY_NAME = frozenset({"environment", "labels", "annotations"})
APPENDED_UNIQUE = frozenset({"expose", "dns", "dns_search", "dns_opt", "tmpfs"})


# Hostile input: how long an `extends` chain and how deep an `include` nesting composefix follows.
MAX_EXTENDS_CHAIN = 64
MAX_INCLUDE_DEPTH = 32
# The largest file the loader reads unless told otherwise (the command line's --max-file-size).
MAX_FILE_BYTES = 20 * 1024 * 1024


class ProjectProblem(NamedTuple):
    """A problem found while loading the project, by kind (rules turn kinds into findings)."""

    kind: Kind
    file: str
    span: Span
    message: str
    # What to do about it, when something beside it says (a template of a missing env file).
    help: str = ""


@dataclass(slots=True, eq=False)
class Service:
    """A service of the merged model."""

    name: str
    node: Mapping
    key: Scalar
    # The container's environment: env_file values overridden by `environment`, one Scalar per name.
    env: dict[str, Scalar] = field(default_factory=dict)
    # Inline top-level configs (`configs.NAME.content`) the service mounts: (name, content scalar).
    configs: list[tuple[str, Scalar]] = field(default_factory=list)
    # What analyses derive from the (never modified) service once and several rules read: see addresses.
    memo: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        return self.node.get(key)

    def key_of(self, key: str) -> Scalar | None:
        entry = self.node.entries.get(key)
        return entry.key if entry is not None else None

    @property
    def network_mode(self) -> str | None:
        text = text_of(self.get("network_mode"))
        return text.strip() if text is not None else None

    @property
    def namespace_owner(self) -> tuple[str, str] | None:
        """("service" | "container", NAME) for a service that joins another's network namespace."""
        kind, sep, name = (self.network_mode or "").partition(":")
        if sep and kind in ("service", "container") and name:
            return kind, name
        return None


def text_of(node: Node | None) -> str | None:
    """A scalar's string as Compose sees it after interpolation."""
    if isinstance(node, Scalar):
        if node.interp is not None:
            return node.interp.value
        return scalar_text(node)
    return None


@dataclass(slots=True, eq=False)
class Project:
    """A Compose project: its files merged as Compose merges them, its services and variables."""

    name: str
    directory: Path
    compose_files: list[str]
    documents: dict[str, Document] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    # Top-level sections other than services (configs, secrets, networks, volumes, x-*), merged.
    top: dict[str, Node] = field(default_factory=dict)
    problems: list[ProjectProblem] = field(default_factory=list)
    variables: dict[str, Text] = field(default_factory=dict)
    env_files: dict[str, EnvFile] = field(default_factory=dict)
    # Per-project results that several rules share (the address analysis).
    cache: dict[str, object] = field(default_factory=dict)

    def span_of(self, source: Source) -> Span | None:
        doc = self.documents.get(source.file) if source.file else None
        if doc is None:
            return None
        return doc.span(source.start, source.end)


def locate(project: Project, node: Scalar, start: int, end: int) -> tuple[str, Span]:
    """Where ``value[start:end]`` of ``node`` is written: in the compose file, an interpolation default, a `.env`
    or `env_file` file; the whole scalar when the text is escaped, folded or comes from the process environment."""
    text = node.interp
    if text is not None:
        source = text.origin(start, end)
        if source is not None and source.file is not None:
            span = project.span_of(source)
            if span is not None:
                return source.file, span
    return node.file, node.span


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


# --- one file -------------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _File:
    """One compose file, interpolated, with its services resolved (extends) and its includes loaded."""

    doc: Document
    directory: Path
    root: Mapping
    services: dict[str, Mapping]
    keys: dict[str, Scalar]
    resolved: dict[str, Mapping] = field(default_factory=dict)


class _Loader:
    def __init__(self, project: Project, reader: Reader, environ: dict[str, str]) -> None:
        self.project = project
        self.reader = reader
        self.environ = environ
        self.files: dict[tuple[str, int], _File | None] = {}
        self.reported: set[tuple[str, str]] = set()
        # Files already included in this project (by real path): each is loaded and merged once.
        self.included: set[str] = set()

    # problems ---------------------------------------------------------------------------------------------

    def problem(self, kind: Kind, node: Node | None, message: str, file: str | None = None, help: str = "") -> None:
        if node is not None:
            self.project.problems.append(ProjectProblem(kind, node.file, node.span, message, help))
        elif file is not None:
            start = Position(1, 1, 0)
            self.project.problems.append(ProjectProblem(kind, file, Span(start, start), message))

    def unreadable(self, path: Path, what: str) -> bool:
        """Report a file that exists but cannot be read (on the file itself); True when that is the case."""
        key = display_path(path)
        reason = self.reader.errors.get(key)
        if reason is None:
            return False
        if (key, reason) not in self.reported:
            self.reported.add((key, reason))
            self.problem(Kind.UNREADABLE, None, f"cannot read this {what}: {reason}", key)
        return True

    # reading ----------------------------------------------------------------------------------------------

    def read(self, path: Path, *, yaml: bool = True) -> Document | None:
        doc = self.reader.document(path, display_path(path), yaml=yaml)
        if doc is not None:
            self.project.documents[doc.path] = doc
        return doc

    def variables_for(self, directory: Path, env_paths: list[Path] | None, referrer: Node | None) -> dict[str, Text]:
        """Interpolation variables: the env files (default: `.env` in ``directory``), then the process env wins."""
        found: dict[str, Text] = {}
        paths = env_paths if env_paths is not None else [directory / ".env"]
        process = {k: _env_text(k, v) for k, v in self.environ.items()}
        for path in paths:
            if not os.path.lexists(path):
                if env_paths is not None:
                    self.problem(Kind.MISSING_REFERENCE, referrer, f"env file `{path}` not found")
                continue
            env = self.env_file(path, {**found, **process})
            if env is not None:
                found.update({k: v for k, v in env.values.items() if v is not None})
        return {**found, **process}

    def env_file(self, path: Path, variables: dict[str, Text], *, raw: bool = False) -> EnvFile | None:
        doc = self.read(path, yaml=False)
        if doc is None:
            if not self.unreadable(path, "env file") and os.path.lexists(path):
                # A dangling symlink, or a file removed meanwhile: missing, said on the file.
                self.problem(Kind.MISSING_REFERENCE, None, "env file not found", display_path(path))
            return None
        env = parse_env(doc, variables, raw=raw)
        self.project.env_files[doc.path] = env
        for problem in env.problems:
            position = doc.position(problem.start)
            kind, message = (Kind.TOO_DEEP, problem.message) if problem.limit else (Kind.SYNTAX, problem.message)
            self.project.problems.append(
                ProjectProblem(kind, doc.path, Span(position, position), f"env file: {message}")
            )
        return env

    def compose_file(self, path: Path, variables: dict[str, Text], referrer: Node | None) -> _File | None:
        key = (real_path(path), id(variables))
        if key in self.files:
            return self.files[key]
        self.files[key] = None  # a file that includes itself stops here
        doc = self.read(path)
        if doc is None:
            if not self.unreadable(path, "compose file"):
                self.problem(
                    Kind.MISSING_REFERENCE, referrer, f"file `{path}` not found", None if referrer else str(path)
                )
            return None
        if not doc.readable or not isinstance(doc.root, Mapping):
            return None  # a syntax problem or a schema violation reports it; Compose refuses the file
        root = self._interpolate(doc, doc.root, Interpolator(variables))
        assert isinstance(root, Mapping)
        services_node = root.get("services")
        services: dict[str, Mapping] = {}
        keys: dict[str, Scalar] = {}
        if isinstance(services_node, Mapping):
            for name, entry in services_node.entries.items():
                if isinstance(entry.value, Mapping):
                    services[name] = _normalise(entry.value)
                    keys[name] = entry.key
        loaded = _File(doc, path.parent, root, services, keys)
        self.files[key] = loaded
        return loaded

    def _interpolate(self, doc: Document, node: Node, interpolator: Interpolator) -> Node:
        if isinstance(node, Scalar):
            text = scalar_text(node)
            if text is None:
                return node
            located = located_text(doc, node, text)
            if not isinstance(node.value, str) or "$" not in text:
                # The common case: nothing to interpolate. A direct constructor is much cheaper than replace().
                return Scalar(node.file, node.span, node.tag, node.via, node.value, node.text, node.style, located)
            try:
                interpolated = interpolator.interpolate(located)
            except InterpolationError as exc:
                span = self.project.span_of(exc.source) if exc.source else None
                kind = Kind.MISSING_REFERENCE if exc.required else Kind.TOO_DEEP if exc.limit else Kind.INVALID
                if exc.required or exc.limit:
                    seen = (doc.path, exc.message)
                    if seen in self.reported:
                        return replace(node, interp=located)
                    self.reported.add(seen)
                if span is not None and exc.source is not None and exc.source.file is not None:
                    self.project.problems.append(ProjectProblem(kind, exc.source.file, span, exc.message))
                else:
                    self.problem(kind, node, exc.message)
                return replace(node, interp=located)
            return replace(node, value=interpolated.value, interp=interpolated)
        # Direct constructors again: replace() was 5% of checking the corpus.
        if isinstance(node, Sequence):
            items = [self._interpolate(doc, item, interpolator) for item in node.items]
            return Sequence(node.file, node.span, node.tag, node.via, items, node.flow)
        assert isinstance(node, Mapping)
        entries = {
            name: Entry(entry.key, self._interpolate(doc, entry.value, interpolator))
            for name, entry in node.entries.items()
        }
        return Mapping(node.file, node.span, node.tag, node.via, entries, node.flow)

    # extends ----------------------------------------------------------------------------------------------

    def resolve(
        self, file: _File, name: str, variables: dict[str, Text], stack: tuple[tuple[str, str], ...]
    ) -> Mapping:
        if name in file.resolved:
            return file.resolved[name]
        node = file.services[name]
        extends = node.get("extends")
        if extends is None:
            file.resolved[name] = node
            return node
        own = _without(node, "extends")
        target_name: str | None
        target_file = file
        file_node: Node | None = None
        if isinstance(extends, Mapping):
            target_name = text_of(extends.get("service"))
            file_node = extends.get("file")
        else:
            target_name = text_of(extends)
        if not target_name:
            self.problem(Kind.MISSING_REFERENCE, extends, f"`extends` of service `{name}` names no service")
            return own
        if file_node is not None:
            relative = text_of(file_node) or ""
            loaded = self.compose_file(file.directory / relative, variables, file_node)
            if loaded is None:
                return own
            target_file = loaded
        here = (file.doc.path, name)
        there = (target_file.doc.path, target_name)
        if there in stack or there == here:
            chain = " -> ".join(f"{s}" for _, s in (*stack, here, there))
            self.problem(Kind.MISSING_REFERENCE, extends, f"`extends` cycle: {chain}")
            return own
        if len(stack) >= MAX_EXTENDS_CHAIN:
            self.problem(
                Kind.TOO_DEEP,
                extends,
                f"`extends` chain longer than {MAX_EXTENDS_CHAIN} services: composefix stops following it here",
            )
            return own
        if target_name not in target_file.services:
            where = f" in `{target_file.doc.path}`" if target_file is not file else ""
            self.problem(
                Kind.MISSING_REFERENCE,
                extends,
                f"service `{name}` extends `{target_name}`, which is not defined{where}",
            )
            return own
        base = self.resolve(target_file, target_name, variables, (*stack, here))
        merged = merge_service(base, own)
        file.resolved[name] = merged
        return merged

    # include ----------------------------------------------------------------------------------------------

    def includes(self, file: _File, stack: tuple[str, ...]) -> Iterator[tuple[_File, dict[str, Text]]]:
        include = file.root.get("include")
        if not isinstance(include, Sequence):
            return
        if len(stack) > MAX_INCLUDE_DEPTH:
            self.problem(
                Kind.TOO_DEEP,
                include,
                f"`include` nested deeper than {MAX_INCLUDE_DEPTH} files: composefix stops following it here",
            )
            return
        for item in include.items:
            paths_node: Node | None = item
            project_dir: Path | None = None
            env_paths: list[Path] | None = None
            if isinstance(item, Mapping):
                paths_node = item.get("path")
                directory = text_of(item.get("project_directory"))
                project_dir = file.directory / directory if directory else None
                env_node = item.get("env_file")
                if env_node is not None:
                    names = [text_of(n) for n in (env_node.items if isinstance(env_node, Sequence) else [env_node])]
                    env_paths = [file.directory / n for n in names if n]
            paths = paths_node.items if isinstance(paths_node, Sequence) else [paths_node]
            files: list[_File] = []
            variables: dict[str, Text] = {}
            for index, path_node in enumerate(paths):
                relative = text_of(path_node)
                if not relative:
                    continue
                path = file.directory / relative
                real = real_path(path)
                if real in stack or display_path(path) in stack:
                    self.problem(Kind.MISSING_REFERENCE, path_node, f"`include` cycle: `{relative}` includes itself")
                    continue
                if real in self.included:
                    continue  # already included in this project (loaded and merged once)
                self.included.add(real)
                if index == 0:
                    base_dir = project_dir or path.parent
                    variables = self.variables_for(base_dir, env_paths, path_node)
                loaded = self.compose_file(path, variables, path_node)
                if loaded is not None:
                    files.append(loaded)
            for included in files:
                yield included, variables
                yield from self.includes(included, (*stack, real_path(Path(included.doc.path))))


# Names a project gives the committed template of an env file that each machine fills in (`.env.example` for
# `.env`, `app.env.sample` for `app.env`, `example.env`): Compose never loads them.
_TEMPLATE_SUFFIXES = (".example", ".sample", ".dist", ".template", ".tmpl", ".default")


def _template_help(path: Path, relative: str) -> str:
    """How to create a missing env file from the template beside it, if there is one; "" otherwise."""
    names = [path.name + suffix for suffix in _TEMPLATE_SUFFIXES]
    if path.name.startswith("."):
        names += [path.name[1:] + suffix for suffix in _TEMPLATE_SUFFIXES] + ["example" + path.name]
    for name in names:
        template = path.with_name(name)
        if template.is_file() and not template.is_symlink():
            shown = str(Path(relative).with_name(name)) if "/" in relative else name
            return f"create it from the template beside it: copy `{shown}` to `{relative}` and fill in its values"
    return ""


@functools.lru_cache(maxsize=4096)
def _env_text(name: str, value: str) -> Text:
    """A process environment variable as a Text (cached: every project of a run reads the same environment).
    Bytes that are not UTF-8 (Python keeps them as lone surrogates) become U+FFFD, as they would in Go."""
    if not value.isascii():
        try:
            data = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = value.encode("utf-8", "surrogatepass")
        value = data.decode("utf-8", "replace")
    return Text(value, (Piece(0, len(value), Source(None, 0, 0, False, f"environment:{name}")),))


# --- normalising and merging ----------------------------------------------------------------------------------


def _synthetic(item: Scalar, value: str | None, offset: int) -> Scalar:
    interp = item.interp.slice(offset) if item.interp is not None and value is not None else None
    return replace(item, value=value, text=value or "", interp=interp)


def _pairs(node: Node) -> Node:
    """`list_or_dict` (environment, labels, build.args) as a mapping of name -> Scalar (value None when unset)."""
    if not isinstance(node, Sequence):
        return node
    entries: dict[str, Entry] = {}
    for item in node.items:
        text = text_of(item)
        if text is None or not isinstance(item, Scalar):
            continue
        name, sep, value = text.partition("=")
        name = name.strip()
        key = replace(item, value=name, text=name, interp=None)
        entries[name] = Entry(key, _synthetic(item, value if sep else None, len(name) + 1 if sep else 0))
    return Mapping(node.file, node.span, node.tag, node.via, entries, node.flow)


def _normalise(service: Mapping) -> Mapping:
    """List-or-dict keys as mappings, so that merging by name is a mapping merge."""
    entries = dict(service.entries)
    for key in BY_NAME:
        if key in entries:
            entries[key] = Entry(entries[key].key, _pairs(entries[key].value))
    build = entries.get("build")
    if build is not None and isinstance(build.value, Mapping) and "args" in build.value.entries:
        args = build.value.entries["args"]
        build_entries = dict(build.value.entries)
        build_entries["args"] = Entry(args.key, _pairs(args.value))
        entries["build"] = Entry(build.key, replace(build.value, entries=build_entries))
    return replace(service, entries=entries)


def _without(node: Mapping, key: str) -> Mapping:
    return replace(node, entries={k: e for k, e in node.entries.items() if k != key})


def _host_items(node: Node) -> list[Node]:
    """`extra_hosts` as a list of `name:ip` scalars (the mapping form becomes one item per address)."""
    if isinstance(node, Sequence):
        return list(node.items)
    if isinstance(node, Mapping):
        items: list[Node] = []
        for name, entry in node.entries.items():
            values = entry.value.items if isinstance(entry.value, Sequence) else [entry.value]
            for value in values:
                if isinstance(value, Scalar):
                    address = text_of(value) or ""
                    interp = value.interp
                    prefix = Text(f"{name}:")
                    joined = Text(
                        prefix.value + address,
                        tuple(
                            Piece(p.start + len(prefix.value), p.end + len(prefix.value), p.source)
                            for p in (interp.pieces if interp is not None else ())
                        ),
                    )
                    items.append(replace(value, value=joined.value, text=joined.value, interp=joined))
        return items
    return []


def _port_key(node: Node) -> object:
    from composefix.ports import PortError, parse_range

    try:
        return parse_range(node).key
    except PortError:
        return ("invalid", id(node))


def _append_unique(base: list[Node], extra: list[Node], key: Callable[[Node], object]) -> list[Node]:
    seen = {key(n) for n in base}
    result = list(base)
    for node in extra:
        marker = key(node)
        if marker not in seen:
            seen.add(marker)
            result.append(node)
    return result


def _text_key(node: Node) -> object:
    text = text_of(node)
    return text if text is not None else ("node", id(node))


def _merge_value(key: str, base: Node, over: Node) -> Node | None:
    """Merge one service key (None removes it: `!reset`)."""
    if over.tag == RESET_TAG:
        return None
    if over.tag == "!override" or key in REPLACED:
        return over
    if key == "extra_hosts":
        items = _append_unique(_host_items(base), _host_items(over), _text_key)
        return Sequence(over.file, over.span, None, over.via, items, False)
    if key == "ports" and isinstance(base, Sequence) and isinstance(over, Sequence):
        return replace(over, items=_append_unique(base.items, over.items, _port_key))
    if key in APPENDED_UNIQUE or key == "env_file":
        # `string_or_list` keys: a lone string is a one-item list.
        base_items = base.items if isinstance(base, Sequence) else [base]
        over_items = over.items if isinstance(over, Sequence) else [over]
        items = _append_unique(base_items, over_items, _text_key) if key != "env_file" else base_items + over_items
        return Sequence(over.file, over.span, None, over.via, items, False)
    if key == "healthcheck" and isinstance(base, Mapping) and isinstance(over, Mapping):
        merged = merge_mapping(base, over, nested=True)
        if "test" in over.entries:
            merged.entries["test"] = over.entries["test"]
        return merged
    if key in ("networks", "depends_on"):
        base, over = _as_mapping(base), _as_mapping(over)
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        return merge_mapping(base, over, nested=True)
    if isinstance(base, Sequence) and isinstance(over, Sequence):
        return replace(over, items=[*base.items, *over.items])
    return over


def _as_mapping(node: Node) -> Node:
    if isinstance(node, Sequence):
        entries = {}
        for item in node.items:
            name = text_of(item)
            if name is not None and isinstance(item, Scalar):
                empty = Scalar(item.file, item.span, None, item.via, None, "", None)
                entries[name] = Entry(item, empty)
        return Mapping(node.file, node.span, None, node.via, entries, node.flow)
    return node


def merge_mapping(base: Mapping, over: Mapping, *, nested: bool = False) -> Mapping:
    entries = dict(base.entries)
    for name, entry in over.entries.items():
        if name in entries:
            merged = _merge_value(name, entries[name].value, entry.value) if nested else entry.value
            if merged is None:
                del entries[name]
            else:
                entries[name] = Entry(entry.key, merged)
        elif entry.value.tag != RESET_TAG:
            entries[name] = entry
    return replace(over, entries=entries, tag=None)


def merge_service(base: Mapping, over: Mapping) -> Mapping:
    """Merge two definitions of a service as Compose does for `-f` files and `extends`."""
    entries = dict(base.entries)
    for name, entry in over.entries.items():
        if name not in entries:
            if entry.value.tag != RESET_TAG:
                entries[name] = entry
            continue
        merged = _merge_value(name, entries[name].value, entry.value)
        if merged is None:
            del entries[name]
        else:
            entries[name] = Entry(entry.key, merged)
    return replace(over, entries=entries, tag=None)


# --- the whole project ----------------------------------------------------------------------------------------


def load_project(
    files: list[Path],
    *,
    reader: Reader | None = None,
    project_directory: Path | None = None,
    environ: dict[str, str] | None = None,
    env_files: list[Path] | None = None,
    profiles: list[str] | None = None,
) -> Project:
    """Load the project made of ``files`` (merged in order) as Compose does."""
    reader = reader or Reader()
    environ = dict(os.environ if environ is None else environ)
    directory = project_directory or files[0].parent
    project = Project(
        name=Path(real_path(directory)).name.lower(),
        directory=directory,
        compose_files=[display_path(f) for f in files],
    )
    loader = _Loader(project, reader, environ)
    variables = loader.variables_for(directory, env_files, None)
    project.variables = variables
    merged: dict[str, Mapping] = {}
    keys: dict[str, Scalar] = {}
    top: dict[str, Node] = {}
    for path in files:
        loaded = loader.compose_file(path, variables, None)
        if loaded is None:
            continue
        for name in loaded.services:
            resolved = loader.resolve(loaded, name, variables, ())
            merged[name] = merge_service(merged[name], resolved) if name in merged else resolved
            keys.setdefault(name, loaded.keys[name])
        for name, entry in loaded.root.entries.items():
            if name in ("services", "include"):
                continue
            if name in top and isinstance(top[name], Mapping) and isinstance(entry.value, Mapping):
                top[name] = merge_mapping(top[name], entry.value, nested=True)  # type: ignore[arg-type]
            else:
                top[name] = entry.value
        for included, inc_vars in loader.includes(loaded, (real_path(path),)):
            for name in included.services:
                if name in merged and name not in loaded.services:
                    continue
                if name in loaded.services:
                    loader.problem(
                        Kind.INVALID,
                        loaded.keys[name],
                        f"service `{name}` is also defined by the included file `{included.doc.path}`: "
                        "Compose rejects the project",
                    )
                    continue
                merged[name] = loader.resolve(included, name, inc_vars, ())
                keys[name] = included.keys[name]
    for name, node in merged.items():
        if profiles is not None and "*" not in profiles:
            service_profiles = node.get("profiles")
            names = {text_of(p) for p in service_profiles.items} if isinstance(service_profiles, Sequence) else set()
            if names and not names & set(profiles):
                continue
        service = Service(name, node, keys[name])
        service.env = _environment(loader, service, directory, variables)
        project.services[name] = service
    project.top = top
    _attach_configs(project)
    _check_references(loader, project)
    return project


def _attach_configs(project: Project) -> None:
    """Give each service the inline config files it mounts: the process in it reads them
    (docs/platforms.md#where-addresses-appear)."""
    configs = project.top.get("configs")
    if not isinstance(configs, Mapping):
        return
    for service in project.services.values():
        used = service.get("configs")
        if not isinstance(used, Sequence):
            continue
        for item in used.items:
            name = text_of(item.get("source")) if isinstance(item, Mapping) else text_of(item)
            definition = configs.get(name) if name else None
            content = definition.get("content") if isinstance(definition, Mapping) else None
            if name and isinstance(content, Scalar) and text_of(content) is not None:
                service.configs.append((name, content))


def _environment(loader: _Loader, service: Service, directory: Path, variables: dict[str, Text]) -> dict[str, Scalar]:
    env: dict[str, Scalar] = {}
    env_file = service.get("env_file")
    items = env_file.items if isinstance(env_file, Sequence) else [env_file] if env_file is not None else []
    for item in items:
        required = True
        raw = False
        path_node: Node | None = item
        if isinstance(item, Mapping):
            path_node = item.get("path")
            required_node = item.get("required")
            required = not (isinstance(required_node, Scalar) and required_node.value in (False, "false"))
            raw = text_of(item.get("format")) == "raw"
        relative = text_of(path_node)
        if not relative:
            continue
        base = Path(path_node.file).parent if path_node is not None else directory
        path = base / relative
        if not os.path.lexists(path) or (not required and not path.is_file()):
            if required:
                loader.problem(
                    Kind.MISSING_REFERENCE,
                    path_node,
                    f"env file `{relative}` not found (service `{service.name}`)",
                    help=_template_help(path, relative),
                )
            continue
        parsed = loader.env_file(path, variables, raw=raw)
        if parsed is None:
            continue
        doc = parsed.doc
        for name, value in parsed.values.items():
            if value is None:
                continue
            start = value.pieces[0].source.start if value.pieces else 0
            position = doc.position(start)
            span = Span(position, doc.position(start + len(value.value)))
            env[name] = Scalar(doc.path, span, None, "env_file", value.value, value.value, None, value)
    environment = service.get("environment")
    if isinstance(environment, Mapping):
        for name, entry in environment.entries.items():
            item = entry.value
            if not isinstance(item, Scalar):
                continue
            if item.value is None and item.tag != RESET_TAG:
                found = variables.get(name)
                if found is not None:
                    item = replace(item, value=found.value, text=found.value, interp=found)
            env.pop(name, None)
            env[name] = item
    return env


def _check_references(loader: _Loader, project: Project) -> None:
    names = set(project.services)
    for service in project.services.values():
        owner = service.namespace_owner
        if owner is not None and owner[0] == "service" and owner[1] not in names:
            loader.problem(
                Kind.MISSING_REFERENCE,
                service.get("network_mode"),
                f"service `{service.name}` uses the network of service `{owner[1]}`, which is not defined",
            )
        depends = service.get("depends_on")
        targets: list[tuple[str, Node]] = []
        if isinstance(depends, Sequence):
            targets = [(text_of(n) or "", n) for n in depends.items]
        elif isinstance(depends, Mapping):
            # `required: false` (Compose 2.20+) makes a missing dependency a warning in Compose, not an error.
            targets = [
                (name, entry.key)
                for name, entry in depends.entries.items()
                if not (isinstance(entry.value, Mapping) and text_of(entry.value.get("required")) == "false")
            ]
        for name, node in targets:
            if name and name not in names:
                loader.problem(
                    Kind.MISSING_REFERENCE, node, f"service `{service.name}` depends on `{name}`, which is not defined"
                )


def command_words(node: Node | None) -> list[str] | None:
    """`command`/`entrypoint` as the list Compose passes on (a string is split shell-style, not run by a shell)."""
    if isinstance(node, Sequence):
        return [text_of(item) or "" for item in node.items]
    text = text_of(node)
    return shell_words(text) if text is not None else None


def shell_words(line: str) -> list[str]:
    """Split like mattn/go-shellwords, which Compose uses: quotes and `$(...)` group words, and an unquoted
    `;`, `&`, `|`, `<` or `>` ends the command (what follows is dropped)."""
    args: list[str] = []
    buf: list[str] = []
    got = escaped = single = double = dollar = False
    for char in line:
        if escaped:
            buf.append(char)
            escaped = False
            got = True
            continue
        if char == "\\":
            if single:
                buf.append(char)
            else:
                escaped = True
            continue
        if char in " \t\r\n":
            if single or double or dollar:
                buf.append(char)
            elif got:
                args.append("".join(buf))
                buf, got = [], False
            continue
        if char == "(" and not (single or double) and not dollar and buf and buf[-1] == "$":
            dollar = True
        elif char == ")" and dollar and not (single or double):
            dollar = False
        elif char == '"' and not single and not dollar:
            double = not double
            got = True
            continue
        elif char == "'" and not double and not dollar:
            single = not single
            got = True
            continue
        elif char in ";&|<>" and not (single or double or dollar):
            break
        buf.append(char)
        got = True
    if got:
        args.append("".join(buf))
    return args
