"""Parse one YAML file into a located tree; the only module that imports ruamel.yaml."""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from composefix.model import Position, Span
from composefix.reading.texts import Text

# Limits that keep hostile input from hanging the process or exhausting memory. Real compose files nest fewer
# than 20 levels; every later step (interpolation, merging, schema validation) walks the tree recursively, so the
# depth limit is what keeps them inside Python's recursion limit.
MAX_DEPTH = 100
MAX_EXPANDED_NODES = 250_000
# Aliases may repeat text, but what they add (characters of every scalar reached through an alias, counted again
# at each use) is bounded: analysis reads expanded text, so its cost must stay proportional to the file.
MAX_ALIAS_GROWTH = 2_000_000

RESET_TAG = "!reset"
OVERRIDE_TAG = "!override"

_STD = "tag:yaml.org,2002:"
_IMPLICIT = "?"  # our marker for "no explicit tag: resolve the plain scalar"


class Kind(StrEnum):
    """What kind of problem reading a file or project met (rules turn each kind into findings)."""

    # The file cannot be read as YAML at all: syntax, encoding, nesting or alias limits, a bad `.env` line.
    SYNTAX = "syntax"
    # A mapping key written twice; the first value is kept, so the rest of the file can still be checked.
    DUPLICATE_KEY = "duplicate-key"
    # The project is invalid as written: bad interpolation syntax, a service defined twice through `include`.
    INVALID = "invalid"
    # A reference to a file, service or required variable that does not exist (or a cycle).
    MISSING_REFERENCE = "missing-reference"
    # A file the project refers to exists but cannot be used: unreadable, too large, not a regular file.
    UNREADABLE = "unreadable"
    # `extends` or `include` chains deeper than composefix follows.
    TOO_DEEP = "too-deep"


