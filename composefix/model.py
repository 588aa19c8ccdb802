"""Value types shared by every layer: positions, spans, origins, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Target(StrEnum):
    """An engine the project must work on (design §5 "Targets")."""

    LINUX = "linux"
    DESKTOP = "desktop"
    COLIMA = "colima"
    ORBSTACK = "orbstack"
    PODMAN = "podman"
    RANCHER = "rancher"


TARGET_LABELS: dict[Target, str] = {
    Target.LINUX: "Linux Docker Engine",
    Target.DESKTOP: "Docker Desktop",
    Target.COLIMA: "Colima",
    Target.ORBSTACK: "OrbStack",
    Target.PODMAN: "Podman machine",
    Target.RANCHER: "Rancher Desktop",
}

DEFAULT_TARGETS: frozenset[Target] = frozenset({Target.LINUX, Target.DESKTOP})


def describe_targets(targets: frozenset[Target] | set[Target]) -> str:
    """`Docker Desktop and Colima` in a stable order."""
    names = [TARGET_LABELS[t] for t in Target if t in targets]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Applicability(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column (in characters) and 0-based offset in the decoded text."""

    line: int
    column: int
    offset: int


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position

    def contains(self, other: Span) -> bool:
        return self.start.offset <= other.start.offset and other.end.offset <= self.end.offset


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value's text lives, and how it reached the place that uses it."""

    file: str
    span: Span
    via: str | None = None


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` of ``file`` with ``text``; start == end inserts."""

    file: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    applicability: Applicability
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Related:
    """Another location that explains a finding."""

    file: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    file: str
    span: Span
    path: str = ""
    service: str | None = None
    help: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = field(default=())

    @property
    def line(self) -> int:
        return self.span.start.line

    @property
    def column(self) -> int:
        return self.span.start.column

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.span.start.offset, self.span.end.offset, self.code)
