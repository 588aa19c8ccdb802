"""Load a project as Compose v2 does: files merged in order, include, extends, interpolation, env files.

Every value of the merged model is a node of the file its text came from (aliases and merge keys keep the anchor's
position), and every string scalar carries its interpolated `Text`, which knows whether a character came from the
compose file, an interpolation default, a `.env` file or the process environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from composefix.model import Position, Span
from composefix.reading.document import Document, Entry, Kind, Mapping, Node, Scalar, Sequence, scalar_text
from composefix.reading.environment import container_environment, env_text
from composefix.reading.files import Reader, display_path, real_path
from composefix.reading.interpolate import EnvFile, InterpolationError, Interpolator, located_text, parse_env
from composefix.reading.merge import merge_mapping, merge_service, normalise, without
from composefix.reading.project import Project, ProjectProblem, Service, text_of
from composefix.reading.references import check_references
from composefix.reading.texts import Text

# Hostile input: how long an `extends` chain and how deep an `include` nesting composefix follows.
MAX_EXTENDS_CHAIN = 64

MAX_INCLUDE_DEPTH = 32


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


class Loader:
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
        process = {k: env_text(k, v) for k, v in self.environ.items()}
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
                    services[name] = normalise(entry.value)
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
        own = without(node, "extends")
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
    loader = Loader(project, reader, environ)
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
        service.env = container_environment(loader, service, directory, variables)
        project.services[name] = service
    project.top = top
    _attach_configs(project)
    check_references(loader, project)
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
