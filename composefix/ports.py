"""Parse `ports` and `expose` entries as Compose does (short and long syntax, ranges, IPv6 host addresses)."""

from __future__ import annotations

import re
from typing import NamedTuple

from composefix.document import Mapping, Node, Scalar, scalar_text


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


def parse_short(text: str, node: Node) -> list[Port]:
    """`[[IP:](HOST|RANGE):](CONTAINER|RANGE)[/PROTO]`, expanded as `compose config` prints it."""
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
    targets = list(range(low, high + 1))
    if host in (None, ""):
        return [Port(t, None, ip, protocol, node) for t in targets]
    assert host is not None
    host_low, host_high = _range(host)
    if host_high - host_low == high - low:
        return [Port(t, str(host_low + i), ip, protocol, node) for i, t in enumerate(targets)]
    if low == high:
        return [Port(low, host, ip, protocol, node)]
    raise PortError(f"invalid port `{text}`: host and container ranges differ in size")


def parse_entry(node: Node) -> list[Port]:
    """One item of `ports:` (a number, a short-syntax string, or a long-syntax mapping)."""
    if isinstance(node, Scalar):
        text = node.interp.value if node.interp is not None else scalar_text(node)
        if text is None:
            raise PortError("empty port entry")
        return parse_short(text, node)
    if isinstance(node, Mapping):
        target = _value(node.get("target"))
        if target is None:
            raise PortError("port entry without `target`")
        published = _value(node.get("published"))
        host_ip = _value(node.get("host_ip"))
        protocol = _value(node.get("protocol")) or "tcp"
        low, _high = _range(target)
        return [Port(low, published, host_ip, protocol, node)]
    raise PortError("a port entry must be a number, a string or a mapping")


def _value(node: Node | None) -> str | None:
    if isinstance(node, Scalar):
        if node.interp is not None:
            return node.interp.value
        return scalar_text(node)
    return None


def expose_ports(node: Node) -> list[int]:
    """Ports of one `expose:` item (`3000`, `"5000-5001"`, `"8080/udp"`)."""
    text = _value(node)
    if text is None:
        return []
    try:
        low, high = _range(text.partition("/")[0])
    except PortError:
        return []
    return list(range(low, high + 1))
