"""Parse `ports` and `expose` entries as Compose does (short and long syntax, ranges, IPv6 host addresses)."""

from __future__ import annotations

import re
from typing import NamedTuple

from composefix.reading.document import Mapping, Node, Scalar, scalar_text


class Port(NamedTuple):
    """One published (or only declared) container port; ``published`` is a string as in `compose config`."""

    target: int
    published: str | None
    host_ip: str | None
    protocol: str
    node: Node

    @property
    def key(self) -> tuple[str | None, int, str | None, str]:
        """Compose's unicity key for merging (docs/platforms.md#compose-merge-rules)."""
        return (self.host_ip, self.target, self.published, self.protocol)


class PortRange(NamedTuple):
    """One entry of `ports:` as written: a range of container ports (one port: ``low == high``) and the host
    ports published for them (``published`` is the first host port as a string, or None; a host range of the same
    size maps port by port, a single host port with a single container port maps that one port)."""

    low: int
    high: int
    published: str | None
    host_ip: str | None
    protocol: str
    node: Node

    @property
    def key(self) -> tuple[str | None, int, int, str | None, str]:
        """Compose's unicity key for merging, for the whole range at once."""
        return (self.host_ip, self.low, self.high, self.published, self.protocol)

    @property
    def shift(self) -> int | None:
        """Host port minus container port, when the host ports are numbers (None: not published or a variable)."""
        if self.published is None or not self.published.isdigit():
            return None
        return int(self.published) - self.low

    def covers(self, port: int) -> bool:
        return self.low <= port <= self.high

    def publishes(self, host_port: int) -> bool:
        shift = self.shift
        return shift is not None and self.low + shift <= host_port <= self.high + shift

    def ports(self) -> list[Port]:
        """The entry one container port at a time, as `compose config` prints it (up to 65,535 items: callers
        that may meet hostile input use the range itself)."""
        shift = self.shift
        if self.low == self.high or shift is None:
            if self.low == self.high:
                return [Port(self.low, self.published, self.host_ip, self.protocol, self.node)]
            return [Port(t, None, self.host_ip, self.protocol, self.node) for t in range(self.low, self.high + 1)]
        return [Port(t, str(t + shift), self.host_ip, self.protocol, self.node) for t in range(self.low, self.high + 1)]


class PortError(ValueError):
    """A port entry Compose would reject."""


def _range(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)(?:-(\d+))?", text.strip())
    if match is None:
        raise PortError(f"invalid port `{text}`")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low or high > 65535:
        raise PortError(f"invalid port range `{text}`")
    return low, high


def short_range(text: str, node: Node) -> PortRange:
    """`[[IP:](HOST|RANGE):](CONTAINER|RANGE)[/PROTO]` as one range (constant time, whatever its size)."""
    spec, _, protocol = text.strip().partition("/")
    protocol = protocol or "tcp"
    parts = spec.split(":")
    if len(parts) == 1:
        ip, host, container = None, None, parts[0]
    elif len(parts) == 2:
        ip, host, container = None, parts[0], parts[1]
    else:
        ip, host, container = ":".join(parts[:-2]), parts[-2], parts[-1]
    if ip is not None:
        ip = ip.removeprefix("[").removesuffix("]") or None
    low, high = _range(container)
    if host in (None, ""):
        return PortRange(low, high, None, ip, protocol, node)
    assert host is not None
    host_low, host_high = _range(host)
    if host_high - host_low == high - low:
        return PortRange(low, high, str(host_low), ip, protocol, node)
    if low == high:
        return PortRange(low, low, host, ip, protocol, node)
    raise PortError(f"invalid port `{text}`: host and container ranges differ in size")


def parse_entry(node: Node) -> list[Port]:
    """One item of `ports:` (a number, a short-syntax string, or a long-syntax mapping), one port at a time."""
    return parse_range(node).ports()


def parse_range(node: Node) -> PortRange:
    """One item of `ports:` as a range (a number, a short-syntax string, or a long-syntax mapping)."""
    if isinstance(node, Scalar):
        text = node.interp.value if node.interp is not None else scalar_text(node)
        if text is None:
            raise PortError("empty port entry")
        return short_range(text, node)
    if isinstance(node, Mapping):
        target = _value(node.get("target"))
        if target is None:
            raise PortError("port entry without `target`")
        published = _value(node.get("published"))
        host_ip = _value(node.get("host_ip"))
        protocol = _value(node.get("protocol")) or "tcp"
        low, _high = _range(target)
        return PortRange(low, low, published, host_ip, protocol, node)
    raise PortError("a port entry must be a number, a string or a mapping")


def _value(node: Node | None) -> str | None:
    if isinstance(node, Scalar):
        if node.interp is not None:
            return node.interp.value
        return scalar_text(node)
    return None


def expose_range(node: Node) -> tuple[int, int] | None:
    """The (low, high) ports of one `expose:` item, or None when it is not a port."""
    text = _value(node)
    if text is None:
        return None
    try:
        return _range(text.partition("/")[0])
    except PortError:
        return None
