"""Connections survive a rewrite: compare the connection graph of the project as Linux runs it with the
rewritten project as each target engine loads it, and name the fixes whose changes lose a connection.

A connection counts against the rewrite when it works on Linux in the original project and does not work on a
target after the rewrite, unless it was already broken on that target before the rewrite: that one is "already
broken", reported apart, and not the rewrite's doing (a docker0 address replaced by `host.docker.internal` still
fails on Rancher Desktop, which has no `host-gateway`, as the address failed there before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from composefix.analysis.network import Edge
from composefix.fixing.plan import Plan
from composefix.graph.connections import Lost, connection_graph, load_edited, lost_connections
from composefix.model import Change, Finding, ResetKey, Target
from composefix.reading.files import DEFAULT_OVERRIDE_NAMES
from composefix.reading.project import Project
from composefix.rules.runner import Options


def _edge_id(edge: Edge) -> tuple[object, ...]:
    return (*edge.key, edge.via.file, edge.via.span.start.offset)


@dataclass(slots=True, eq=False)
class Survival:
    """The connections of one rewrite: how many the original makes on Linux, per target those lost by the
    rewrite, and those broken before and left as they were."""

    edges: int = 0  # connections the original makes on Linux
    checked: int = 0  # (connection, target) pairs compared
    broken: list[Lost] = field(default_factory=list)
    already: list[Lost] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.checked - len(self.broken) - len(self.already)


def loaded(
    original: Project,
    files: list[Path],
    texts: Mapping[str, str],
    options: Options,
    *,
    in_place: bool,
    portable: Path | None = None,
    desktop: Path | None = None,
) -> dict[Target, Project]:
    """The project each target loads after the rewrite. In place every engine loads the edited files. In override
    mode (``portable``: the file every machine loads, ``desktop``: the file only VM-backed engines load; None when
    not written) Linux loads the base files and the portable file, VM-backed engines the desktop file as well;
    Linux loads the desktop file too when Compose loads it by itself (`compose.override.yaml` and its variants)
    and no portable file tells Linux machines what to load."""

    new: dict[Path | str, str] = {path: text for path, text in texts.items()}

    def load(extra: list[Path]) -> Project:
        return load_edited(
            [*files, *extra],
            new,
            project_directory=options.project_directory,
            environ=options.environ,
            env_files=list(options.env_files) if options.env_files is not None else None,
            profiles=list(options.profiles),
        )

    if in_place:
        edited = load([])
        return dict.fromkeys(options.targets, edited)
    linux_files = overrides(Target.LINUX, portable, desktop)
    vm_files = overrides(Target.DESKTOP, portable, desktop)
    vm = load(vm_files) if vm_files else original
    linux = vm if linux_files == vm_files else load(linux_files) if linux_files else original
    return {t: (linux if t is Target.LINUX else vm) for t in options.targets}


def overrides(target: Target, portable: Path | None, desktop: Path | None) -> list[Path]:
    """The override files written in override mode that ``target`` loads, in order (see `loaded`)."""
    if target is not Target.LINUX:
        return [path for path in (portable, desktop) if path is not None]
    if portable is not None:
        return [portable]
    return [desktop] if desktop is not None and desktop.name in DEFAULT_OVERRIDE_NAMES else []


def compare(original: Project, rewritten: Mapping[Target, Project], options: Options) -> Survival:
    """What the rewrite keeps, loses, and leaves broken (see the module's docstring)."""
    targets = [t for t in Target if t in rewritten]
    before = connection_graph(
        original,
        {Target.LINUX, *targets},
        desktop_host_networking=options.desktop_host_networking,
        bridge_ips=options.bridge_ips,
        explain=False,
    )
    linux = before.status[Target.LINUX]
    working = sum(1 for status in linux if status.works)
    result = Survival(edges=working, checked=working * len(targets))
    # Only the targets whose project differs from the original can lose anything.
    changed = {t: p for t, p in rewritten.items() if p is not original}
    if not changed:
        return result
    position = {_edge_id(edge): index for index, edge in enumerate(before.edges)}
    for lost in lost_connections(
        original,
        changed,
        [t for t in targets if t in changed],
        desktop_host_networking=options.desktop_host_networking,
        bridge_ips=options.bridge_ips,
    ):
        index = position.get(_edge_id(lost.edge))
        was = before.status[lost.target][index] if index is not None else None
        if was is not None and not was.works:
            result.already.append(lost)
        else:
            result.broken.append(lost)
    return result


def _services(change: Change) -> set[str]:
    names = {getattr(change, "service", None), getattr(change, "owner", None)}
    return {name for name in names if isinstance(name, str)}


def culprits(plan: Plan, broken: list[Lost]) -> list[tuple[Finding, str]]:
    """The fixed findings whose changes lose each connection in ``broken``, with the reason to show: first the
    fixes that take the connection's source or target out of its network mode (the fixes that need that change
    fall back with it), else the fixes that change either service, else every fix (nothing is written that loses
    a connection)."""
    fixed = [finding for finding, _ in plan.fixed]
    refused: dict[int, tuple[Finding, str]] = {}
    for lost in broken:
        ends = {lost.edge.source, lost.edge.target}
        changes = {id(f): plan.applied.get(id(f), []) for f in fixed}
        tiers = [
            [f for f in fixed if any(isinstance(c, ResetKey) and c.service in ends for c in changes[id(f)])],
            [f for f in fixed if any(_services(c) & ends for c in changes[id(f)])],
            fixed,
        ]
        chosen = next((tier for tier in tiers if tier), [])
        reason = f"the rewrite would break a connection on {lost.describe()}"
        for finding in chosen:
            refused.setdefault(id(finding), (finding, reason))
    return list(refused.values())
