"""Compose's `${VAR}` interpolation and the `.env` format, keeping where every character came from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from composefix.reading.document import Document, Scalar
from composefix.reading.texts import Piece, Source, Text, join


def located_text(doc: Document, node: Scalar, value: str) -> Text:
    """The Text of a scalar's string value, mapped onto the source when the source spells it out verbatim."""
    start, end = node.span.start.offset, node.span.end.offset
    source = doc.text[start:end]
    if node.tag:
        stripped = source.removeprefix(node.tag).lstrip()
        start += len(source) - len(stripped)
        source = stripped
    via = node.via
    if node.style == "|":
        literal = _literal_text(doc, start, source, value, via)
        if literal is not None:
            return literal
    content = raw_content(source, value)
    if content is not None:
        offset = content
        return Text(
            value, (Piece(0, len(value), Source(doc.path, start + offset, start + offset + len(value), True, via)),)
        )
    return Text(value, (Piece(0, len(value), Source(doc.path, start, end, False, via)),))


def _literal_text(doc: Document, start: int, source: str, value: str, via: str | None) -> Text | None:
    """A literal block scalar (`|`): each line of the value is a line of the source without its indentation."""
    header_end = source.find("\n")
    if header_end < 0:
        return None
    pieces: list[Piece] = []
    offset = start + header_end + 1
    value_at = 0
    for line in value.split("\n"):
        if value_at >= len(value):
            break
        while True:  # find the next source line holding this value line
            end = doc.text.find("\n", offset)
            end = len(doc.text) if end < 0 else end
            raw = doc.text[offset:end].rstrip("\r")
            if not line or raw.strip() or offset >= start + len(source):
                break
            offset = end + 1
        if line:
            at = raw.find(line)
            if at < 0 or raw[:at].strip():
                return None
            pieces.append(
                Piece(value_at, value_at + len(line), Source(doc.path, offset + at, offset + at + len(line), True, via))
            )
        value_at += len(line) + 1
        offset = end + 1
    return Text(value, tuple(pieces)) if pieces else None


def raw_content(source: str, value: str) -> int | None:
    """Where ``value`` starts inside a scalar's ``source`` when the source spells it out verbatim (a plain
    scalar, or a quoted one without escapes); None when the text is escaped, folded or multi-line."""
    if source == value:
        return 0
    if len(source) >= 2 and source[0] in "'\"" and source[-1] == source[0] and source[1:-1] == value:
        return 1
    return None


