"""What a rule is, and the context it reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from composefix.model import Applicability, Finding, Fix, Related, Severity, Span, Target
from composefix.reading.document import Document, Node
from composefix.reading.project import Project, Service
from composefix.reading.schema import SchemaProblem

ALL_TARGETS: frozenset[Target] = frozenset(Target)


class Settings(NamedTuple):
    """The parts of the configuration that change what rules report."""

    targets: frozenset[Target]
    desktop_host_networking: bool = False
    bridge_ips: tuple[str, ...] = ()
    # Fix inputs: ports to publish per service (`--publish`, config `publish`) and local images' EXPOSE ports
    # (`--inspect-images`), by image reference.
    publish: Mapping[str, tuple[int, ...]] = {}
    image_ports: Mapping[str, tuple[int, ...]] = {}
    # Host folders the team added to the engines' file sharing (CF202).
    file_sharing: tuple[str, ...] = ()


class Unused(NamedTuple):
    """An inline suppression token that suppressed nothing (reported by CF900)."""

    file: str
    span: Span
    message: str


@dataclass(slots=True, eq=False)
class Context:
    """What a rule reads: the merged project, each compose file's schema problems, and the settings."""

    project: Project
    settings: Settings
    schema_problems: dict[str, list[SchemaProblem]] = field(default_factory=dict)
    unused_suppressions: list[Unused] = field(default_factory=list)

    @classmethod
    def for_unused(cls, path: str, unused: list[Unused], document: Document | None = None) -> Context:
        project = Project(name="", directory=Path("."), compose_files=[path])
        if document is not None:
            project.documents[path] = document
        return cls(project, Settings(frozenset()), {}, unused)

    @property
    def services(self) -> Iterable[Service]:
        return self.project.services.values()

    def service(self, name: str) -> Service | None:
        return self.project.services.get(name)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: its code, name, default severity, the engines it concerns, docs and check function."""

    code: str
    name: str
    severity: Severity
    # The engines whose behaviour the rule is about: it is silent unless one of them is a chosen target.
    targets: frozenset[Target]
    summary: str
    doc: str
    check: Callable[[Context], Iterator[Finding]] = field(compare=False)
    # Reads `Context.schema_problems`: the engine validates files against the schema only when such a rule runs.
    uses_schema: bool = False
    # Runs once per file after inline suppressions are applied, on `Context.unused_suppressions` (not on projects).
    after_suppressions: bool = False
    # How safe the rule's fixes are (its docs' "Fix safety"); None for a rule without automatic fixes.
    fixable: Applicability | None = None
    # A finding means the file is not a valid Compose file: a rewrite must never produce one.
    invalid_file: bool = False

    def concerns(self, targets: frozenset[Target]) -> bool:
        return bool(self.targets & targets)

    def finding(
        self,
        where: Node | tuple[str, Span],
        message: str,
        *,
        service: str | None = None,
        path: str = "",
        help: str | None = None,
        severity: Severity | None = None,
        related: tuple[Related, ...] = (),
        fix: Fix | None = None,
        no_fix: str = "",
    ) -> Finding:
        file, span = (where.file, where.span) if isinstance(where, Node) else where
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            file=file,
            span=span,
            path=path,
            service=service,
            help=help,
            related=related,
            fix=fix,
            no_fix=no_fix,
        )
