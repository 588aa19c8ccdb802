"""Value types shared by every layer: positions, spans, origins, findings, and the changes that fix them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from composefix.analysis.strings import StringRef
    from composefix.reading.document import Node, Scalar


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


# --- changes: what a fix does, independent of how it is written (in place or in an override file) ----------


@dataclass(frozen=True, slots=True)
class ReplaceText:
    """Replace ``file``'s text ``[start:end]``, part of the string ``ref`` of ``service``, with ``text``."""

    service: str
    file: str
    start: int
    end: int
    text: str
    ref: StringRef | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RemovePragma:
    """Delete ``file``'s text ``[start:end]``: a suppression comment (or its whole line). In place only."""

    file: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ResetKey:
    """Take ``key`` away from ``service`` (the line removed in place, `KEY: !reset null` in an override)."""

    service: str
    key: str


@dataclass(frozen=True, slots=True)
class PublishPorts:
    """Publish each (container port, where it was learnt) of ``service`` as `PORT:PORT`."""

    service: str
    ports: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class EnsureHostGateway:
    """Give ``service`` the entry `host.docker.internal:host-gateway` in `extra_hosts`."""

    service: str


@dataclass(frozen=True, slots=True)
class MapToHostGateway:
    """Make the `extra_hosts` entry ``node`` (at ``file``:``offset``) of ``service`` map to `host-gateway`."""

    service: str
    file: str
    offset: int
    node: Scalar = field(compare=False)


@dataclass(frozen=True, slots=True)
class MoveKey:
    """Move ``key`` of ``service`` to ``owner``, the service whose network namespace it uses."""

    service: str
    key: str
    owner: str


@dataclass(frozen=True, slots=True)
class JoinNetworks:
    """Put ``service`` on the project ``networks`` (in this order): the networks of the services it talks to and
    that talk to it, when it leaves a network mode for the project's networks."""

    service: str
    networks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetVariable:
    """Give ``service`` the environment variable ``name`` with ``value``, written as a compose file value (so
    `${TZ:-UTC}` is interpolated by Compose)."""

    service: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class RemoveItem:
    """Take the item ``node`` (written at ``file``:``offset``) out of the list ``key`` of ``service``."""

    service: str
    key: str
    file: str
    offset: int
    node: Node = field(compare=False)


@dataclass(frozen=True, slots=True)
class OptIn:
    """Keep ``key`` of ``service`` only for the machines that opt in with the file ``name`` (`compose.gpu.yaml`):
    in place the key moves from the service to that file (beside the service's own file); in an override file,
    which only VM-backed machines load, the key is reset (Linux keeps it in the base file)."""

    service: str
    key: str
    # The opt-in file's name (not a file of the project).
    name: str
    # Who loads the file, for the usage line: "a GPU machine".
    machine: str = field(default="", compare=False)


Change = (
    ReplaceText
    | RemovePragma
    | ResetKey
    | PublishPorts
    | EnsureHostGateway
    | MapToHostGateway
    | MoveKey
    | SetVariable
    | RemoveItem
    | OptIn
    | JoinNetworks
)


class Fix(NamedTuple):
    """A rule's fix for one finding: the changes it makes and when it may be applied.

    ``requires`` are changes that some other fix must make for this one to be right (CF103's replacement in a
    host-mode service needs the service to leave host mode); when none does, ``fallback`` is tried, and without
    one the finding stays unfixed because ``unmet``. ``vm_only`` marks a change that belongs in an override file
    only the VM-backed machines load: override mode applies it although it is unsafe. ``also`` holds the same
    finding's fixes for other services that share its text (an anchor, an `extends` base, a `.env` value).
    ``edits`` are the text edits of the changes, filled in for reports.
    """

    title: str
    applicability: Applicability
    edits: tuple[Edit, ...] = ()
    changes: tuple[Change, ...] = ()
    requires: tuple[Change, ...] = ()
    unmet: str = ""
    fallback: Fix | None = None
    vm_only: bool = False
    also: tuple[Fix, ...] = ()

    def merged(self, other: Fix) -> Fix:
        """This fix with ``other`` (the same finding, for another service sharing its text) added."""
        if other == self or other in self.also:
            return self
        return self._replace(also=(*self.also, other))


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
    # Why the rule offers no fix for this finding (empty: the rule has no automatic fix).
    no_fix: str = ""

    @property
    def line(self) -> int:
        return self.span.start.line

    @property
    def column(self) -> int:
        return self.span.start.column