class DocumentError(Exception):
    """A file that cannot be read as YAML at all."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(slots=True, eq=False)
class Node:
    """A located YAML node: its file, span, tag (`!reset`, `!override`) and how it was reached."""

    file: str
    span: Span
    tag: str | None
    # None: written here; "alias": reached through `*name`; "merge-key": reached through `<<:`.
    via: str | None


@dataclass(slots=True, eq=False)
class Scalar(Node):
    """A scalar with its resolved value, its source text and its style."""

    value: Any
    # The scalar's string before type resolution (`0755`, `8080`, `yes`).
    text: str
    # None for plain, "'" or '"' for quoted, "|" or ">" for block scalars.
    style: str | None
    # The string value after interpolation, with where each character came from (set by the project loader).
    interp: Text | None = None


@dataclass(slots=True, eq=False)
class Entry:
    """A mapping entry: the key scalar (with its own span) and the value node."""

    key: Scalar
    value: Node


@dataclass(slots=True, eq=False)
class Mapping(Node):
    """A mapping in key order, after merge keys are applied."""

    entries: dict[str, Entry]
    flow: bool

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry.value if entry is not None else None


@dataclass(slots=True, eq=False)
class Sequence(Node):
    """A sequence of nodes."""

    items: list[Node]
    flow: bool


class Problem(NamedTuple):
    """A parse-level problem: syntax/encoding (the file cannot be read) or a duplicate key."""

    kind: Kind
    message: str
    span: Span


@dataclass(slots=True, eq=False)
class Document:
    """One parsed file: its decoded text, encoding details, located tree and parse problems."""

    path: str
    text: str
    bom: bool = False
    newline: str = "\n"
    root: Node | None = None
    problems: list[Problem] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem at all (what rewriting needs)."""
        return not self.problems

    @property
    def readable(self) -> bool:
        """The tree can be checked: no syntax problem (duplicate keys keep their first value)."""
        return not any(p.kind is Kind.SYNTAX for p in self.problems)

    def position(self, offset: int) -> Position:
        starts = self._starts()
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(starts, offset) - 1
        return Position(line + 1, offset - starts[line] + 1, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    def line_text(self, line: int) -> str:
        starts = self._starts()
        if not 1 <= line <= len(starts):
            return ""
        begin = starts[line - 1]
        stop = starts[line] if line < len(starts) else len(self.text)
        return self.text[begin:stop].rstrip("\r\n")

    @property
    def line_count(self) -> int:
        return len(self._starts())

    def source(self, span: Span) -> str:
        return self.text[span.start.offset : span.end.offset]

    def _starts(self) -> list[int]:
        if not self._line_starts:
            if "\r" not in self.text:
                # Nearly every file: the lengths of the lines, added up (4x faster than a match per line break).
                lines = self.text.split("\n")
                self._line_starts = [0, *itertools.accumulate(len(line) + 1 for line in lines[:-1])]
            else:
                starts = [0]
                for match in re.finditer(r"\r\n|\r|\n", self.text):
                    starts.append(match.end())
                self._line_starts = starts
        return self._line_starts


def decode(data: bytes) -> tuple[str, bool]:
    """Decode UTF-8 (with or without BOM); raise DocumentError naming the bad byte's offset."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("file is UTF-16 encoded; Compose files must be UTF-8", Position(1, 1, 0))
    if b"\x00" in data:
        start = data.index(b"\x00")
        before = data[:start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise DocumentError("file contains a NUL byte (binary file?)", Position(line, column, len(before)))
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if bom else 0)
        good = data[:start].decode("utf-8", errors="replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        raise DocumentError(
            f"invalid UTF-8 byte 0x{data[start]:02x} at byte offset {start}",
            Position(line, column, len(good)),
        ) from None
    return text, bom


def load(data: bytes, path: str) -> Document:
    """Decode and parse ``data``; problems are recorded on the document, never raised."""
    try:
        text, bom = decode(data)
    except DocumentError as exc:
        doc = Document(path=path, text="")
        pos = exc.position or Position(1, 1, 0)
        doc.problems.append(Problem(Kind.SYNTAX, exc.message, Span(pos, pos)))
        return doc
    return parse(text, path, bom=bom)


def parse(text: str, path: str, *, bom: bool = False) -> Document:
    """Parse decoded text into a located tree; record syntax and duplicate-key problems on the document."""
    newline = "\r\n" if "\r\n" in text else "\n"
    doc = Document(path=path, text=text, bom=bom, newline=newline)
    try:
        raw = _compose(text)
    except DocumentError as exc:
        pos = exc.position or Position(1, 1, 0)
        doc.problems.append(Problem(Kind.SYNTAX, exc.message, Span(pos, pos)))
        return doc
    if raw is None:
        return doc
    builder = _Builder(doc)
    try:
        if "*" in text:  # no `*`, no alias to expand
            _check_expansion(raw)
        doc.root = builder.build(raw, None, 0)
    except RecursionError:  # the limits above stop it first; still one finding, never a crash
        start = Position(1, 1, 0)
        doc.problems.append(Problem(Kind.SYNTAX, f"nesting is deeper than {MAX_DEPTH} levels", Span(start, start)))
        doc.root = None
    except DocumentError as exc:
        pos = exc.position or Position(1, 1, 0)
        doc.problems.append(Problem(Kind.SYNTAX, exc.message, Span(pos, pos)))
        doc.root = None
    doc.problems.extend(builder.duplicates)
    return doc


# --- composing with ruamel ------------------------------------------------------------------------------------


def _check_expansion(root: Any) -> None:
    """Refuse a document whose aliases expand to too many nodes or too much text (a 'billion laughs' document).

    Counts, for every node, its nodes and characters once every alias is expanded: bottom-up over the raw graph
    (each distinct node once, iteratively, so neither cost nor recursion depends on the expansion). A node that
    contains itself (a recursive alias) counts once, as the builder stops it."""
    nodes: dict[int, int] = {}
    chars: dict[int, int] = {}
    own_chars = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        raw, children_done = stack.pop()
        key = id(raw)
        if children_done:
            if raw.id == "scalar":
                continue
            kids = raw.value if raw.id == "sequence" else [part for pair in raw.value for part in pair]
            nodes[key] = min(1 + sum(nodes.get(id(k), 1) for k in kids), MAX_EXPANDED_NODES + 1)
            chars[key] = sum(chars.get(id(k), 0) for k in kids)
            continue
        if key in nodes:
            continue
        if raw.id == "scalar":
            nodes[key] = 1
            chars[key] = len(raw.value)
            own_chars += len(raw.value)
            continue
        nodes[key] = 1  # provisional: a node met again while its children are counted is a recursive alias
        chars[key] = 0
        stack.append((raw, True))
        kids = raw.value if raw.id == "sequence" else [part for pair in raw.value for part in pair]
        stack.extend((kid, False) for kid in reversed(kids) if id(kid) not in nodes)
    if nodes[id(root)] > MAX_EXPANDED_NODES:
        raise DocumentError(
            f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (a 'billion laughs' document?)",
            Position(1, 1, 0),
        )
    if chars[id(root)] - own_chars > MAX_ALIAS_GROWTH:
        raise DocumentError(
            f"aliases repeat more than {MAX_ALIAS_GROWTH:,} characters of text (a 'billion laughs' document?)",
            Position(1, 1, 0),
        )


def _rough_depth(text: str) -> int:
    """An upper bound on nesting, cheap enough to run before the C parser (which recurses in C)."""
    brackets = text.count("[") + text.count("{")
    widest = max(map(len, text.splitlines()), default=0)
    if brackets <= MAX_DEPTH and widest <= MAX_DEPTH:
        # Block nesting never exceeds a line's width (indentation plus `- ` indicators): the usual case.
        return max(brackets, widest)
    best = 0
    if brackets > MAX_DEPTH:
        depth = 0
        for char in re.sub(r"[^\[\]{}]+", "", text):
            depth += 1 if char in "[{" else -1
            best = max(best, depth)
    for line in text.splitlines():
        if line.startswith(" ") or "- " in line:
            best = max(best, len(line) - len(line.lstrip(" ")) + line.count("- "))
    return best


@functools.cache
def _c_loader() -> Any:
    """A libyaml-backed composer that leaves plain scalars untagged (we resolve them as go-yaml does)."""
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.resolver import BaseResolver

    class _Loader(CParser, BaseResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return _IMPLICIT

    return _Loader


@functools.cache
def _python_loader() -> Any:
    """ruamel's pure-Python YAML 1.2 composer, with a depth limit."""
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.scanner import Scanner
    from ruamel.yaml.tag import Tag

    class _Loader(Reader, Scanner, Parser, Composer, VersionedResolver):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream, loader=self)
            Scanner.__init__(self, loader=self)
            Parser.__init__(self, loader=self)
            Composer.__init__(self, loader=self)
            VersionedResolver.__init__(self, version=(1, 2), loader=self)
            self.max_depth = MAX_DEPTH
            self.comment_handling = None  # read by the parser on some paths (found by fuzzing)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            return Tag(suffix=_IMPLICIT)

    return _Loader


