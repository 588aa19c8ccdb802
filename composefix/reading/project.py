"""The loaded project: its services, merged top-level sections, variables and loading problems, and where a part of a
string value is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from composefix.model import Span
from composefix.reading.document import Document, Kind, Mapping, Node, Scalar, scalar_text
from composefix.reading.interpolate import EnvFile
from composefix.reading.texts import Source, Text


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
