"""Turn a plan into text edits of the project's own files, in each file's own style."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from composefix.analysis.hostnames import GATEWAY_ENTRY
from composefix.analysis.strings import extra_hosts, service_strings
from composefix.fixing.plan import Plan, scalar_content
from composefix.model import Change, Edit, Finding, MapToHostGateway, MoveKey, OptIn, RemoveItem, SetVariable
from composefix.reading.document import Document, Mapping, Node, Scalar, Sequence
from composefix.reading.project import Project, Service


@dataclass(slots=True, eq=False)
class InPlace:
    """The in-place edits of a plan, the edits each change made, and the changes that cannot be made in place."""

    edits: list[Edit] = field(default_factory=list)
    by_change: dict[Change, list[Edit]] = field(default_factory=dict)
    # Fixes this mode cannot apply (their findings), and why.
    dropped: list[tuple[Finding, str]] = field(default_factory=list)
    # New opt-in files (path -> text) and how each is loaded (path -> usage line).
    files: dict[str, str] = field(default_factory=dict)
    usage: dict[str, str] = field(default_factory=dict)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _end_of(node: Node, doc: Document) -> int:
    """The end of a node's last line (block scalars end at the start of the next line)."""
    end = node.span.end.offset
    if end > 0 and doc.text[end - 1] == "\n":
        end -= 1
        if end > 0 and doc.text[end - 1] == "\r":
            end -= 1
    return _line_end(doc.text, end)


def _quote(doc: Document, node: Node | None, text: str) -> str:
    """`text` quoted the way the file's items are (double quotes by default)."""
    if isinstance(node, Sequence) and node.items:
        first = doc.text[node.items[0].span.start.offset : node.items[0].span.start.offset + 1]
        if first == "'":
            return f"'{text}'"
        if first not in "\"'" and not re.search(r"[:#{}\[\],&*!|>'\"%@`]", text):
            return text
    return f'"{text}"'


def _sequence_indent(doc: Document) -> int:
    """How far this file indents a block sequence under its key (`ports:` then `  - x`, or `- x`)."""
    for match in re.finditer(r"^( *)[\w.-]+:[ \t]*\r?\n( *)- ", doc.text, re.MULTILINE):
        return len(match.group(2)) - len(match.group(1))
    return 2


def _mapping_indent(doc: Document, service: Mapping) -> int:
    keys = [entry.key for entry in service.entries.values() if entry.key.file == doc.path and entry.key.via is None]
    return keys[0].span.start.column - 1 if keys else 4