def _compose(text: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        if _rough_depth(text) > MAX_DEPTH:
            return _compose_python(text)
        loader = _c_loader()(text)
        try:
            return loader.get_single_node()
        except MarkedYAMLError as first:
            # libyaml is YAML 1.1 and rejects some YAML 1.2 that go-yaml accepts (`ports: [8080:80]`):
            # let the pure-Python YAML 1.2 parser decide.
            try:
                return _compose_python(text)
            except (MarkedYAMLError, DocumentError):
                raise
            except Exception:  # the pure-Python parser failing in its own code: libyaml's error stands
                raise first from None
        finally:
            loader.dispose()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1, mark.index) if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            problem = "a tab character where YAML needs spaces (tabs cannot indent YAML)"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise DocumentError(f"{problem}{context}", position) from None
    except YAMLError as exc:
        raise DocumentError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None


def _compose_python(text: str) -> Any:
    """Pure-Python composing for deeply nested input, where RecursionError is catchable."""
    from ruamel.yaml.composer import MaxDepthExceededError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel warns (on stderr) about reused anchors: Compose accepts them
            return _python_loader()(text).get_single_node()
    except (RecursionError, MaxDepthExceededError):
        raise DocumentError(f"nesting is deeper than {MAX_DEPTH} levels") from None


# --- building the located tree --------------------------------------------------------------------------------

