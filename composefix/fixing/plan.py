"""Plan the fixes of a project's findings, and apply text edits.

Each rule attaches its fix to its finding: a `Fix` with typed changes (composefix.model). The planner knows no
rule: it keeps the fixes the policy allows (safe ones; unsafe ones with --unsafe-fixes, or in override mode when
the fix belongs in an override only VM-backed machines load), settles the fixes that need another fix's changes
(falling back when none makes them), merges and de-duplicates the changes (four rules may want the same
`extra_hosts` entry: it is added once), and refuses a fix whose text replacement conflicts with one already
planned. The renderers (inplace.py, override.py) write the resulting change list.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from composefix.analysis.strings import StringRef, Where
from composefix.model import (
    Applicability,
    Change,
    Edit,
    EnsureHostGateway,
    Finding,
    Fix,
    JoinNetworks,
    MapToHostGateway,
    MoveKey,
    OptIn,
    PublishPorts,
    RemoveItem,
    RemovePragma,
    ReplaceText,
    ResetKey,
    SetVariable,
    Target,
)
from composefix.reading.document import Scalar
from composefix.reading.project import Project

NO_FIX = "no automatic fix for this rule"


class Replacement(NamedTuple):
    """Replace ``doc.text[start:end]`` of ``file`` with ``text``, inside the string ``ref`` of ``service``."""

    file: str
    start: int
    end: int
    text: str
    service: str
    ref: StringRef | None
    change: ReplaceText


@dataclass(slots=True, eq=False)
class ServicePlan:
    """The structural changes planned for one service."""

    name: str
    reset: list[ResetKey] = field(default_factory=list)
    publish: list[PublishPorts] = field(default_factory=list)
    add_hosts: EnsureHostGateway | None = None
    gateway_entries: list[MapToHostGateway] = field(default_factory=list)
    moved: list[MoveKey] = field(default_factory=list)
    join: list[JoinNetworks] = field(default_factory=list)
    variables: list[SetVariable] = field(default_factory=list)
    removed_items: list[RemoveItem] = field(default_factory=list)
    opt_in: list[OptIn] = field(default_factory=list)

    @property
    def networks(self) -> list[str]:
        """The project networks the service joins, in order, without repeats."""
        return list(dict.fromkeys(name for change in self.join for name in change.networks))

    @property
    def ports(self) -> list[tuple[int, str]]:
        """(container port, where we learnt it) to publish as "PORT:PORT"."""
        return [port for change in self.publish for port in change.ports]

    @property
    def moved_keys(self) -> list[str]:
        return [change.key for change in self.moved]


@dataclass(slots=True, eq=False)
class Plan:
    """Every change planned for one project, and the findings it fixes or leaves."""

    project: Project
    targets: frozenset[Target]
    fixed: list[tuple[Finding, str]] = field(default_factory=list)
    unfixed: list[tuple[Finding, str]] = field(default_factory=list)
    # Every change, merged and de-duplicated, in the order of the findings that want it.
    changes: list[Change] = field(default_factory=list)
    # The findings whose applied fix makes each change.
    owners: dict[Change, list[Finding]] = field(default_factory=dict)
    # id(finding) -> the changes of its applied fix(es).
    applied: dict[int, list[Change]] = field(default_factory=dict)
    # id(finding) -> its applied fix (the first one, for a finding several services share).
    chosen: dict[int, Fix] = field(default_factory=dict)
    # Every applied fix with its finding (a finding several services share has one per service).
    units: list[tuple[Finding, Fix]] = field(default_factory=list)
    # Views of the changes for the renderers.
    replacements: list[Replacement] = field(default_factory=list)
    services: dict[str, ServicePlan] = field(default_factory=dict)
    removals: list[RemovePragma] = field(default_factory=list)

    def service(self, name: str) -> ServicePlan:
        return self.services.setdefault(name, ServicePlan(name))

    def findings(self, changes: Iterable[Change]) -> list[Finding]:
        """The findings that own any of ``changes``, without repeats."""
        found: dict[int, Finding] = {}
        for change in changes:
            for finding in self.owners.get(change, []):
                found.setdefault(id(finding), finding)
        return list(found.values())

    def codes(self, changes: Iterable[Change]) -> str:
        """The codes of the findings that own ``changes``, for the comments of generated files."""
        return ", ".join(dict.fromkeys(f.code for f in self.findings(changes)))


def _chain(fix: Fix) -> list[Fix]:
    chain: list[Fix] = []
    alternative: Fix | None = fix
    while alternative is not None:
        chain.append(alternative)
        alternative = alternative.fallback
    return chain


def _refused(fix: Fix, *, unsafe: bool, override: bool) -> str:
    """Why the policy does not allow ``fix`` (empty when it does)."""
    if fix.applicability is not Applicability.UNSAFE or unsafe or (override and fix.vm_only):
        return ""
    if fix.vm_only:
        return "unsafe fix: pass --unsafe-fixes to apply it in place (override mode applies it by default)"
    return "unsafe fix: pass --unsafe-fixes"


def _belongs(project: Project, change: Change) -> bool:
    """The change names this project's services and files (a finding in a file shared by several projects is
    planned in the project that reported it)."""
    service = getattr(change, "service", None)
    if service is not None and service not in project.services:
        return False
    owner = getattr(change, "owner", None)
    if owner is not None and owner not in project.services:
        return False
    file = getattr(change, "file", None)
    return file is None or file in project.documents


class _Unit(NamedTuple):
    """One fix of a finding (a finding shared by several services has one per service) and its alternatives."""

    finding: Finding
    alternatives: list[Fix]


def plan(
    project: Project, findings: Iterable[Finding], targets: frozenset[Target], *, unsafe: bool, override: bool
) -> Plan:
    """Plan the fixes of ``findings`` that the policy allows: safe fixes, unsafe ones with ``unsafe``, and in
    ``override`` mode the unsafe fixes that belong in an override file for VM-backed machines."""
    result = Plan(project, targets)
    ordered = list(findings)
    why: dict[int, str] = {}
    # Findings with a fix (for one of the services sharing it) that cannot be made.
    failed: set[int] = set()
    units: list[_Unit] = []
    for finding in ordered:
        if finding.fix is None:
            why[id(finding)] = finding.no_fix or NO_FIX
            continue
        for part in (finding.fix, *finding.fix.also):
            chain = _chain(part)
            if not all(_belongs(project, c) for alt in chain for c in (*alt.changes, *alt.requires)):
                continue
            allowed = [alt for alt in chain if not _refused(alt, unsafe=unsafe, override=override)]
            if not allowed:
                why.setdefault(id(finding), _refused(chain[0], unsafe=unsafe, override=override))
                failed.add(id(finding))
                continue
            units.append(_Unit(finding, allowed))
    # Settle the fixes that need another fix's changes: each step moves a unit whose requirements no other unit
    # makes to its next alternative, until nothing moves (alternatives are only ever given up, so it ends).
    choice = [0] * len(units)
    while True:
        made: Counter[Change] = Counter()
        for unit, index in zip(units, choice, strict=True):
            if index < len(unit.alternatives):
                made.update(set(unit.alternatives[index].changes))
        moved = False
        for position, unit in enumerate(units):
            index = choice[position]
            if index >= len(unit.alternatives):
                continue
            current = unit.alternatives[index]
            own = set(current.changes)
            if all(made[need] - (1 if need in own else 0) > 0 for need in current.requires):
                continue
            choice[position] += 1
            why.setdefault(id(unit.finding), current.unmet or NO_FIX)
            moved = True
        if not moved:
            break
    # Merge the chosen changes; a replacement of text another fix already replaces differently is a conflict.
    written: dict[tuple[str, str, int, int], tuple[str, Finding]] = {}
    seen: dict[Change, None] = {}
    for unit, index in zip(units, choice, strict=True):
        if index >= len(unit.alternatives):
            failed.add(id(unit.finding))
            continue
        fix = unit.alternatives[index]
        clash = None
        for change in fix.changes:
            if isinstance(change, ReplaceText):
                before = written.get((change.service, change.file, change.start, change.end))
                if before is not None and before[0] != change.text:
                    clash = before[1]
        if clash is not None:
            why.setdefault(id(unit.finding), f"conflicts with the fix of {clash.code} at the same place")
            failed.add(id(unit.finding))
            continue
        for change in fix.changes:
            if isinstance(change, ReplaceText):
                written.setdefault((change.service, change.file, change.start, change.end), (change.text, unit.finding))
            seen.setdefault(change, None)
            owners = result.owners.setdefault(change, [])
            if all(owner is not unit.finding for owner in owners):
                owners.append(unit.finding)
        result.applied.setdefault(id(unit.finding), []).extend(fix.changes)
        result.chosen.setdefault(id(unit.finding), fix)
        result.units.append((unit.finding, fix))
    for finding in ordered:
        applied = result.chosen.get(id(finding))
        # A finding that several services share is fixed when it is fixed for each of them (the changes made for
        # some are still written).
        if applied is not None and id(finding) not in failed:
            result.fixed.append((finding, applied.title))
        else:
            result.unfixed.append((finding, why.get(id(finding), NO_FIX)))
    result.changes = list(seen)
    _views(result)
    return result


def vm_only_part(plan: Plan) -> tuple[set[Change], set[int]]:
    """The platform split (docs: README, rewrite): the changes only VM-backed engines need, and the findings whose
    fix is one of them. A fix is VM-only when it says so (`vm_only`) or when it requires a change that only VM-only
    fixes make (a loopback address rewritten in a service that leaves host mode); a change is VM-only when every fix
    that makes it is. Everything else is needed by every engine (a `host-gateway` entry, an address wrong
    everywhere)."""
    makers: dict[Change, list[int]] = {}
    for index, (_, fix) in enumerate(plan.units):
        for change in fix.changes:
            makers.setdefault(change, []).append(index)
    vm = {index for index, (_, fix) in enumerate(plan.units) if fix.vm_only}
    while True:
        changes = {change for change, indexes in makers.items() if all(i in vm for i in indexes)}
        more = {
            index
            for index, (_, fix) in enumerate(plan.units)
            if index not in vm and any(need in changes for need in fix.requires)
        }
        if not more:
            break
        vm |= more
    findings = {id(plan.units[i][0]) for i in vm}
    return changes, findings


def _whole_value(change: Change) -> tuple[object, ...] | None:
    """The value an override file writes whole for a replacement: the environment variable or build argument,
    the command or entrypoint, the inline config's content."""
    if not isinstance(change, ReplaceText) or change.ref is None:
        return None
    where = change.ref.where
    if where is Where.CONFIG:
        return (where, change.ref.path)
    if where in (Where.COMMAND, Where.ENTRYPOINT):
        return (change.service, where)
    return (change.service, where, change.ref.name)


