"""What a rule is, and the context it reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from composefix.document import Document
from composefix.model import Finding, Related, Severity, Span, Target
from composefix.project import ProjectFile, Service
from composefix.schema import SchemaProblem

ALL_TARGETS: frozenset[Target] = frozenset(Target)


@dataclass(frozen=True, slots=True)
class Settings:
    """The parts of the configuration that change what rules report."""

    targets: frozenset[Target]
    desktop_host_networking: bool = False
    bridge_ips: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unused:
    """An inline suppression token that suppressed nothing (reported by CF900)."""

    span: Span
    message: str


@dataclass(slots=True)
class Context:
    """What a rule reads: one file of the project, its schema problems, and the settings."""

    file: ProjectFile
    settings: Settings
    schema_problems: list[SchemaProblem] = field(default_factory=list)
    unused_suppressions: list[Unused] = field(default_factory=list)

    @property
    def doc(self) -> Document:
        return self.file.doc

    @property
    def services(self) -> Iterable[Service]:
        return self.file.services.values()

    def service(self, name: str) -> Service | None:
        return self.file.services.get(name)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    # The engines whose behaviour the rule is about: it is silent unless one of them is a chosen target.
    targets: frozenset[Target]
    summary: str
    doc: str
    check: Callable[[Context], Iterator[Finding]] = field(compare=False)

    def concerns(self, targets: frozenset[Target]) -> bool:
        return bool(self.targets & targets)

    def finding(
        self,
        ctx: Context,
        span: Span,
        message: str,
        *,
        service: str | None = None,
        path: str = "",
        help: str | None = None,
        severity: Severity | None = None,
        related: tuple[Related, ...] = (),
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            file=ctx.doc.path,
            span=span,
            path=path,
            service=service,
            help=help,
            related=related,
        )
