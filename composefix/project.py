"""The files of a project and the services they define, as located trees."""

from __future__ import annotations

from dataclasses import dataclass, field

from composefix.document import Document, Mapping, Node, Scalar, scalar_text


@dataclass(slots=True)
class Service:
    """One service definition; ``node`` is None when the definition is not a mapping (a schema error)."""

    name: str
    doc: Document
    key: Scalar
    node: Mapping | None

    def get(self, key: str) -> Node | None:
        return self.node.get(key) if self.node is not None else None

    def key_of(self, key: str) -> Scalar | None:
        if self.node is None:
            return None
        entry = self.node.entries.get(key)
        return entry.key if entry is not None else None

    @property
    def network_mode(self) -> str | None:
        text = scalar_text(self.get("network_mode"))
        return text.strip() if text is not None else None

    @property
    def namespace_owner(self) -> tuple[str, str] | None:
        """("service" | "container", NAME) for a service that joins another's network namespace."""
        mode = self.network_mode or ""
        kind, sep, name = mode.partition(":")
        if sep and kind in ("service", "container") and name:
            return kind, name
        return None


@dataclass(slots=True)
class ProjectFile:
    doc: Document
    services: dict[str, Service] = field(default_factory=dict)


def services_of(doc: Document) -> dict[str, Service]:
    """The services a parsed document defines (none when the shape is wrong)."""
    root = doc.root
    if not isinstance(root, Mapping):
        return {}
    services = root.get("services")
    if not isinstance(services, Mapping):
        return {}
    found: dict[str, Service] = {}
    for name, entry in services.entries.items():
        node = entry.value if isinstance(entry.value, Mapping) else None
        found[name] = Service(name, doc, entry.key, node)
    return found


def project_file(doc: Document) -> ProjectFile:
    return ProjectFile(doc, services_of(doc) if doc.ok else {})