def shared_values(plan: Plan, vm_changes: set[Change]) -> list[Change]:
    """The changes every engine needs that are written in the same value as a VM-only change (a config's content
    with a docker0 address and a loopback address): the VM-only override file writes that value whole and
    replaces the portable file's, so it repeats them."""
    vm_values = {key for key in map(_whole_value, vm_changes) if key is not None}
    return [c for c in plan.changes if c not in vm_changes and _whole_value(c) in vm_values]


def subset(plan: Plan, changes: Iterable[Change]) -> Plan:
    """The plan with only ``changes`` (its findings and owners kept), for a renderer that writes part of it."""
    keep = set(changes)
    part = Plan(
        plan.project,
        plan.targets,
        fixed=plan.fixed,
        unfixed=plan.unfixed,
        changes=[c for c in plan.changes if c in keep],
        owners=plan.owners,
        applied=plan.applied,
        chosen=plan.chosen,
        units=plan.units,
    )
    _views(part)
    return part


def _views(result: Plan) -> None:
    for change in result.changes:
        if isinstance(change, ReplaceText):
            result.replacements.append(
                Replacement(change.file, change.start, change.end, change.text, change.service, change.ref, change)
            )
        elif isinstance(change, RemovePragma):
            result.removals.append(change)
        elif isinstance(change, ResetKey):
            result.service(change.service).reset.append(change)
        elif isinstance(change, PublishPorts):
            result.service(change.service).publish.append(change)
        elif isinstance(change, EnsureHostGateway):
            result.service(change.service).add_hosts = change
        elif isinstance(change, MapToHostGateway):
            result.service(change.service).gateway_entries.append(change)
        elif isinstance(change, MoveKey):
            result.service(change.service).moved.append(change)
        elif isinstance(change, JoinNetworks):
            result.service(change.service).join.append(change)
        elif isinstance(change, SetVariable):
            result.service(change.service).variables.append(change)
        elif isinstance(change, RemoveItem):
            result.service(change.service).removed_items.append(change)
        elif isinstance(change, OptIn):
            result.service(change.service).opt_in.append(change)


