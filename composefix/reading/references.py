"""The loader's reference checks: a service that joins, or depends on, a service the project does not define (a loading
problem; a rule turns it into a finding)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from composefix.reading.document import Kind, Mapping, Node, Sequence
from composefix.reading.project import Project, text_of

if TYPE_CHECKING:
    from composefix.reading.loader import Loader


def check_references(loader: Loader, project: Project) -> None:
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