class InterpolationError(Exception):
    """Invalid `${...}` syntax, or a `${VAR:?message}` whose variable is missing."""

    def __init__(self, message: str, source: Source | None, required: bool = False, limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.required = required
        # A limit of composefix (not Compose's rule) was reached: reported once per file.
        self.limit = limit


# How deeply `${A:-${B:-...}}` defaults may nest (hostile input; real files nest two or three levels).
MAX_NESTING = 32
# How many characters variables may substitute into one file in all (hostile input: `${A}` written a million
# times with a long A, or `.env` lines that double the previous one). Real files substitute a few kilobytes.
MAX_SUBSTITUTED = 2_000_000


@dataclass(slots=True, eq=False)
class Budget:
    """Characters left to substitute, shared by the interpolations of one file."""

    left: int = MAX_SUBSTITUTED


@dataclass(slots=True, eq=False)
class Interpolator:
    """Interpolates Texts with a set of variables; records variables used but not set (Compose warns)."""

    variables: Mapping[str, Text]
    unset: list[tuple[str, Source | None]] = field(default_factory=list)
    depth: int = 0
    budget: Budget = field(default_factory=Budget)

    def interpolate(self, text: Text) -> Text:
        if "$" not in text.value:
            return text
        if self.depth >= MAX_NESTING:
            raise InterpolationError(
                f"interpolation nested deeper than {MAX_NESTING} levels (`${{A:-${{B:-...}}}}`)",
                text.origin(0, len(text)),
            )
        self.depth += 1
        try:
            return join(self._parts(text))
        finally:
            self.depth -= 1

    def _parts(self, text: Text) -> list[Text]:
        value = text.value
        parts: list[Text] = []
        i = 0
        literal_start = 0
        while True:
            i = value.find("$", i)
            if i < 0 or i == len(value) - 1:
                break
            nxt = value[i + 1]
            if nxt == "$":
                parts.append(text.slice(literal_start, i))
                escaped = text.slice(i, i + 2)
                parts.append(Text("$", tuple(Piece(0, 1, p.source) for p in escaped.pieces[:1])))
                i += 2
                literal_start = i
            elif nxt == "{":
                close = _closing_brace(value, i + 2)
                if close < 0:
                    raise InterpolationError(
                        f"invalid interpolation `{value[i:]}`: missing `}}`", text.slice(i).origin(0, len(value) - i)
                    )
                parts.append(text.slice(literal_start, i))
                parts.append(self._braced(text, i, close))
                i = close + 1
                literal_start = i
            else:
                match = _NAME.match(value, i + 1)
                if match is None:
                    i += 1  # `$5`, `$ `: kept literally
                    continue
                parts.append(text.slice(literal_start, i))
                parts.append(self._lookup(match.group(), text.slice(i, match.end())))
                i = match.end()
                literal_start = i
        parts.append(text.slice(literal_start))
        return parts

    def _lookup(self, name: str, written: Text) -> Text:
        found = self.variables.get(name)
        if found is None:
            self.unset.append((name, written.origin(0, len(written))))
            return Text("")
        return self._spend(found, written)

    def _spend(self, found: Text, written: Text) -> Text:
        self.budget.left -= len(found.value)
        if self.budget.left < 0:
            raise InterpolationError(
                f"variables substitute more than {MAX_SUBSTITUTED:,} characters into this file: composefix stops "
                "interpolating here",
                written.origin(0, len(written)),
                limit=True,
            )
        return found

    def _braced(self, text: Text, start: int, close: int) -> Text:
        body = text.value[start + 2 : close]
        written = text.slice(start, close + 1)
        match = _NAME.match(body)
        if match is None:
            raise InterpolationError(f"invalid interpolation `{written.value}`", written.origin(0, len(written)))
        name = match.group()
        rest = body[match.end() :]
        if not rest:
            return self._lookup(name, written)
        operator = next((op for op in (":-", ":?", ":+", "-", "?", "+") if rest.startswith(op)), None)
        if operator is None:
            raise InterpolationError(f"invalid interpolation `{written.value}`", written.origin(0, len(written)))
        arg_start = start + 2 + match.end() + len(operator)
        argument = text.slice(arg_start, close)
        current = self.variables.get(name)
        is_set = current is not None
        non_empty = is_set and current is not None and current.value != ""
        if operator in (":-", "-"):
            use_default = not non_empty if operator == ":-" else not is_set
            if use_default:
                return self.interpolate(argument)
            assert current is not None
            return self._spend(current, written)
        if operator in (":?", "?"):
            missing = not non_empty if operator == ":?" else not is_set
            if missing:
                message = self.interpolate(argument).value or f"{name} is not set"
                raise InterpolationError(
                    f"required variable {name} is missing a value: {message}",
                    written.origin(0, len(written)),
                    required=True,
                )
            assert current is not None
            return self._spend(current, written)
        use_alt = non_empty if operator == ":+" else is_set
        return self.interpolate(argument) if use_alt else Text("")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _closing_brace(value: str, i: int) -> int:
    depth = 1
    while i < len(value):
        if value.startswith("${", i):
            depth += 1
            i += 2
            continue
        if value[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


# --- the .env format ------------------------------------------------------------------------------------------


class EnvProblem(NamedTuple):
    message: str
    start: int
    # A limit of composefix (the substitution budget), not a line Compose rejects.
    limit: bool = False


@dataclass(slots=True, eq=False)
class EnvFile:
    """Variables of a `.env`/`env_file` file, in order; None for a name given without `=` (left unset)."""

    doc: Document
    values: dict[str, Text | None] = field(default_factory=dict)
    problems: list[EnvProblem] = field(default_factory=list)
    # Each value as written, before interpolation: (source of its text, quote char, or "raw" for `format: raw`).
    written: dict[str, tuple[Source, str]] = field(default_factory=dict)


_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*([=:])?[ \t]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$$"}


def parse_env(doc: Document, variables: Mapping[str, Text] | None = None, *, raw: bool = False) -> EnvFile:
    """Parse the `.env` format; unquoted and double-quoted values are interpolated (unless ``raw``)."""
    result = EnvFile(doc)
    text = doc.text
    lookup: dict[str, Text] = dict(variables or {})
    budget = Budget()
    exhausted = False
    i = 0
    while i < len(text):
        line_end = text.find("\n", i)
        line_end = len(text) if line_end < 0 else line_end
        line = text[i:line_end].rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i = line_end + 1
            continue
        match = _KEY.match(text, i, i + len(line))
        if match is None or (match.end() < i + len(line) and match.group(2) is None):
            result.problems.append(EnvProblem(f"line is not `KEY=VALUE`: {stripped[:40]!r}", i))
            i = line_end + 1
            continue
        name = match.group(1)
        if match.group(2) is None:
            result.values[name] = None
            i = line_end + 1
            continue
        start = match.end()
        value: str | None
        if raw:
            value, pieces_end, exact, quote = line[start - i :].rstrip(), i + len(line.rstrip()), True, ""
        else:
            value, pieces_end, exact, quote = _env_value(text, start, i + len(line))
        if value is None:
            result.problems.append(EnvProblem(f"unterminated {quote} quote in the value of {name}", start))
            break
        source = Source(doc.path, start + (1 if quote else 0), pieces_end, exact, ".env")
        result.written[name] = (source, "raw" if raw else quote)
        value_text = Text(value, (Piece(0, len(value), source),))
        if not raw and quote != "'" and not exhausted:
            try:
                value_text = Interpolator(lookup, budget=budget).interpolate(value_text)
            except InterpolationError as exc:
                exhausted = exc.limit  # past the budget: said once, the rest is kept as written
                result.problems.append(EnvProblem(exc.message, start, exc.limit))
        result.values[name] = value_text
        lookup[name] = value_text
        end_of_value = text.find("\n", pieces_end)
        i = len(text) if end_of_value < 0 else end_of_value + 1
    return result


def _env_value(text: str, start: int, line_end: int) -> tuple[str | None, int, bool, str]:
    """(value, end offset of its source, exact, quote char) for the value starting at ``start``."""
    if start < len(text) and text[start] in "'\"":
        quote = text[start]
        j = start + 1
        chars: list[str] = []
        exact = True
        while j < len(text):
            char = text[j]
            if char == quote:
                return "".join(chars), j, exact, quote
            if quote == '"' and char == "\\" and j + 1 < len(text):
                chars.append(_ESCAPES.get(text[j + 1], "\\" + text[j + 1]))
                exact = False
                j += 2
                continue
            chars.append(char)
            j += 1
        return None, j, False, quote
    raw = text[start:line_end]
    comment = re.search(r"[ \t]#", raw)
    if comment:
        raw = raw[: comment.start()]
    value = raw.rstrip()
    return value, start + len(value), True, ""