class _Builder:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.project: Project = plan.project
        self.result = InPlace()
        self.late: list[Edit] = []
        # Keys each service loses, so that additions are written after a key that stays.
        self.removed: dict[str, set[str]] = {
            name: {change.key for change in sp.reset}
            | {change.key for change in sp.opt_in}
            | set(sp.moved_keys)
            | self._emptied(name)
            for name, sp in plan.services.items()
        }

    def _emptied(self, name: str) -> set[str]:
        """The list keys of a service that lose every item (the key itself is removed)."""
        sp = self.plan.services[name]
        service = self.project.services.get(name)
        keys = {change.key for change in sp.removed_items}
        emptied = set()
        for key in keys:
            node = service.get(key) if service is not None else None
            gone = {id(change.node) for change in sp.removed_items if change.key == key}
            if isinstance(node, Sequence) and all(id(item) in gone for item in node.items):
                emptied.add(key)
        return emptied

    def drop(self, change: Change, reason: str) -> None:
        for finding in self.plan.findings([change]):
            if all(finding is not f for f, _ in self.result.dropped):
                self.result.dropped.append((finding, reason))

    def edit(self, file: str, start: int, end: int, text: str, change: Change) -> None:
        edit = Edit(file, start, end, text)
        self.result.edits.append(edit)
        self.result.by_change.setdefault(change, []).append(edit)

    def add_late(self, change: Change, edit: Edit) -> None:
        """A new key goes after items appended to an existing last key at the same offset."""
        self.late.append(edit)
        self.result.by_change.setdefault(change, []).append(edit)

    def add_items(self, service: Service, key: str, items: list[str], change: Change) -> bool:
        """Append list items to ``key`` of ``service`` (creating the key), in the file that defines the service."""
        doc = self.project.documents.get(service.key.file)
        node = service.node
        if doc is None or node.via is not None or node.file != doc.path:
            self.drop(change, "the service is defined through an anchor or another file")
            return False
        newline = doc.newline
        existing = node.get(key)
        if existing is not None:
            if existing.file != doc.path or existing.via is not None:
                self.drop(change, f"`{key}` comes from another file or an anchor")
                return False
            if isinstance(existing, Sequence) and existing.flow:
                close = existing.span.end.offset - 1
                if doc.text[close] != "]":
                    return False
                quoted = [_quote(doc, existing, i) for i in items]
                separator = ", " if existing.items else ""
                self.edit(doc.path, close, close, separator + ", ".join(quoted), change)
                return True
            if isinstance(existing, Sequence) and existing.items:
                last = existing.items[-1]
                at = _end_of(last, doc)
                dash = doc.text.rfind(
                    "-", _line_start(doc.text, existing.items[0].span.start.offset), existing.items[0].span.start.offset
                )
                indent = " " * (dash - _line_start(doc.text, dash))
                text = "".join(f"{newline}{indent}- {_quote(doc, existing, i)}" for i in items)
                self.edit(doc.path, at, at, text, change)
                return True
            if isinstance(existing, Mapping) and key == "extra_hosts" and not existing.flow and existing.entries:
                last_entry = list(existing.entries.values())[-1]
                at = _end_of(last_entry.value, doc)
                indent = " " * (last_entry.key.span.start.column - 1)
                text = "".join(f"{newline}{indent}{i.split(':', 1)[0]}: {i.split(':', 1)[1]}" for i in items)
                self.edit(doc.path, at, at, text, change)
                return True
            self.drop(change, f"`{key}` has a shape composefix does not edit")
            return False
        if node.flow:
            close = node.span.end.offset - 1
            if doc.text[close] != "}":
                return False
            listed = ", ".join(f'"{i}"' for i in items)
            self.add_late(change, Edit(doc.path, close, close, f", {key}: [{listed}]"))
            return True
        gone = self.removed.get(service.name, set())
        entries = [
            e for name, e in node.entries.items() if e.key.file == doc.path and e.key.via is None and name not in gone
        ]
        if not entries:
            self.drop(change, "the service has no key of its own to write next to")
            return False
        last_value = max((e.value for e in entries), key=lambda v: v.span.end.offset)
        at = _end_of(last_value, doc)
        indent = " " * _mapping_indent(doc, node)
        item_indent = " " * (len(indent) + _sequence_indent(doc))
        lines = [f"{newline}{indent}{key}:"] + [f'{newline}{item_indent}- "{i}"' for i in items]
        self.add_late(change, Edit(doc.path, at, at, "".join(lines)))
        return True

    def remove_entry(self, service: Service, key: str, change: Change) -> bool:
        """Delete ``key`` (a block entry on lines of its own) from the service."""
        doc = self.project.documents.get(service.key.file)
        entry = service.node.entries.get(key)
        if doc is None or entry is None or entry.key.file != doc.path or entry.key.via is not None:
            self.drop(change, f"`{key}` is not written in the service's own file")
            return False
        if service.node.flow:
            self.drop(change, "the service is written in flow style ({...})")
            return False
        start = _line_start(doc.text, entry.key.span.start.offset)
        if doc.text[start : entry.key.span.start.offset].strip():
            self.drop(change, f"`{key}` does not start its own line")
            return False
        end = _end_of(entry.value, doc)
        after = doc.text.find("\n", end)
        self.edit(doc.path, start, len(doc.text) if after < 0 else after + 1, "", change)
        return True

    def _shared_conflicts(self) -> dict[tuple[str, int, int], str]:
        """Ranges of text that several services use (an anchor, an `extends` base, a `.env` variable) but that
        not all of them want changed the same way: editing them in place would change a service that is fine."""
        wanted: dict[tuple[str, int, int], dict[str, str]] = {}
        for item in self.plan.replacements:
            wanted.setdefault((item.file, item.start, item.end), {})[item.service] = item.text
        if not wanted:
            return {}
        users: dict[tuple[str, int, int], set[str]] = {key: set() for key in wanted}
        for service in self.project.services.values():
            for ref in service_strings(service):
                for piece in ref.node.interp.pieces if ref.node.interp is not None else ():
                    source = piece.source
                    for key in wanted:
                        if source.file == key[0] and source.start <= key[1] and key[2] <= source.end:
                            users[key].add(service.name)
        conflicts = {}
        for key, texts in wanted.items():
            others = sorted(users[key] - set(texts))
            if others:
                conflicts[key] = f"the text is shared with service `{others[0]}`, which needs it as it is"
            elif len(set(texts.values())) > 1:
                conflicts[key] = "the text is shared by services that need different values"
        return conflicts

    def build(self) -> InPlace:
        opt_in: dict[str, list[tuple[str, str, OptIn]]] = {}
        conflicts = self._shared_conflicts()
        for item in self.plan.replacements:
            reason = conflicts.get((item.file, item.start, item.end))
            if reason is not None:
                self.drop(item.change, reason)
                continue
            self.edit(item.file, item.start, item.end, item.text, item.change)
        for removal in self.plan.removals:
            self.edit(removal.file, removal.start, removal.end, "", removal)
        for name, sp in self.plan.services.items():
            service = self.project.services[name]
            for reset in sp.reset:
                self.remove_entry(service, reset.key, reset)
            for opt in sp.opt_in:
                self._opt_in(service, opt, opt_in)
            for publish in sp.publish:
                self.add_items(service, "ports", [f"{p}:{p}" for p, _ in publish.ports], publish)
            for join in sp.join:
                self.add_items(service, "networks", list(join.networks), join)
            for entry in sp.gateway_entries:
                self._gateway_entry(service, entry)
            if sp.add_hosts is not None:
                self.add_items(service, "extra_hosts", [GATEWAY_ENTRY], sp.add_hosts)
            for move in sp.moved:
                self._move(service, move)
            self._remove_items(service, sp.removed_items)
            for variable in sp.variables:
                self._set_variable(service, variable)
        self.result.edits += self.late
        for path, moved in opt_in.items():
            self._write_opt_in(path, moved)
        return self.result

    def _opt_in(self, service: Service, change: OptIn, files: dict[str, list[tuple[str, str, OptIn]]]) -> None:
        """Move the key's lines, as written, to the opt-in file beside the service's own file."""
        from composefix.reading.discovery import is_generated

        entry = service.node.entries.get(change.key)
        doc = self.project.documents.get(service.key.file)
        if entry is None or doc is None or entry.key.file != doc.path or entry.value.via is not None:
            self.drop(change, f"`{change.key}` is not written in the service's own file")
            return
        start = _line_start(doc.text, entry.key.span.start.offset)
        text = doc.text[start : _end_of(entry.value, doc)]
        if re.search(r"(^|[\s\[{,])[&*][A-Za-z0-9_-]", text) or "\t" in text[: len(text) - len(text.lstrip())]:
            self.drop(change, f"`{change.key}` uses YAML anchors or aliases: move it to {change.name} by hand")
            return
        path = os.path.join(os.path.dirname(doc.path), change.name)
        if os.path.lexists(path):
            why = "composefix wrote it before" if is_generated(Path(path)) else "composefix did not write it"
            self.drop(change, f"{change.name} exists ({why}): move `{change.key}` of `{service.name}` there by hand")
            return
        if self.remove_entry(service, change.key, change):
            indent = len(text) - len(text.lstrip(" "))
            lines = [line[indent:] if line[:indent].strip() == "" else line for line in text.splitlines()]
            files.setdefault(path, []).append((service.name, "\n".join("    " + line for line in lines), change))

    def _write_opt_in(self, path: str, moved: list[tuple[str, str, OptIn]]) -> None:
        from composefix import __version__
        from composefix.fixing.override import HEADER_MARK

        folder = os.path.dirname(path)
        name = os.path.basename(path)
        files = [
            os.path.relpath(os.path.abspath(f), os.path.abspath(folder) or ".") for f in self.project.compose_files
        ]
        command = " ".join(f"-f {f}" for f in [*files, name])
        machine = moved[0][2].machine or "a machine that opts in"
        body = ["services:"]
        for service in dict.fromkeys(name for name, _, _ in moved):
            source = os.path.basename(self.project.services[service].key.file)
            body.append(f"  {service}:")
            for _, text, change in (item for item in moved if item[0] == service):
                body += [f"    # {self.plan.codes([change])}: moved from {source}", text]
        header = [
            f"{HEADER_MARK} {__version__}: an opt-in file. Do not load it everywhere.",
            f"# Load it only on {machine}: docker compose {command} up",
        ]
        self.result.files[path] = "\n".join([*header, *body]) + "\n"
        self.result.usage[path] = f"on {machine}: docker compose {command} up"

    def _remove_items(self, service: Service, changes: list[RemoveItem]) -> None:
        """Delete list items (each on lines of its own, or in a flow list); a list that loses every item loses its
        key."""
        for key in dict.fromkeys(change.key for change in changes):
            mine = [change for change in changes if change.key == key]
            node = service.get(key)
            doc = self.project.documents.get(mine[0].file)
            if not isinstance(node, Sequence) or doc is None or node.file != doc.path or node.via is not None:
                for change in mine:
                    self.drop(change, f"`{key}` is not written in the service's own file")
                continue
            if key in self.removed.get(service.name, set()):
                if self.remove_entry(service, key, mine[0]):
                    for change in mine[1:]:
                        self.result.by_change[change] = self.result.by_change.get(mine[0], [])
                else:
                    for change in mine[1:]:
                        self.drop(change, f"`{key}` does not start its own line")
                continue
            for change in mine:
                span = _item_span(doc, node, change.node, {id(c.node) for c in mine})
                if span is None:
                    self.drop(change, f"the item of `{key}` does not stand on lines of its own")
                    continue
                self.edit(doc.path, span[0], span[1], "", change)

    def _set_variable(self, service: Service, change: SetVariable) -> None:
        """Add the variable to the service's `environment` in its own style: `NAME: "value"` in a mapping,
        `- "NAME=value"` in a list (a new list when the service has none)."""
        env = service.get("environment")
        if env is None:
            self.add_items(service, "environment", [f"{change.name}={change.value}"], change)
            return
        doc = self.project.documents.get(service.key.file)
        if not isinstance(env, Mapping) or doc is None or env.file != doc.path or env.via is not None:
            self.drop(change, "`environment` is not written in the service's own file")
            return
        as_entry = f'{change.name}: "{change.value}"'
        as_item = f'"{change.name}={change.value}"'
        entries = list(env.entries.values())
        if env.flow:
            close = env.span.end.offset - 1
            closer = doc.text[close]
            if closer not in "}]":
                self.drop(change, "`environment` has a shape composefix does not edit")
                return
            added = as_entry if closer == "}" else as_item
            self.edit(doc.path, close, close, (", " if entries else "") + added, change)
            return
        if not entries:
            self.drop(change, "`environment` has a shape composefix does not edit")
            return
        last = max(entries, key=lambda e: e.value.span.end.offset)
        first = entries[0].key
        prefix = doc.text[_line_start(doc.text, first.span.start.offset) : first.span.start.offset]
        line = prefix + as_item if prefix.strip() == "-" else " " * (first.span.start.column - 1) + as_entry
        at = _end_of(last.value, doc)
        self.edit(doc.path, at, at, f"{doc.newline}{line}", change)

    def _gateway_entry(self, service: Service, change: MapToHostGateway) -> None:
        node = change.node
        entry = next((e for e in extra_hosts(service) if e.node is node), None)
        doc = self.project.documents.get(node.file)
        content = scalar_content(self.project, node)
        if entry is None or doc is None or content is None:
            self.drop(change, "the entry is not written verbatim")
            return
        source = doc.text[node.span.start.offset : node.span.end.offset]
        start = node.span.start.offset + source.index(content)
        at = content.rfind(entry.address)
        if at < 0:
            self.drop(change, "the address is not written verbatim")
            return
        self.edit(doc.path, start + at, start + at + len(entry.address), "host-gateway", change)

    def _move(self, service: Service, move: MoveKey) -> None:
        key = move.key
        target = self.project.services[move.owner]
        node = service.get(key)
        items: list[str] = []
        if isinstance(node, Sequence):
            for item in node.items:
                text = scalar_content(self.project, item) if isinstance(item, Scalar) else None
                if text is None:
                    self.drop(move, f"an item of `{key}` is not written verbatim")
                    return
                items.append(text)
        elif key == "extra_hosts" and isinstance(node, Mapping):
            items = [f"{e.name}:{e.address}" for e in extra_hosts(service)]
        elif isinstance(node, Scalar) and key in ("dns", "dns_search", "dns_opt"):
            text = scalar_content(self.project, node)
            if text is None:
                self.drop(move, f"`{key}` is not written verbatim")
                return
            items = [text]
        else:
            self.drop(move, f"`{key}` is moved in override mode only")
            return
        if self.add_items(target, key, items, move):
            self.remove_entry(service, key, move)


def _item_span(doc: Document, sequence: Sequence, item: Node, removed: set[int]) -> tuple[int, int] | None:
    """The text to delete to take ``item`` out of ``sequence`` (whole lines in block style; the item and one comma
    in flow style)."""
    index = next((i for i, other in enumerate(sequence.items) if other is item), None)
    if index is None or item.file != doc.path or item.via is not None:
        return None
    text = doc.text
    if sequence.flow:
        if index + 1 < len(sequence.items):
            return item.span.start.offset, sequence.items[index + 1].span.start.offset
        if index == 0 or id(sequence.items[index - 1]) in removed:
            return None  # the previous item's own range reaches this one
        return sequence.items[index - 1].span.end.offset, item.span.end.offset
    start = _line_start(text, item.span.start.offset)
    dash = text.rfind("-", start, item.span.start.offset)
    if dash < 0 or text[start:dash].strip() or text[dash + 1 : item.span.start.offset].strip():
        return None
    after = text.find("\n", _end_of(item, doc))
    return start, len(text) if after < 0 else after + 1


def in_place(plan: Plan) -> InPlace:
    return _Builder(plan).build()
