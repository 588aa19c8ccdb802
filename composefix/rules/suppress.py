"""Inline suppressions: `# composefix: ignore=CODE[,CODE] -- reason` and `# composefix: file-ignore=...`."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from composefix.model import Finding, Span
from composefix.reading.document import Document, Mapping, Node, Scalar, Sequence
from composefix.rules import BY_CODE, BY_NAME
from composefix.rules.base import Unused

_PRAGMA = re.compile(r"#[ \t]*composefix:[ \t]*(ignore|file-ignore)[ \t]*=[ \t]*([^\r\n]*)")


@dataclass(slots=True, eq=False)
class Token:
    """One code of a `# composefix: ignore=` comment, and whether it suppressed anything."""

    text: str
    code: str | None
    span: Span
    used: bool = False


@dataclass(slots=True, eq=False)
class Suppression:
    """One `# composefix:` comment: the lines it covers and its codes."""

    file_level: bool
    first_line: int
    last_line: int
    tokens: list[Token]
    reason: str = ""
    span: Span | None = None

    def covers(self, line: int) -> bool:
        return self.file_level or self.first_line <= line <= self.last_line


@dataclass(slots=True, eq=False)
class Suppressions:
    """Every suppression comment of one file."""

    path: str
    items: list[Suppression] = field(default_factory=list)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """The findings no suppression covers; marks the tokens that covered something."""
        kept = []
        for finding in findings:
            if finding.file != self.path:
                kept.append(finding)
                continue
            hit = False
            for item in self.items:
                if not item.covers(finding.line):
                    continue
                for token in item.tokens:
                    if token.code == finding.code:
                        token.used = hit = True
            if not hit:
                kept.append(finding)
        return kept

    def unused(self, enabled: set[str]) -> list[Unused]:
        found = []
        for item in self.items:
            for token in item.tokens:
                if token.code is None:
                    found.append(Unused(self.path, token.span, f"suppression names no known rule: `{token.text}`"))
                elif not token.used and token.code in enabled:
                    kind = "file-ignore" if item.file_level else "ignore"
                    found.append(
                        Unused(
                            self.path,
                            token.span,
                            f"unused suppression `{kind}={token.text}`: no {token.code} finding here to suppress",
                        )
                    )
        return found


def _scalar_spans(root: Node | None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if node.via is not None:
            continue
        if isinstance(node, Scalar):
            spans.append((node.span.start.offset, node.span.end.offset))
        elif isinstance(node, Mapping):
            for entry in node.entries.values():
                spans.append((entry.key.span.start.offset, entry.key.span.end.offset))
                stack.append(entry.value)
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    spans.sort()
    return spans


def _inside_scalar(spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _entries(root: Node | None) -> dict[int, tuple[int, int]]:
    """For each line where an entry (mapping key or list item) starts: the outermost such entry's line range."""
    ranges: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Node, int]] = [(root, 0)] if root is not None else []

    def add(start: Span, end: Span, depth: int) -> None:
        first = start.start.line
        last = end.end.line
        if end.end.column == 1 and last > first:
            last -= 1  # block scalars end at the start of the next line
        if first not in ranges or depth < ranges[first][1]:
            ranges[first] = (last, depth)

    while stack:
        node, depth = stack.pop()
        if node.via is not None:
            continue
        if isinstance(node, Mapping):
            for entry in node.entries.values():
                if entry.key.via is None:
                    add(entry.key.span, entry.value.span, depth)
                    stack.append((entry.value, depth + 1))
        elif isinstance(node, Sequence):
            for item in node.items:
                add(item.span, item.span, depth)
                stack.append((item, depth + 1))
    return {line: (line, last) for line, (last, _) in ranges.items()}


def parse(doc: Document) -> Suppressions:
    """All suppression comments of a document, with the lines each one covers."""
    found = Suppressions(doc.path)
    if "composefix:" not in doc.text:
        return found
    scalar_spans: list[tuple[int, int]] | None = None
    entries: dict[int, tuple[int, int]] | None = None
    for match in _PRAGMA.finditer(doc.text):
        start = match.start()
        line_start = doc.text.rfind("\n", 0, start) + 1
        before = doc.text[line_start:start]
        if before and not before[-1].isspace():
            continue  # `#` inside a word is not a comment
        if scalar_spans is None:
            scalar_spans = _scalar_spans(doc.root)
            entries = _entries(doc.root)
        assert entries is not None
        if _inside_scalar(scalar_spans, start):
            continue
        body, _, reason = match.group(2).partition(" -- ")
        body = body.split("#")[0]
        tokens = []
        base = match.start(2)
        for token_match in re.finditer(r"[^,\s]+", body):
            text = token_match.group()
            code = text.upper() if text.upper() in BY_CODE else BY_NAME[text].code if text in BY_NAME else None
            span = doc.span(base + token_match.start(), base + token_match.end())
            tokens.append(Token(text, code, span))
        line = doc.position(start).line
        file_level = match.group(1) == "file-ignore"
        if file_level:
            first, last = 1, doc.line_count
        elif before.strip():
            first, last = entries.get(line, (line, line))
        else:
            following = [n for n in entries if n > line]
            first, last = entries[min(following)] if following else (0, -1)
        found.items.append(Suppression(file_level, first, last, tokens, reason.strip(), doc.span(start, match.end())))
    return found
