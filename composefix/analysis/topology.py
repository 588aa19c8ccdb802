"""Who listens where, what each loopback address in a service reaches (itself, another service, the host), and
what evidence says that the container itself connects to it.

The ports a service listens on come from `ports` targets, `expose`, healthcheck addresses, `PORT`-like
variables, `--port`-like flags, and the well-known images' ports and bundled servers (data/known_images.py).

Evidence decides what a loopback value is (see `judge`). A committed file usually works on its author's Linux
machine, where a bridge-network container that connected to its own loopback would fail as well; so most
loopback values of bridge services are handed to browsers or other clients, or are self references:

- read first: an `extra_hosts` entry that names the host (`localhost:host-gateway`) gives it another meaning in
  that container; a value shared with other services (one `env_file`, one anchor) belongs only to the services
  that plausibly read it (not to a database image for an application's variable);
- silent (handed out): browser/public/redirect/callback/issuer/origin names, a well-known image's browser
  variables, a comment that asks for your own domain or calls the value public, and in bridge services
  `https://localhost` with no port or an http(s) URL on a port that some service publishes on the host;
- warning: every loopback connection of a `network_mode: host` service (on Linux it reaches the host or another
  host-mode service), and in bridge services a value with positive evidence that the container connects: a
  server scheme or connection string (`postgres://`, `smtp://`, `@tcp(...)`, `host=... port=...`), a client
  program's argument, a reverse-proxy upstream in a mounted config, a variable that names a backing server
  (`DATABASE_URL`, `REDIS_HOST`, `SMTP_SERVER`), or a client variable the image is documented to read;
- info otherwise ("if this container connects to it ..."), and also with that evidence when the command starts
  several processes (the server may be one of them): `hints`, never fixed automatically.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from composefix.analysis.loopback import (
    CLIENTS,
    Address,
    bound_ports,
    handed_out,
    is_bind_name,
    is_connect_name,
    loopbacks,
    port_flags,
    program_at,
)
from composefix.analysis.servers import SERVER_SCHEMES, backing_service, dsn_host, dsn_port, port_variable, upstream
from composefix.analysis.strings import CONTAINER_SIDE, StringRef, Where, extra_hosts, service_strings
from composefix.reading.document import Document, Node, Sequence
from composefix.reading.ports import PortError, expose_range, parse_range
from composefix.reading.project import Project, Service, locate, text_of
from composefix.reading.words import command_words


class Listener(NamedTuple):
    """A container port a service listens on, why we think so, and the host ports published for it."""

    service: str
    port: int
    reason: str
    node: Node | None = None
    published: tuple[int, ...] = ()
    # A port range (`ports: ["8000-8100:8000-8100"]`, `expose: ["5000-5010"]`) is one listener: its last port,
    # and the host port minus the container port when the range is published port by port.
    last: int = 0
    shift: int | None = None

    def covers(self, port: int) -> bool:
        return self.port == port or self.port <= port <= self.last

    def publishes(self, host_port: int) -> bool:
        if host_port in self.published:
            return True
        return self.shift is not None and self.port + self.shift <= host_port <= self.last + self.shift

    def at(self, port: int) -> Listener:
        """The listener for one container port of a range (itself for a single port)."""
        if self.last <= self.port:
            return self
        shift = self.shift
        published = (port + shift,) if shift is not None else ()
        return self._replace(port=port, published=published, last=0, shift=None)


class Reach(StrEnum):
    SELF = "self"
    SERVICE = "service"
    HOST = "host"
    UNKNOWN = "unknown"


class Use(NamedTuple):
    """One loopback address written in a service, and what it reaches."""

    service: Service
    ref: StringRef
    address: Address
    bind: bool
    reach: Reach | None = None
    targets: tuple[Listener, ...] = ()
    # Why the container connects to it ("" when nothing says so: a hint).
    evidence: str = ""


class Verdict(StrEnum):
    CONNECT = "connect"  # evidence that the container connects: a warning
    UNSURE = "unsure"  # a loopback value and nothing more: information
    HANDED_OUT = "handed-out"  # evidence that others use the value: silent


@dataclass(slots=True, eq=False)
class Analysis:
    """Who listens on which port, and which addresses each service uses.

    ``uses`` are binds and the loopback connections with a warning's evidence (the only ones a fix may change);
    ``hints`` are loopback values without it (reported as information, never fixed)."""

    listeners: dict[str, list[Listener]] = field(default_factory=dict)
    uses: list[Use] = field(default_factory=list)
    hints: list[Use] = field(default_factory=list)
    # Indexes over `listeners` (built on first use, after every service's listeners are known): single ports by
    # service and port, and the ranges, so that classifying an address does not scan every listener.
    _single: dict[str, dict[int, Listener]] = field(default_factory=dict)
    _ranges: dict[str, list[Listener]] = field(default_factory=dict)
    _by_port: dict[int, list[Listener]] = field(default_factory=dict)
    _by_published: dict[int, list[Listener]] = field(default_factory=dict)
    _order: dict[int, tuple[int, int]] = field(default_factory=dict)
    _indexed: bool = False

    def _index(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        for number, (name, items) in enumerate(self.listeners.items()):
            single = self._single.setdefault(name, {})
            for position, item in enumerate(items):
                self._order[id(item)] = (number, position)
                if item.last > item.port:
                    self._ranges.setdefault(name, []).append(item)
                    continue
                single.setdefault(item.port, item)
                self._by_port.setdefault(item.port, []).append(item)
                for host_port in dict.fromkeys(item.published):
                    self._by_published.setdefault(host_port, []).append(item)

    def listening(self, service: str, port: int) -> Listener | None:
        self._index()
        found = self._single.get(service, {}).get(port)
        if found is not None:
            return found
        return next((item.at(port) for item in self._ranges.get(service, []) if item.covers(port)), None)

    def candidates(self, port: int) -> list[Listener]:
        """Listeners that listen on or publish ``port``, in service order (ranges concretised to that port)."""
        self._index()
        chosen = {id(item): item for item in (*self._by_port.get(port, ()), *self._by_published.get(port, ()))}
        found = [(self._order[key], item) for key, item in chosen.items()]
        for items in self._ranges.values():
            for item in items:
                if item.covers(port):
                    found.append((self._order[id(item)], item.at(port)))
                elif item.publishes(port) and item.shift is not None:
                    found.append((self._order[id(item)], item.at(port - item.shift)))
        found.sort(key=lambda pair: pair[0])
        return [item for _, item in found]


def known_images() -> dict[str, dict[str, Any]]:
    from composefix.data.known_images import IMAGES  # only when an image is looked up

    return IMAGES


def image_name(image: str) -> list[str]:
    """Candidate keys for an image reference: `docker.io/library/postgres:16@sha256:...` -> [`postgres`]."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1]) + last[-1].index(":")]
    name = name.lower()
    parts = name.split("/")
    candidates = [name]
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        rest = "/".join(parts[1:])
        candidates.append(rest)
        if parts[0] in ("docker.io", "index.docker.io", "registry-1.docker.io") and rest.startswith("library/"):
            candidates.append(rest.removeprefix("library/"))
    if name.startswith("library/"):
        candidates.append(name.removeprefix("library/"))
    return candidates


