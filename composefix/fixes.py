"""Plan the fixes for a project's findings, and apply text edits.

The planner sees every finding of a project at once, because fixes interact: CF101's fix moves a service to
the project network, publishes its ports, rewrites its loopback addresses and the addresses other services used
to reach it; CF103, CF105, CF107 and CF109 all need the same `extra_hosts` entry, added once. A plan holds
text replacements (exact source ranges, for in-place mode) and per-service changes (for the override file).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from composefix.addresses import (
    HOST_ALIAS,
    HOST_ALIAS_RE,
    LEGACY_RE,
    Address,
    StringRef,
    Where,
    bridge_ip_pattern,
    extra_hosts,
    locate,
    matches,
    service_strings,
)
from composefix.document import Scalar
from composefix.model import Applicability, Edit, Finding, Span, Target
from composefix.project import Project, Service, text_of
from composefix.texts import Source
from composefix.topology import Analysis, Listener, Reach, analyse, known_image

GATEWAY_ENTRY = f"{HOST_ALIAS}:host-gateway"

# Rules whose fix is safe (the resolved model keeps its meaning on Linux) or unsafe (behaviour changes).
SAFE = frozenset({"CF103", "CF104", "CF105", "CF106", "CF107", "CF109", "CF900"})
UNSAFE = frozenset({"CF101", "CF108", "CF110", "CF111"})


class Replacement(NamedTuple):
    """Replace ``doc.text[start:end]`` of ``file`` with ``text``, inside the string ``ref`` of ``service``."""

    file: str
    start: int
    end: int
    text: str
    service: str
    ref: StringRef | None = None
    finding: Finding | None = None


@dataclass(slots=True, eq=False)
class ServicePlan:
    """The changes planned for one service."""

    name: str
    reset_network_mode: bool = False
    # (container port, where we learnt it) to publish as "PORT:PORT".
    ports: list[tuple[int, str]] = field(default_factory=list)
    add_hosts: bool = False
    # extra_hosts entries whose address becomes host-gateway: the entry's scalar.
    gateway_entries: list[Scalar] = field(default_factory=list)
    # CF111: keys moved to the namespace owner.
    moved: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Plan:
    """Every change planned for one project, and the findings it fixes or leaves."""

    project: Project
    targets: frozenset[Target]
    fixed: list[tuple[Finding, str]] = field(default_factory=list)
    unfixed: list[tuple[Finding, str]] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)
    services: dict[str, ServicePlan] = field(default_factory=dict)
    # CF900: (file, start, end) of suppression comments to delete (in-place only).
    removals: list[tuple[str, int, int]] = field(default_factory=list)

    def service(self, name: str) -> ServicePlan:
        return self.services.setdefault(name, ServicePlan(name))


def _key(finding: Finding) -> tuple[str, str, int, int]:
    return (finding.code, finding.file, finding.span.start.offset, finding.span.end.offset)


def _source_of(project: Project, ref: StringRef, start: int, end: int) -> Source | None:
    """The exact source range of ``ref.value[start:end]`` in a file, or None."""
    text = ref.node.interp
    if text is None:
        return None
    source = text.origin(start, end)
    if source is None or source.file is None or not source.exact:
        return None
    return source


class Planner:
    def __init__(
        self,
        project: Project,
        findings: Iterable[Finding],
        targets: frozenset[Target],
        *,
        unsafe: bool,
        host_mode: bool = False,
        publish: dict[str, list[int]] | None = None,
        bridge_ips: tuple[str, ...] = (),
        image_ports: dict[str, list[int]] | None = None,
    ) -> None:
        self.project = project
        # `--inspect-images`: EXPOSE ports of local images, by image reference (from the engine).
        self.image_ports = image_ports or {}
        # Override mode plans CF101 (unsafe) by default: taking services out of host networking for the
        # VM-backed machines only is what the override file is for.
        self.host_mode = host_mode or unsafe
        self.findings = {_key(f): f for f in findings}
        self.plan = Plan(project, targets)
        self.unsafe = unsafe
        self.publish = publish or {}
        self.analysis: Analysis = analyse(project)
        self.bridge = bridge_ip_pattern(bridge_ips)
        self.linux = Target.LINUX in targets
        self.used: set[tuple[str, str, int, int]] = set()
        self.replaced: set[tuple[str, str | None, int, int]] = set()

    # bookkeeping ------------------------------------------------------------------------------------------

    def _finding(self, code: str, file: str, span: Span) -> Finding | None:
        key = (code, file, span.start.offset, span.end.offset)
        return self.findings.get(key)

    def _done(self, finding: Finding, title: str) -> None:
        key = _key(finding)
        if key not in self.used:
            self.used.add(key)
            self.plan.fixed.append((finding, title))

    def _skip(self, finding: Finding, reason: str) -> None:
        key = _key(finding)
        if key not in self.used:
            self.used.add(key)
            self.plan.unfixed.append((finding, reason))

    def _allowed(self, finding: Finding) -> bool:
        if finding.code in UNSAFE and not self.unsafe:
            self._skip(finding, "unsafe fix: pass --unsafe-fixes (or use override mode for CF101)")
            return False
        return True

    def _replace(
        self, service: Service, ref: StringRef, start: int, end: int, text: str, finding: Finding | None = None
    ) -> bool:
        source = _source_of(self.project, ref, start, end)
        if source is None or source.file is None:
            return False
        # Text shared through an anchor is replaced once per service: the override file writes each service's
        # value; in-place edits of the same range then coincide (or conflict, and the rewrite is refused).
        where = (service.name, source.file, source.start, source.end)
        if where in self.replaced:
            return True
        self.replaced.add(where)
        self.plan.replacements.append(
            Replacement(source.file, source.start, source.end, text, service.name, ref, finding)
        )
        return True

    def _replaced(self, service: Service, ref: StringRef, start: int, end: int) -> bool:
        source = _source_of(self.project, ref, start, end)
        return source is not None and (service.name, source.file, source.start, source.end) in self.replaced

    def _gateway(self, service: Service) -> None:
        """Make sure ``service`` (or its namespace owner) gets `host.docker.internal:host-gateway`."""
        if not self.linux:
            return
        holder = service
        owner = service.namespace_owner
        if owner is not None:
            if owner[0] != "service" or owner[1] not in self.project.services:
                return
            holder = self.project.services[owner[1]]
        if any(e.name.lower() == HOST_ALIAS for e in extra_hosts(holder)):
            return
        self.plan.service(holder.name).add_hosts = True

    # the plan ---------------------------------------------------------------------------------------------

    def make(self) -> Plan:
        for service in self.project.services.values():
            if service.network_mode == "host":
                self._host_mode(service)
        for use in self.analysis.uses:
            self._loopback(use.service, use.ref, use.address, use.reach, use.targets, use.bind)
        for service in self.project.services.values():
            self._names(service)
            self._network_modes(service)
        for finding in self.findings.values():
            if finding.code == "CF900":
                self._pragma(finding)
            elif _key(finding) not in self.used:
                self._skip(finding, "no automatic fix for this rule")
        return self.plan

    def _host_mode(self, service: Service) -> None:
        node = service.get("network_mode")
        assert node is not None
        finding = self._finding("CF101", node.file, node.span)
        if finding is None:
            return
        if not self.host_mode:
            self._skip(finding, "unsafe fix: pass --unsafe-fixes to take the service out of host mode in place")
            return
        known = known_image(service)
        explicit = self.publish.get(service.name)
        if known is not None and known.get("host-network") and not explicit:
            self._skip(
                finding,
                f"`{service.name}` {known['host-network']}: it needs host networking; turn on Docker Desktop's host "
                f"networking (4.34+) instead, or pass --publish {service.name}=PORT to move it anyway",
            )
            return
        listeners = self.analysis.listeners.get(service.name, [])
        ports: list[tuple[int, str]] = [(p, "--publish") for p in explicit or []]
        already = {item.port for item in listeners if item.reason == "ports"}
        if not ports and not already:
            # The first source that knows any port wins (issue #4): expose, healthcheck, command/environment
            # hints, then the image: the EXPOSE of the local image the engine has (`--inspect-images`, evidence
            # about this very image) before the defaults data/known_images.py records for its name.
            image = text_of(service.get("image")) or ""
            for rank in (1, 2, 3, 4):
                if rank == 4 and self.image_ports.get(image):
                    ports = [(port, f"EXPOSE of image {image} (engine)") for port in self.image_ports[image]]
                else:
                    ports = [(item.port, item.reason) for item in listeners if _rank(item.reason) == rank]
                if ports:
                    break
        if not ports and not already:
            self._skip(
                finding,
                f"no port found for `{service.name}`: pass --publish {service.name}=PORT[,PORT] (or set "
                "[tool.composefix.publish]) so the override can publish what it listens on",
            )
            return
        plan = self.plan.service(service.name)
        plan.reset_network_mode = True
        plan.ports = ports
        self._done(
            finding,
            "join the project network and publish "
            + ", ".join([f"{p}:{p}" for p, _ in ports] + [f"{p} (already in ports)" for p in sorted(already)]),
        )
        ports_key = service.key_of("ports")
        if ports_key is not None:
            ignored = self._finding("CF102", ports_key.file, ports_key.span)
            if ignored is not None:
                self._done(ignored, "the ports take effect once the service leaves host mode (CF101's fix)")
        # Other services that reached this one through the host (host.docker.internal or the bridge IP).
        own_ports = {item.port for item in listeners} | {p for p, _ in ports}
        for other in self.project.services.values():
            if other.name == service.name:
                continue
            for ref in service_strings(other):
                if ref.where not in (Where.ENVIRONMENT, Where.COMMAND, Where.ENTRYPOINT):
                    continue
                for pattern in (HOST_ALIAS_RE, self.bridge):
                    for start, end, _ in matches(ref, pattern):
                        port_match = re.match(r":(\d{1,5})\b", ref.value[end:])
                        if port_match and int(port_match.group(1)) in own_ports:
                            # CF107 is settled later, by what remains of the service's uses of the alias.
                            bridge = self._finding("CF105", *locate(self.project, ref, start, end))
                            if self._replace(other, ref, start, end, service.name, bridge) and bridge is not None:
                                self._done(bridge, f"reach `{service.name}` by its service name")

    def _loopback(
        self,
        service: Service,
        ref: StringRef,
        address: Address,
        reach: Reach | None,
        targets: tuple[Listener, ...],
        bind: bool,
    ) -> None:
        host_mode = service.network_mode == "host"
        fixing_host_mode = host_mode and self.plan.service(service.name).reset_network_mode
        location = locate(self.project, ref, address.start, address.end)
        if bind:
            finding = self._finding("CF108", *location)
            if finding is None or not self._allowed(finding):
                return
            replacement = "::" if address.host in ("::1", "[::1]") else "0.0.0.0"
            if self._replace(service, ref, address.start, address.end, replacement, finding):
                self._done(finding, f"listen on `{replacement}`")
            else:
                self._skip(finding, "the address is not written verbatim in a file (escaped or from the environment)")
            return
        if reach is Reach.SERVICE and targets:
            finding = self._finding("CF104", *location)
            if finding is None or (host_mode and not fixing_host_mode):
                return  # a host-mode service keeps localhost until it leaves host mode
            target = targets[0]
            end = address.end + (len(f":{address.port}") if address.explicit_port else 0)
            text = (
                f"{target.service}:{target.port}"
                if (address.explicit_port or target.port != address.port)
                else target.service
            )
            if self._replace(service, ref, address.start, end, text, finding):
                self._done(finding, f"use `{target.service}:{target.port}`")
            else:
                self._skip(finding, "the address is not written verbatim in a file (escaped or from the environment)")
            return
        if reach is Reach.HOST:
            finding = self._finding("CF103", *location)
            if finding is None:
                return
            if host_mode and not fixing_host_mode:
                self._skip(finding, "fixed together with CF101 (the service first has to leave host mode)")
                return
            if self._replace(service, ref, address.start, address.end, HOST_ALIAS, finding):
                self._gateway(service)
                self._done(finding, f"use `{HOST_ALIAS}` (with its host-gateway entry)")
            else:
                self._skip(finding, "the address is not written verbatim in a file (escaped or from the environment)")

    def _names(self, service: Service) -> None:
        """CF105 (bridge IP), CF109 (legacy names), CF107 (missing entry), CF106 (fixed IP in extra_hosts)."""
        for ref in service_strings(service):
            for code, pattern in (("CF105", self.bridge), ("CF109", LEGACY_RE)):
                for start, end, _ in matches(ref, pattern):
                    finding = self._finding(code, *locate(self.project, ref, start, end))
                    if finding is None or self._replaced(service, ref, start, end):
                        continue  # already planned for this service (e.g. CF101's fix: its service name)
                    # Text shared through an anchor is planned for each service that uses it (same finding).
                    if self._replace(service, ref, start, end, HOST_ALIAS, finding):
                        self._gateway(service)
                        self._done(finding, f"use `{HOST_ALIAS}` (with its host-gateway entry)")
                    else:
                        self._skip(finding, "the address is not written verbatim in a file")
        uses = [(ref, start, end) for ref in service_strings(service) for start, end, _ in matches(ref, HOST_ALIAS_RE)]
        for ref, start, end in uses:
            finding = self._finding("CF107", *locate(self.project, ref, start, end))
            if finding is None:
                continue
            # One finding may stand for several services sharing the text: each gets its own entry if it lacks one.
            if any(not self._replaced(service, r, s, e) for r, s, e in uses):
                self._gateway(service)
            self._done(finding, f'add `extra_hosts: ["{GATEWAY_ENTRY}"]`')
        for entry in extra_hosts(service):
            finding = self._finding("CF106", entry.node.file, entry.node.span)
            if finding is None:
                continue
            self.plan.service(service.name).gateway_entries.append(entry.node)
            self._done(finding, f"map `{entry.name}` to `host-gateway`")

    def _network_modes(self, service: Service) -> None:
        node = service.get("network_mode")
        if service.network_mode == "bridge" and node is not None:
            finding = self._finding("CF110", node.file, node.span)
            if finding is not None and self._allowed(finding):
                self.plan.service(service.name).reset_network_mode = True
                self._done(finding, "remove `network_mode` (join the project network)")
        owner = service.namespace_owner
        if owner is None:
            return
        for key in ("ports", "expose", "extra_hosts", "dns", "dns_search", "dns_opt", "hostname", "mac_address"):
            key_node = service.key_of(key)
            finding = self._finding("CF111", key_node.file, key_node.span) if key_node is not None else None
            if finding is None or not self._allowed(finding):
                continue
            if owner[0] != "service" or owner[1] not in self.project.services:
                self._skip(finding, f"`{owner[1]}` is not a service of this project: move `{key}` by hand")
                continue
            if key in ("hostname", "mac_address") and self.project.services[owner[1]].get(key) is not None:
                self._skip(finding, f"`{owner[1]}` already sets `{key}`: choose one by hand")
                continue
            self.plan.service(service.name).moved.append(key)
            self._done(finding, f"move `{key}` to service `{owner[1]}`")

    def _pragma(self, finding: Finding) -> None:
        doc = self.project.documents.get(finding.file)
        if doc is None:
            return
        line_start = doc.text.rfind("\n", 0, finding.span.start.offset) + 1
        line_end = doc.text.find("\n", finding.span.start.offset)
        line_end = len(doc.text) if line_end < 0 else line_end
        line = doc.text[line_start:line_end]
        hash_at = line.rfind("#", 0, finding.span.start.offset - line_start)
        if hash_at < 0:
            self._skip(finding, "cannot find the comment")
            return
        body = line[hash_at:]
        if "," in body.split("--")[0]:
            self._skip(finding, "the comment names several codes: remove the unused one by hand")
            return
        if line[:hash_at].strip():
            start = line_start + len(line[:hash_at].rstrip())
            self.plan.removals.append((finding.file, start, line_start + len(line.rstrip("\r"))))
        else:
            self.plan.removals.append((finding.file, line_start, min(line_end + 1, len(doc.text))))
        self._done(finding, "remove the unused suppression")


def _rank(reason: str) -> int:
    if reason == "expose":
        return 1
    if reason == "healthcheck":
        return 2
    if reason.startswith("image "):
        return 4
    return 3 if reason != "ports" else 0


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

SERVICE_LEVEL = frozenset({"CF101", "CF103", "CF105", "CF106", "CF107", "CF109", "CF110", "CF111"})


def with_fixes(findings: list[Finding], projects: Iterable[Project], targets: frozenset[Target]) -> list[Finding]:
    """``findings`` with `fix` set to the in-place edits that would fix each one (safe and unsafe alike)."""

    from composefix.inplace import in_place
    from composefix.model import Fix

    fixes: dict[int, Fix] = {}
    for project in projects:
        mine = [f for f in findings if f.file in project.documents]
        if not mine:
            continue
        plan = Planner(project, mine, targets, unsafe=True, host_mode=True).make()
        built = in_place(plan)
        dropped = {id(f) for f, _ in built.dropped}
        for finding, title in plan.fixed:
            if id(finding) in dropped or id(finding) in fixes:
                continue
            edits = [Edit(r.file, r.start, r.end, r.text) for r in plan.replacements if r.finding is finding]
            edits += [
                Edit(file, start, end, "")
                for file, start, end in plan.removals
                if file == finding.file and start <= finding.span.start.offset <= end
            ]
            if finding.code in SERVICE_LEVEL and finding.service is not None:
                edits += built.by_service.get(finding.service, [])
            if edits:
                applicability = Applicability.UNSAFE if finding.code in UNSAFE else Applicability.SAFE
                fixes[id(finding)] = Fix(title, applicability, tuple(dict.fromkeys(edits)))
    return [f._replace(fix=fixes[id(f)]) if id(f) in fixes else f for f in findings]
