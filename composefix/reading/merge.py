"""Compose's merge semantics for `-f` files and `extends`: which keys are replaced, merged by name or appended, and
`!reset`/`!override`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from composefix.reading.document import RESET_TAG, Entry, Mapping, Node, Scalar, Sequence
from composefix.reading.project import text_of
from composefix.reading.texts import Piece, Text

# Merge behaviour per service key (compose-go override/merge.go, docs/platforms.md#compose-merge-rules).
REPLACED = frozenset({"command", "entrypoint"})

BY_NAME = frozenset({"environment", "labels", "annotations"})

APPENDED_UNIQUE = frozenset({"expose", "dns", "dns_search", "dns_opt", "tmpfs"})


# --- normalising and merging ----------------------------------------------------------------------------------


def _synthetic(item: Scalar, value: str | None, offset: int) -> Scalar:
    interp = item.interp.slice(offset) if item.interp is not None and value is not None else None
    return replace(item, value=value, text=value or "", interp=interp)


def _pairs(node: Node) -> Node:
    """`list_or_dict` (environment, labels, build.args) as a mapping of name -> Scalar (value None when unset)."""
    if not isinstance(node, Sequence):
        return node
    entries: dict[str, Entry] = {}
    for item in node.items:
        text = text_of(item)
        if text is None or not isinstance(item, Scalar):
            continue
        name, sep, value = text.partition("=")
        name = name.strip()
        key = replace(item, value=name, text=name, interp=None)
        entries[name] = Entry(key, _synthetic(item, value if sep else None, len(name) + 1 if sep else 0))
    return Mapping(node.file, node.span, node.tag, node.via, entries, node.flow)


def normalise(service: Mapping) -> Mapping:
    """List-or-dict keys as mappings, so that merging by name is a mapping merge."""
    entries = dict(service.entries)
    for key in BY_NAME:
        if key in entries:
            entries[key] = Entry(entries[key].key, _pairs(entries[key].value))
    build = entries.get("build")
    if build is not None and isinstance(build.value, Mapping) and "args" in build.value.entries:
        args = build.value.entries["args"]
        build_entries = dict(build.value.entries)
        build_entries["args"] = Entry(args.key, _pairs(args.value))
        entries["build"] = Entry(build.key, replace(build.value, entries=build_entries))
    return replace(service, entries=entries)


def without(node: Mapping, key: str) -> Mapping:
    return replace(node, entries={k: e for k, e in node.entries.items() if k != key})


def _host_items(node: Node) -> list[Node]:
    """`extra_hosts` as a list of `name:ip` scalars (the mapping form becomes one item per address)."""
    if isinstance(node, Sequence):
        return list(node.items)
    if isinstance(node, Mapping):
        items: list[Node] = []
        for name, entry in node.entries.items():
            values = entry.value.items if isinstance(entry.value, Sequence) else [entry.value]
            for value in values:
                if isinstance(value, Scalar):
                    address = text_of(value) or ""
                    interp = value.interp
                    prefix = Text(f"{name}:")
                    joined = Text(
                        prefix.value + address,
                        tuple(
                            Piece(p.start + len(prefix.value), p.end + len(prefix.value), p.source)
                            for p in (interp.pieces if interp is not None else ())
                        ),
                    )
                    items.append(replace(value, value=joined.value, text=joined.value, interp=joined))
        return items
    return []


def _port_key(node: Node) -> object:
    from composefix.reading.ports import PortError, parse_range

    try:
        return parse_range(node).key
    except PortError:
        return ("invalid", id(node))


def _append_unique(base: list[Node], extra: list[Node], key: Callable[[Node], object]) -> list[Node]:
    seen = {key(n) for n in base}
    result = list(base)
    for node in extra:
        marker = key(node)
        if marker not in seen:
            seen.add(marker)
            result.append(node)
    return result


def _text_key(node: Node) -> object:
    text = text_of(node)
    return text if text is not None else ("node", id(node))


def _merge_value(key: str, base: Node, over: Node) -> Node | None:
    """Merge one service key (None removes it: `!reset`)."""
    if over.tag == RESET_TAG:
        return None
    if over.tag == "!override" or key in REPLACED:
        return over
    if key == "extra_hosts":
        items = _append_unique(_host_items(base), _host_items(over), _text_key)
        return Sequence(over.file, over.span, None, over.via, items, False)
    if key == "ports" and isinstance(base, Sequence) and isinstance(over, Sequence):
        return replace(over, items=_append_unique(base.items, over.items, _port_key))
    if key in APPENDED_UNIQUE or key == "env_file":
        # `string_or_list` keys: a lone string is a one-item list.
        base_items = base.items if isinstance(base, Sequence) else [base]
        over_items = over.items if isinstance(over, Sequence) else [over]
        items = _append_unique(base_items, over_items, _text_key) if key != "env_file" else base_items + over_items
        return Sequence(over.file, over.span, None, over.via, items, False)
    if key == "healthcheck" and isinstance(base, Mapping) and isinstance(over, Mapping):
        merged = merge_mapping(base, over, nested=True)
        if "test" in over.entries:
            merged.entries["test"] = over.entries["test"]
        return merged
    if key in ("networks", "depends_on"):
        base, over = _as_mapping(base), _as_mapping(over)
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        return merge_mapping(base, over, nested=True)
    if isinstance(base, Sequence) and isinstance(over, Sequence):
        return replace(over, items=[*base.items, *over.items])
    return over


def _as_mapping(node: Node) -> Node:
    if isinstance(node, Sequence):
        entries = {}
        for item in node.items:
            name = text_of(item)
            if name is not None and isinstance(item, Scalar):
                empty = Scalar(item.file, item.span, None, item.via, None, "", None)
                entries[name] = Entry(item, empty)
        return Mapping(node.file, node.span, None, node.via, entries, node.flow)
    return node


def merge_mapping(base: Mapping, over: Mapping, *, nested: bool = False) -> Mapping:
    entries = dict(base.entries)
    for name, entry in over.entries.items():
        if name in entries:
            merged = _merge_value(name, entries[name].value, entry.value) if nested else entry.value
            if merged is None:
                del entries[name]
            else:
                entries[name] = Entry(entry.key, merged)
        elif entry.value.tag != RESET_TAG:
            entries[name] = entry
    return replace(over, entries=entries, tag=None)


def merge_service(base: Mapping, over: Mapping) -> Mapping:
    """Merge two definitions of a service as Compose does for `-f` files and `extends`."""
    entries = dict(base.entries)
    for name, entry in over.entries.items():
        if name not in entries:
            if entry.value.tag != RESET_TAG:
                entries[name] = entry
            continue
        merged = _merge_value(name, entries[name].value, entry.value)
        if merged is None:
            del entries[name]
        else:
            entries[name] = Entry(entry.key, merged)
    return replace(over, entries=entries, tag=None)
