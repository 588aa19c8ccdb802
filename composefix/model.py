"""Value types shared by every layer: positions, spans, origins, findings."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


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
    """An engine the project must work on (docs/platforms.md#engines-and-targets)."""

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


class Position(NamedTuple):
    """1-based line and column (in characters) and 0-based offset in the decoded text."""

    line: int
    column: int
    offset: int


class Span(NamedTuple):
    start: Position
    end: Position


class Edit(NamedTuple):
    """Replace ``text[start:end]`` of ``file`` with ``text``; start == end inserts."""

    file: str
    start: int
    end: int
    text: str


class Fix(NamedTuple):
    title: str
    applicability: Applicability
    edits: tuple[Edit, ...] = ()


class Related(NamedTuple):
    """Another location that explains a finding."""

    file: str
    span: Span
    message: str


class Finding(NamedTuple):
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
    related: tuple[Related, ...] = ()

    @property
    def line(self) -> int:
        return self.span.start.line

    @property
    def column(self) -> int:
        return self.span.start.column