_INT_RE = re.compile(r"[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def resolve_plain(value: str) -> Any:
    """Resolve a plain scalar as go-yaml v3 (used by Compose) does: YAML 1.2 core, no yes/no booleans."""
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    first = value[0]
    if first in "+-.0123456789":
        if _INT_RE.fullmatch(value):
            try:
                return int(value.replace("_", ""), 8 if re.fullmatch(r"[-+]?0[0-7_]+", value) else 0)
            except ValueError:
                pass
        if _FLOAT_RE.fullmatch(value):
            return float(value)
        lowered = value.lower()
        if lowered in (".inf", "+.inf"):
            return math.inf
        if lowered == "-.inf":
            return -math.inf
        if lowered == ".nan":
            return math.nan
    return value


_STYLES = {"'": "'", '"': '"', "|": "|", ">": ">"}
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.duplicates: list[Problem] = []
        self.seen: set[int] = set()
        self.open: set[int] = set()  # the collections being built (the current path from the root)

    def _span(self, raw: Any) -> Span:
        start, end = raw.start_mark, raw.end_mark
        return Span(
            Position(start.line + 1, start.column + 1, start.index),
            Position(end.line + 1, end.column + 1, end.index),
        )

    def build(self, raw: Any, via: str | None, depth: int) -> Node:
        self.count += 1
        if self.count > MAX_EXPANDED_NODES:
            raise DocumentError(
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (a 'billion laughs' document?)",
                self._span(raw).start,
            )
        if depth > MAX_DEPTH:
            raise DocumentError(f"nesting is deeper than {MAX_DEPTH} levels", self._span(raw).start)
        key = id(raw)
        if via is None and key in self.seen:
            via = "alias"  # a node met twice is an alias use: its text lives at the anchor
        self.seen.add(key)
        tag = _tag_of(raw)
        kind = raw.id
        if kind == "scalar":
            return self._scalar(raw, tag, via)
        if key in self.open:
            # go-yaml: "anchor 'a' value contains itself"; Compose refuses the file.
            raise DocumentError(
                "an alias is used inside its own anchor's value (a recursive alias)", self._span(raw).start
            )
        self.open.add(key)
        try:
            return self._collection(raw, tag, via, depth)
        finally:
            self.open.discard(key)

    def _collection(self, raw: Any, tag: str | None, via: str | None, depth: int) -> Node:
        if raw.id == "sequence":
            items = [self.build(item, via, depth + 1) for item in raw.value]
            return Sequence(self.doc.path, self._span_of_collection(raw, items), tag, via, items, bool(raw.flow_style))
        entries: dict[str, Entry] = {}
        merges: list[Any] = []
        for key_raw, value_raw in raw.value:
            key_node = self._scalar_key(key_raw, via)
            if key_node.value == "<<" and key_node.style is None and key_node.tag is None:
                merges.append(value_raw)
                continue
            name = _key_text(key_node)
            if name in entries:
                if via is None:
                    first = entries[name].key.span.start
                    self.duplicates.append(
                        Problem(
                            Kind.DUPLICATE_KEY,
                            f'duplicate key "{name}" (first defined at line {first.line}, column {first.column})',
                            key_node.span,
                        )
                    )
                continue
            entries[name] = Entry(key_node, self.build(value_raw, via, depth + 1))
        for merge in merges:
            self._merge(entries, merge, depth)
        span = self._span_of_collection(raw, [e.value for e in entries.values()])
        return Mapping(self.doc.path, span, tag, via, entries, bool(raw.flow_style))

    def _merge(self, entries: dict[str, Entry], raw: Any, depth: int) -> None:
        sources = raw.value if raw.id == "sequence" else [raw]
        for source in sources:
            if source.id != "mapping":
                raise DocumentError("a merge key (<<) needs a mapping or a list of mappings", self._span(source).start)
            built = self.build(source, "merge-key", depth + 1)
            assert isinstance(built, Mapping)
            for name, entry in built.entries.items():
                entries.setdefault(name, entry)

    def _span_of_collection(self, raw: Any, children: list[Node]) -> Span:
        span = self._span(raw)
        if raw.flow_style or not children:
            return span
        # A block collection's end mark sits at the next token, often lines later: end at the last child instead.
        last = max((c.span.end for c in children if c.via is None), key=lambda p: p.offset, default=None)
        if last is None or last.offset < span.start.offset:
            return span
        return Span(span.start, last)

    def _scalar(self, raw: Any, tag: str | None, via: str | None) -> Scalar:
        text = raw.value
        style = _STYLES.get(raw.style or "")
        if style == '"' and not text.isascii() and _SURROGATE.search(text):
            # `"\ud800"` escapes a lone surrogate, which no UTF-8 text can hold: Go (and so Compose) reads it
            # as U+FFFD, and printing it would fail in every output format.
            text = _SURROGATE.sub("\ufffd", text)
        value: Any
        if tag is None or tag in (RESET_TAG, OVERRIDE_TAG, "!"):
            value = resolve_plain(text) if style is None and tag != "!" else text
        elif tag == _STD + "str":
            value = text
        elif tag == _STD + "null":
            value = None
        elif tag in (_STD + "int", _STD + "float", _STD + "bool"):
            resolved = resolve_plain(text)
            kind = tag.removeprefix(_STD)
            if kind == "int" and isinstance(resolved, int) and not isinstance(resolved, bool):
                value = resolved
            elif kind == "float" and isinstance(resolved, (int, float)) and not isinstance(resolved, bool):
                value = float(resolved)
            elif kind == "bool" and isinstance(resolved, bool):
                value = resolved
            else:
                # go-yaml refuses the file: "cannot decode !!str `nginx` as a !!int".
                raise DocumentError(f"cannot read `{text}` as `!!{kind}`", self._span(raw).start)
        else:
            # Other tags (`!custom`, `!!binary`...) are ignored by Compose: the value is read as written.
            value = resolve_plain(text) if style is None else text
        return Scalar(self.doc.path, self._span(raw), tag, via, value, text, style)

    def _scalar_key(self, raw: Any, via: str | None) -> Scalar:
        if raw.id == "scalar":
            return self._scalar(raw, _tag_of(raw), via)
        raise DocumentError("a mapping key must be a plain value, not a list or mapping", self._span(raw).start)


def _tag_of(raw: Any) -> str | None:
    """A raw node's tag; reads the Tag object directly (`node.tag` re-derives the string on every access)."""
    tag = raw.ctag
    if tag is None:
        return None
    if tag.handle is None:  # the C parser: the suffix is the whole tag
        name = tag.suffix
    else:  # the pure-Python parser: `!!int` has a handle and a suffix
        try:
            name = str(tag)
        except (AssertionError, KeyError, TypeError):
            name = f"{tag.handle or ''}{tag.suffix or ''}"
    return None if name == _IMPLICIT else name


def _key_text(key: Scalar) -> str:
    value = key.value
    if value is None:
        return "null" if key.style is None and key.span.start != key.span.end else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, str) else value


