"""The bind mounts, devices and published host ports of a service, each located at the text that names it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from composefix.reading.document import Mapping, Node, Scalar, Sequence
from composefix.reading.project import Service, text_of


class Mount(NamedTuple):
    """One `volumes:` entry that mounts a host path (short or long syntax)."""

    source: str  # the host path after interpolation
    target: str  # the container path
    options: tuple[str, ...]  # short syntax `:ro,rshared` options; long syntax: ("propagation=X", ...)
    # The scalar holding the source, and where the source starts and ends in its value.
    node: Scalar
    start: int
    end: int
    # True when the host path is written out literally (no `${VAR}`, `$HOME`, `~`).
    literal: bool
    # Where the mount's options are written: (scalar, offset of the options in its value).
    options_at: tuple[Scalar, int] | None = None

    @property
    def written(self) -> str:
        """The host path as the file writes it (`${DATA}/db` rather than what it expands to)."""
        if self.literal:
            return self.source
        text = self.node.text
        depth = 0
        for index, char in enumerate(text):
            if char == "{":
                depth += 1
            elif char == "}":
                depth = max(0, depth - 1)
            elif char == ":" and depth == 0 and index != 1:
                return text[:index]
        return text


def _host_path(source: str) -> bool:
    """Compose's test for a bind source: a path (absolute, `.`, `~`) rather than a volume name."""
    return source.startswith(("/", ".", "~", "$")) or (len(source) > 1 and source[1] == ":")


def _split_short(value: str) -> tuple[str, str, str] | None:
    """`SRC:DST[:MODE]` -> (src, dst, mode); None for an anonymous volume (`/data`)."""
    parts = value.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():  # a Windows drive letter
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) < 2:
        return None
    return parts[0], parts[1], ":".join(parts[2:])


def _written(node: Scalar, length: int) -> bool:
    """Whether the first ``length`` characters of the value are written out in the file (no variable)."""
    written = node.text if node.style != "|" else ""
    head = written.split(":", 1)[0] if length else ""
    return "$" not in head and not head.startswith("~")


def bind_mounts(service: Service) -> tuple[Mount, ...]:
    """Every mount of a host path: relative ones (`./data`) too; named volumes never (worked out once per
    service: six rules read them)."""
    mounts: tuple[Mount, ...] | None = service.memo.get("mounts")
    if mounts is None:
        mounts = service.memo["mounts"] = tuple(_bind_mounts(service))
    return mounts


def _bind_mounts(service: Service) -> Iterator[Mount]:
    volumes = service.get("volumes")
    if not isinstance(volumes, Sequence):
        return
    for item in volumes.items:
        if isinstance(item, Scalar):
            value = text_of(item)
            if not value:
                continue
            split = _split_short(value)
            if split is None:
                continue
            source, target, mode = split
            if not _host_path(source):
                continue
            yield Mount(
                source,
                target,
                tuple(o for o in mode.split(",") if o),
                item,
                0,
                len(source),
                _written(item, len(source)),
                (item, len(source) + len(target) + 2) if mode else None,
            )
        elif isinstance(item, Mapping):
            kind = text_of(item.get("type"))
            source_node = item.get("source")
            bind_source = text_of(source_node)
            if kind != "bind" or not isinstance(source_node, Scalar) or not bind_source:
                continue
            options: list[str] = []
            options_at: tuple[Scalar, int] | None = None
            bind = item.get("bind")
            if isinstance(bind, Mapping):
                node = bind.get("propagation")
                propagation = text_of(node)
                if propagation and isinstance(node, Scalar):
                    options.append(propagation)
                    options_at = (node, 0)
            if text_of(item.get("read_only")) == "true":
                options.append("ro")
            literal = "$" not in source_node.text and not source_node.text.startswith("~")
            yield Mount(
                bind_source,
                text_of(item.get("target")) or "",
                tuple(options),
                source_node,
                0,
                len(bind_source),
                literal,
                options_at,
            )


def entries(service: Service, key: str) -> Iterator[tuple[Scalar, str]]:
    """(scalar, value) of each string item of a list key (`devices`, `cap_add`)."""
    node = service.get(key)
    if isinstance(node, Sequence):
        for item in node.items:
            value = text_of(item)
            if isinstance(item, Scalar) and value:
                yield item, value
    elif isinstance(node, Scalar):
        value = text_of(node)
        if value:
            yield node, value


def under(path: str, folders: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether ``path`` is one of ``folders`` or inside one of them."""
    clean = "/" + path.strip("/") if path != "/" else "/"
    for folder in folders:
        base = "/" + folder.strip("/") if folder.strip("/") else "/"
        if base == "/" or clean == base or clean.startswith(base + "/"):
            return True
    return False


def value_node(node: Node | None) -> Scalar | None:
    return node if isinstance(node, Scalar) else None