def image_keys(service: Service) -> tuple[str, ...]:
    """The service's image as lookup keys of the image tables (`image_name`), worked out once per service (the
    topology and four rules look them up)."""
    keys: tuple[str, ...] | None = service.memo.get("image-keys")
    if keys is None:
        image = text_of(service.get("image"))
        keys = service.memo["image-keys"] = tuple(image_name(image)) if image else ()
    return keys


def known_image(service: Service) -> dict[str, Any] | None:
    keys = image_keys(service)
    if not keys:
        return None
    table = known_images()
    return next((table[c] for c in keys if c in table), None)


_PORT_VARIABLE = re.compile(
    r"^(PORT|SERVER_PORT|HTTPS?_PORT|APP_PORT|WEB_PORT|API_PORT|LISTEN_PORT|GRPC_PORT|METRICS_PORT|ADMIN_PORT)$"
    r"|_(LISTEN|HTTPS?|SERVER|GRPC|METRICS|ADMIN|REST)_PORT$|_PORT_NUMBER$",
    re.IGNORECASE,
)


# A site block of a Caddyfile written inline (`configs.*.content`, or a variable a command writes to a file):
# `http://localhost:8000 {`, `:8080, example.com {` at the start of a line. Caddy listens on the site address's
# port (https://caddyserver.com/docs/caddyfile/concepts#addresses), so it is a listen setting of this container.
_CADDY_SITE = re.compile(
    r"^[ \t]*(?:[a-z]+://)?[\w.\-]*(?:\[[0-9a-f:]*\])?:(\d{2,5})(?:[ \t]*,[ \t]*[^\s,{]+)*[ \t]*\{[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_PROXY_PORT_LABEL = re.compile(r"^traefik\.(http|tcp|udp)\.services\.[^.]+\.loadbalancer\.server\.port$", re.IGNORECASE)


def _listeners(service: Service) -> list[Listener]:
    found: list[Listener] = []
    seen: set[int] = set()
    ranges: set[tuple[int, int, int | None, str]] = set()

    def add(port: int, reason: str, node: Node | None, published: tuple[int, ...] = ()) -> None:
        if 0 < port < 65536 and port not in seen:
            seen.add(port)
            found.append(Listener(service.name, port, reason, node, published))

    def add_range(low: int, high: int, reason: str, node: Node, shift: int | None) -> None:
        if (low, high, shift, reason) not in ranges and low > 0:
            ranges.add((low, high, shift, reason))
            found.append(Listener(service.name, low, reason, node, (), high, shift))

    ports = service.get("ports")
    if isinstance(ports, Sequence):
        published_for: dict[int, list[int]] = {}
        nodes: dict[int, Node] = {}
        for item in ports.items:
            try:
                entry = parse_range(item)
            except PortError:
                continue
            if entry.high > entry.low:
                add_range(entry.low, entry.high, "ports", item, entry.shift)
                continue
            nodes.setdefault(entry.low, item)
            if entry.published and entry.published.isdigit():
                published_for.setdefault(entry.low, []).append(int(entry.published))
            else:
                published_for.setdefault(entry.low, [])
        for target, hosts in published_for.items():
            add(target, "ports", nodes[target], tuple(hosts))
    expose = service.get("expose")
    if isinstance(expose, Sequence):
        for item in expose.items:
            span = expose_range(item)
            if span is not None and span[1] > span[0]:
                add_range(span[0], span[1], "expose", item, None)
            elif span is not None:
                add(span[0], "expose", item)
    for ref in service_strings(service):
        if ref.where is Where.HEALTHCHECK:
            for address in loopbacks(ref.value, ref.value_start):
                if address.port is not None:
                    add(address.port, "healthcheck", ref.node)
        if ref.where is Where.HEALTHCHECK:
            for port in port_flags(ref.prefix + ref.value):
                add(port, "healthcheck", ref.node)
        if ref.where is Where.ENVIRONMENT and ref.name and _PORT_VARIABLE.search(ref.name) and ref.value.isdigit():
            add(int(ref.value), f"environment {ref.name}", ref.node)
        if ref.where is Where.ENVIRONMENT and is_bind_name(ref.name):
            for port in bound_ports(ref.value):
                add(port, f"environment {ref.name}", ref.node)
        if ref.where in (Where.COMMAND, Where.ENTRYPOINT):
            for address in loopbacks(ref.value, 0, ref.prefix):
                if address.bind and address.port is not None:
                    add(address.port, ref.where.value, ref.node)
        if ref.where in (Where.ENVIRONMENT, Where.CONFIG) and "\n" in ref.value:
            for match in _CADDY_SITE.finditer(ref.value):
                add(int(match.group(1)), "Caddyfile site address", ref.node)
        # A reverse proxy's label naming the container port it forwards to (Traefik's service port).
        if ref.where is Where.LABEL and ref.name and _PROXY_PORT_LABEL.search(ref.name) and ref.value.strip().isdigit():
            add(int(ref.value.strip()), f"label {ref.name}", ref.node)
    for key in ("command", "entrypoint"):
        words = command_words(service.get(key))
        if words:
            for port in port_flags(" ".join(words)):
                add(port, key, service.get(key))
    known = known_image(service)
    if known is not None:
        image = text_of(service.get("image"))
        for port in known.get("ports", []):
            add(int(port), f"image {image}", service.get("image"))
        mode = known.get("bundles-command")
        words = command_words(service.get("command")) or []
        if mode is None or not words or any(word.rsplit("/", 1)[-1] == mode for word in words):
            for server, port in known.get("bundles", {}).items():
                add(int(port), f"{server} bundled in image {image}", service.get("image"))
    return found


def _classify(
    service: Service, address: Address, analysis: Analysis, host_mode: set[str]
) -> tuple[Reach, tuple[Listener, ...]]:
    port = address.port
    if port is None:
        return Reach.UNKNOWN, ()
    if analysis.listening(service.name, port) is not None:
        return Reach.SELF, ()
    others: list[Listener] = []
    in_host_mode = service.name in host_mode
    for listener in analysis.candidates(port):
        name = listener.service
        if name == service.name:
            continue
        # A published host port means T (the author thought localhost was the host); a bridge-mode service
        # also means T by T's container port. In host mode (Linux), localhost reaches T's container port only
        # when T is in host mode too.
        same_port = listener.port == port and (not in_host_mode or name in host_mode)
        if port in listener.published or same_port:
            others.append(listener)
    if not others and in_host_mode:
        # A host-mode service naming a bridge service's container port: it means that service, which it reaches
        # through localhost only while that port is published on the host (CF104 says so).
        others = [
            listener
            for listener in analysis.candidates(port)
            if listener.service != service.name and listener.service not in host_mode and listener.port == port
        ]
    if others:
        return Reach.SERVICE, tuple(others)
    return Reach.HOST, ()


def analyse(project: Project) -> Analysis:
    """Listeners of every service and the classification of every loopback address (cached per project)."""
    cached = project.cache.get("analysis")
    if isinstance(cached, Analysis):
        return cached
    analysis = Analysis()
    for service in project.services.values():
        analysis.listeners[service.name] = _listeners(service)
    host_mode = {s.name for s in project.services.values() if s.network_mode == "host"}
    published = _Published(analysis)
    shared = _shared_values(project)
    for service in project.services.values():
        if service.namespace_owner is not None:
            # Loopback reaches the namespace's owner: never a finding (docs/platforms.md#shared-network-namespaces).
            continue
        for ref, address, bind in _loopback_uses(service, shared):
            if bind:
                analysis.uses.append(Use(service, ref, address, True))
                continue
            address = _with_port(service, ref, address)
            reach, targets = _classify(service, address, analysis, host_mode)
            if reach is Reach.SELF:
                continue
            verdict, why = judge(service, ref, address, published)
            if verdict is not Verdict.HANDED_OUT and _comment_hands_out(project, ref, address):
                verdict = Verdict.HANDED_OUT
            if verdict is Verdict.HANDED_OUT:
                continue
            connect_here = verdict is Verdict.CONNECT and reach is not Reach.SERVICE and why != "host networking"
            if connect_here and _multi_process(service):
                verdict = Verdict.UNSURE  # another process of the same container may be the server
            use = Use(service, ref, address, False, reach, targets, why)
            (analysis.uses if verdict is Verdict.CONNECT else analysis.hints).append(use)
    project.cache["analysis"] = analysis
    return analysis


def _shared_values(project: Project) -> dict[tuple[str, int], int]:
    """How many services read each environment value, by where it is written (one `env_file`, one anchor)."""
    count: dict[tuple[str, int], int] = {}
    for service in project.services.values():
        for scalar in service.env.values():
            key = (scalar.file, scalar.span.start.offset)
            count[key] = count.get(key, 0) + 1
    return count


def _reads(service: Service, ref: StringRef, shared: dict[tuple[str, int], int]) -> bool:
    """Whether ``service`` plausibly reads the variable of ``ref``. A value that several services share (one
    `env_file`, one anchor) is not read by a well-known image that the data says reads only its own variables
    (`postgres` does not read an application's `DATABASE_URL`), unless its command or entrypoint uses it."""
    if ref.where is not Where.ENVIRONMENT or ref.name is None:
        return True
    if shared.get((ref.node.file, ref.node.span.start.offset), 0) < 2:
        return True
    known = known_image(service)
    prefixes: list[str] | None = known.get("reads") if known is not None else None
    if prefixes is None:
        return True
    if any(ref.name.upper().startswith(prefix) for prefix in prefixes):
        return True
    for key in ("command", "entrypoint"):
        words = command_words(service.get(key))
        if words and any(ref.name in word for word in words):
            return True
    return False


def _with_port(service: Service, ref: StringRef, address: Address) -> Address:
    """A bare host in a variable that names a backing server gets the port from the variable beside it
    (`DB_HOST` and `DB_PORT`), else the server's usual port (`SMTP_HOST` is 25)."""
    if address.port is not None:
        return address
    if dsn_host(ref.value, address.start):
        port = dsn_port(ref.value)
        if port is not None:
            return address._replace(port=port)
    if ref.where is not Where.ENVIRONMENT or ref.name is None:
        return address
    for name in port_variable(ref.name):
        value = text_of(service.env.get(name))
        if value is not None and value.strip().isdigit():
            return address._replace(port=int(value.strip()))
    backing = backing_service(ref.name)
    if backing is not None and backing[1] is not None:
        return address._replace(port=backing[1])
    return address


# A comment beside or above a value that tells the user to put their own public address there.
_OWN_ADDRESS_COMMENT = re.compile(
    r"#.*(\b(your|own)\b.*\b(domain|url|hostname|host name|address|ip|fqdn)\b|\b(public|browser)\b)",
    re.IGNORECASE,
)


def _comment_hands_out(project: Project, ref: StringRef, address: Address) -> bool:
    """Whether a comment on the value's line, or on the comment lines just above it, says the value is the
    user's own public address (`# change to your domain`): a value handed out, not a connection.

    What each line says is worked out once per line (`_Comments`): a line with thousands of addresses is not
    searched again for each of them."""
    file, span = locate(project, ref.node, address.start, address.end)
    document = project.documents.get(file)
    if document is None:
        return False
    comments = project.cache.get("comments")
    if not isinstance(comments, dict):
        comments = project.cache["comments"] = {}
    lines = comments.get(file)
    if lines is None:
        lines = comments[file] = _Comments(document)
    if span.end.line == span.start.line and lines.after(span.start.line, span.end.column - 1):
        return True
    for number in range(span.start.line - 1, max(0, span.start.line - 3), -1):
        kind = lines.whole(number)
        if kind is None:
            break
        if kind:
            return True
    return False


class _Comments:
    """Per line of one document: where ` #` starts a comment, and whether each comment asks for your address."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.starts: dict[int, list[int]] = {}
        self.says: dict[tuple[int, int], bool] = {}
        self.lines: dict[int, bool | None] = {}

    def after(self, number: int, column: int) -> bool:
        """Whether the first ` #` at or after ``column`` (0-based) of line ``number`` starts such a comment."""
        starts = self.starts.get(number)
        if starts is None:
            line = self.document.line_text(number)
            starts = self.starts[number] = [m.start() for m in re.finditer(" #", line)]
        at = bisect.bisect_left(starts, column)
        if at == len(starts):
            return False
        key = (number, starts[at])
        if key not in self.says:
            line = self.document.line_text(number)
            self.says[key] = _OWN_ADDRESS_COMMENT.search(line[starts[at] :]) is not None
        return self.says[key]

    def whole(self, number: int) -> bool | None:
        """None when line ``number`` is not a comment line; else whether it asks for your address."""
        if number not in self.lines:
            above = self.document.line_text(number).strip()
            self.lines[number] = None if not above.startswith("#") else _OWN_ADDRESS_COMMENT.search(above) is not None
        return self.lines[number]


# A command that starts several processes: a background `&` (not `&&`, `2>&1` or `&>`), or a process manager.
_BACKGROUND = re.compile(r"(?<![&>])&(?=\s|$)")  # not `&&`, `2>&1`, `&>` nor a URL's `?a=1&b=2`
_PROCESS_MANAGERS = frozenset(
    {"supervisord", "s6-svscan", "runsvdir", "pm2", "pm2-runtime", "concurrently", "honcho", "foreman", "overmind"}
)


def _multi_process(service: Service) -> bool:
    """Whether the service's command or entrypoint runs more than one process (so a loopback address it uses
    may be a server in the same container)."""
    for key in ("command", "entrypoint"):
        node = service.get(key)
        words = command_words(node) or []
        text = " ".join(text_of(item) or "" for item in node.items) if isinstance(node, Sequence) else text_of(node)
        if _BACKGROUND.search(text or "") or any(word.rsplit("/", 1)[-1] in _PROCESS_MANAGERS for word in words):
            return True
    return False


def _image_names(service: Service, key: str) -> frozenset[str]:
    known = known_image(service)
    return frozenset(known.get(key, ())) if known is not None else frozenset()


class _Published:
    """The host ports some service publishes, single ports and ranges (`8000-8100:8000-8100`) alike."""

    def __init__(self, analysis: Analysis) -> None:
        self.ports = {port for items in analysis.listeners.values() for item in items for port in item.published}
        self.ranges = [item for items in analysis.listeners.values() for item in items if item.shift is not None]

    def __contains__(self, port: object) -> bool:
        if not isinstance(port, int):
            return False
        return port in self.ports or any(item.publishes(port) for item in self.ranges)


def judge(service: Service, ref: StringRef, address: Address, published: set[int] | _Published) -> tuple[Verdict, str]:
    """Whether the container itself connects to ``address`` (with why), or the value is handed out, or
    nothing says. ``published`` holds the host ports that any service publishes."""
    name = ref.name
    if name is not None and name in _image_names(service, "browser"):
        return Verdict.HANDED_OUT, ""
    if service.network_mode == "host":
        return Verdict.CONNECT, "host networking"
    scheme = (address.scheme or "").split("+", 1)[0]
    if scheme in ("http", "https", "ws", "wss"):
        if scheme in ("https", "wss") and not address.explicit_port:
            return Verdict.HANDED_OUT, ""  # `https://localhost/...`: a browser URL; no server in a container
        if address.explicit_port and address.port in published:
            return Verdict.HANDED_OUT, ""  # a port published on the host: a URL for the host's browser
    if scheme in SERVER_SCHEMES:
        return Verdict.CONNECT, f"a `{scheme}://` address"
    if dsn_host(ref.value, address.start):
        return Verdict.CONNECT, "a connection string"
    if ref.where in (Where.COMMAND, Where.ENTRYPOINT, Where.HOOK):
        program = program_at(ref.value, address.start, ref.prefix)
        if program in CLIENTS:
            return Verdict.CONNECT, f"an argument of the client `{program}`"
    if ref.where is not Where.HEALTHCHECK and upstream(ref.value, address.start):
        return Verdict.CONNECT, "a reverse-proxy upstream"
    if name is not None and ref.where in (Where.ENVIRONMENT, Where.HOOK):
        if name in _image_names(service, "client"):
            image = text_of(service.get("image"))
            return Verdict.CONNECT, f"a server address that `{image}` connects to"
        backing = backing_service(name)
        if backing is not None:
            return Verdict.CONNECT, f"`{name}` names a server this container is a client of"
    return Verdict.UNSURE, ""


def _loopback_uses(service: Service, shared: dict[tuple[str, int], int]) -> Iterator[tuple[StringRef, Address, bool]]:
    # `extra_hosts` can give `localhost` or any other name another address inside this container (read first).
    remapped = {entry.name.lower() for entry in extra_hosts(service)}
    for ref in service_strings(service):
        if ref.where not in CONTAINER_SIDE or ref.where is Where.HEALTHCHECK:
            # Healthchecks run inside the container: localhost is the container (docs/platforms.md#healthchecks).
            continue
        bind_variable = ref.where in (Where.ENVIRONMENT, Where.HOOK) and is_bind_name(ref.name)
        if not bind_variable and handed_out(ref.name):
            continue
        if not _reads(service, ref, shared):
            continue
        for address in loopbacks(ref.value, ref.value_start, ref.prefix):
            if address.host.lower().strip("[]") in remapped:
                continue
            bind = bind_variable or address.bind
            named = ref.where is Where.ENVIRONMENT and (
                is_connect_name(ref.name) or backing_service(ref.name) is not None
            )
            if not bind and address.port is None and not named and not dsn_host(ref.value, address.start):
                continue  # `ping localhost`, `SERVER_NAME=localhost`: no port, and nothing says it is a connection
            yield ref, address, bind