# --- reading the tree -----------------------------------------------------------------------------------------


def to_data(node: Node | None) -> Any:
    """Plain Python data as Compose's loader sees it (`!reset` entries dropped)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_data(item) for item in node.items if item.tag != RESET_TAG]
    assert isinstance(node, Mapping)
    return {name: to_data(e.value) for name, e in node.entries.items() if e.value.tag != RESET_TAG}


def find(node: Node | None, path: tuple[str | int, ...]) -> Node | None:
    """The node at ``path`` (keys and list indexes), or None."""
    for part in path:
        if isinstance(node, Mapping):
            node = node.get(str(part))
        elif isinstance(node, Sequence) and isinstance(part, int) and 0 <= part < len(node.items):
            node = node.items[part]
        else:
            return None
    return node


def find_key(node: Node | None, path: tuple[str | int, ...]) -> Scalar | None:
    """The key node of the last element of ``path``, when it is a mapping key."""
    if not path:
        return None
    parent = find(node, path[:-1])
    if isinstance(parent, Mapping):
        entry = parent.entries.get(str(path[-1]))
        return entry.key if entry is not None else None
    return None


def scalar_text(node: Node | None) -> str | None:
    """A scalar's value as Compose would see it as a string (numbers and booleans as written)."""
    if not isinstance(node, Scalar) or node.value is None:
        return None
    value = node.value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    return str(value)