# --- text edits -----------------------------------------------------------------------------------------------


class EditConflict(Exception):
    """Two edits overlap."""


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Splice edits into ``text``; every byte outside them is kept."""
    # Stable: insertions at one offset keep the order they were planned in (dict keeps the first of duplicates).
    ordered = sorted(dict.fromkeys(edits), key=lambda e: (e.start, e.end))
    pieces: list[str] = []
    position = 0
    for edit in ordered:
        if edit.start < position:
            raise EditConflict(f"overlapping edits at offset {edit.start} of {edit.file}")
        pieces.append(text[position : edit.start])
        pieces.append(edit.text)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def unified_diff(path: str, before: str, after: str, new_file: bool = False) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile="/dev/null" if new_file else f"a/{path}",
        tofile=f"b/{path}",
    )
    out = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return out


def scalar_content(project: Project, node: Scalar) -> str | None:
    """A scalar's text as written (uninterpolated: `${VAR}` and `$$` kept), when it is written verbatim."""
    doc = project.documents.get(node.file)
    if doc is None:
        return None
    source = doc.text[node.span.start.offset : node.span.end.offset]
    if node.tag:
        source = source.removeprefix(node.tag).lstrip()
    if "\n" in source:
        return None
    if len(source) >= 2 and source[0] == source[-1] and source[0] in "'\"":
        inner = source[1:-1]
        if (source[0] == '"' and "\\" in inner) or (source[0] == "'" and "''" in inner):
            return None
        return inner
    if source[:1] in "'\"|>":
        return None
    return source


# --- fixes for reports (SARIF, JSON) --------------------------------------------------------------------------


def with_fixes(findings: list[Finding], projects: Iterable[Project], targets: frozenset[Target]) -> list[Finding]:
    """``findings`` with `fix` set to the in-place edits of each one's own changes (safe and unsafe alike), or
    None when it has no fix that can be made in place."""
    from composefix.fixing.inplace import in_place

    fixes: dict[int, Fix] = {}
    for project in projects:
        mine = [f for f in findings if f.file in project.documents and id(f) not in fixes]
        if not mine:
            continue
        planned = plan(project, mine, targets, unsafe=True, override=True)
        built = in_place(planned)
        dropped = {id(f) for f, _ in built.dropped}
        for finding, title in planned.fixed:
            if id(finding) in dropped:
                continue
            edits = [edit for change in planned.applied[id(finding)] for edit in built.by_change.get(change, [])]
            if edits:
                applicability = planned.chosen[id(finding)].applicability
                fixes[id(finding)] = Fix(title, applicability, tuple(dict.fromkeys(edits)))
    return [f._replace(fix=fixes.get(id(f))) for f in findings]
