"""The one place where text that composefix prints is made safe: secrets masked, control characters escaped.

Everything printed goes through here: the reporters receive a `SafeReport` (composefix.reporting.safe, built with
these functions) and never a raw `Report`; command-line messages, notes, relayed Compose errors and diffs go
through `clean` / `clean_diff`. Plain functions of strings, importing nothing of composefix: every stage may use
them.

What counts as a secret (heuristics, erring on the side of masking):
- the password of a URL (`scheme://user:PASSWORD@host`), whatever characters it holds (`/`, `@`, `:`);
- the value assigned to a name that looks secret (`*PASSWORD*`, `*PASSWD*`, `*TOKEN*`, `*SECRET*`, `*_KEY*`,
  `*APIKEY*`, `*API_KEY*`) with `=` or `:`, after an optional YAML tag (`DB_PASSWORD: !!int hunter2`); a default
  or alternative value of an interpolation of such a name (`${DB_PASSWORD:-hunter2}`), but never the message of a
  required variable (`${DB_PASSWORD:?set it in .env}`) nor a value that is itself a variable (`$X`, `${X}`);
- the value of a command-line flag whose name ends in password, passwd, pass, token, secret or key
  (`--password X`, `--token=X`), and a MySQL/MariaDB client's `-pSECRET`.

Every function here runs in time linear in its input: no pattern can backtrack over an unbounded run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

MASK = "****"

# --- finding secrets ---------------------------------------------------------------------------------------------

# A run of characters that can be one URL: anything but whitespace, quotes and angle brackets.
_URL_TOKEN = re.compile(r"[^\s'\"`<>]+")
_REFERENCE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
# Words that may name a secret; each hit is widened to the whole name and then classified.
# The look-ahead names every first letter the case-insensitive words can start with (`ſ` and the Kelvin sign `K`
# match `s` and `k` without case): the engine then skips ahead to those letters instead of trying each word at
# every position (4x faster over a whole file; the matches are the same).
_HINT = re.compile(r"(?=[PpTtSsKk\u017f\u212a])(?i:PASS|TOKEN|SECRET|KEY)")
# The same words in a lower-cased copy of ASCII text (nearly every file; the offsets are those of the text): plain
# literals, 3x faster over the corpus than the case-insensitive pattern.
_HINT_LOWER = re.compile(r"pass|token|secret|key")
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|_KEY|APIKEY|API_KEY", re.IGNORECASE)
_SECRET_FLAG = re.compile(r"-{1,2}[\w.-]*?(?:password|passwd|pass|token|secret|key)", re.IGNORECASE)
_NAME_TAIL = re.compile(r"[\w.-]*")
_ASSIGN = re.compile(r"[\"']?[ \t]*[:=][ \t]*")
_FLAG_GAP = re.compile(r"[ \t\"',]+")
_TAG = re.compile(r"![^\s]*[ \t]+")
_BARE_VALUE = re.compile(r"[^\s\"',}`]+")
_FLAG_VALUE = re.compile(r"[^\s\"',\]`]+")
_INTERPOLATION_OP = re.compile(r":?[-+?]")
# `m` has no other case forms: a literal first letter lets the engine skip ahead to it (the word boundary before
# it is the look-behind, as a leading `\b` would make the engine try every position again).
_MYSQL = re.compile(r"[Mm](?<!\w[Mm])(?i:ysql|ariadb)\w*\b")
_MYSQL_P = re.compile(r"(?<![^\s\"'\[,])-p([^\s\"',\]`]+)")


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in "_.-"


def _is_reference(text: str, start: int) -> bool:
    match = _REFERENCE.match(text, start)
    return match is not None


def _url_spans(text: str) -> Iterable[tuple[int, int]]:
    """The password of every `scheme://user:password@host` (up to the last `@` of the URL)."""
    pos = 0
    # Only the tokens that hold `://`: from the start of the line (or the end of the last such token) to the one
    # holding the next `://`, so each token is looked at once at most and the others of the file never.
    while (scheme := text.find("://", pos)) != -1:
        start = max(pos, text.rfind("\n", pos, scheme) + 1)
        begin, stop = next(t.span() for t in _URL_TOKEN.finditer(text, start) if t.end() > scheme)
        pos = stop
        if scheme == begin:
            continue
        authority = scheme + 3
        colon = text.find(":", authority, stop)
        at = text.rfind("@", authority, stop)
        if colon == -1 or at < colon:
            continue
        user = text[authority:colon]
        if "/" in user or "@" in user or colon + 1 == at:
            continue
        reference = _REFERENCE.match(text, colon + 1)
        if reference is not None and reference.end() == at:
            continue
        yield colon + 1, at


def _value_span(text: str, start: int, bare: re.Pattern[str]) -> tuple[int, int] | None:
    """The extent of the value that begins at ``start`` (quoted or bare), or None for no value or a reference."""
    tag = _TAG.match(text, start) if start < len(text) and text[start] == "!" else None
    if tag is not None:
        start = tag.end()
    if start >= len(text):
        return None
    quote = text[start]
    if quote in "\"'":
        newline = text.find("\n", start + 1)
        line_end = len(text) if newline == -1 else newline
        close = text.find(quote, start + 1, line_end)
        end = line_end if close == -1 else close
        if end == start + 1 or _is_reference(text, start + 1):
            return None
        return start + 1, end
    if quote in "|>" or _is_reference(text, start):
        return None
    match = bare.match(text, start)
    if match is None or match.end() == start:
        return None
    return start, match.end()


def _hint_finder(text: str) -> Callable[[int], re.Match[str] | None]:
    """The search for the next secret word of ``text`` from a position (a match's offsets are ``text``'s)."""
    if text.isascii():
        lowered = text.lower()
        return lambda pos: _HINT_LOWER.search(lowered, pos)
    return lambda pos: _HINT.search(text, pos)


def _assignment_spans(text: str) -> Iterable[tuple[int, int]]:
    """Values of secret-looking names and flags; the search never looks at a character twice."""
    pos = 0
    find_hint = _hint_finder(text)
    while (hit := find_hint(pos)) is not None:
        start = hit.start()
        while start > pos and _is_name_char(text[start - 1]):
            start -= 1
        end_match = _NAME_TAIL.match(text, hit.end())
        end = end_match.end() if end_match is not None else hit.end()
        pos = end
        name = text[start:end]
        before = text[max(0, start - 2) : start]
        if before == "${":
            op = _INTERPOLATION_OP.match(text, end)
            if op is None or op.group().endswith("?") or _SECRET_NAME.search(name) is None:
                continue
            close = text.find("}", op.end())
            stop = len(text) if close == -1 else close
            newline = text.find("\n", op.end(), stop)
            stop = stop if newline == -1 else newline
            if stop > op.end() and not _is_reference(text, op.end()):
                yield op.end(), stop
            pos = max(pos, stop)
            continue
        if before.endswith("$"):
            continue  # `$DB_PASSWORD`: a reference, not an assignment
        flag = name.startswith("-") and _SECRET_FLAG.fullmatch(name) is not None
        if _SECRET_NAME.search(name) is None and not flag:
            continue
        assign = _ASSIGN.match(text, end)
        if assign is not None:
            value_start = assign.end()
        elif flag:
            gap = _FLAG_GAP.match(text, end)
            if gap is None or gap.end() >= len(text) or text[gap.end()] == "-":
                continue
            value_start = gap.end()
            if text[value_start - 1] in "\"'":
                value_start -= 1  # a quoted flag value: _value_span finds the closing quote
        else:
            continue
        span = _value_span(text, value_start, _FLAG_VALUE if flag else _BARE_VALUE)
        if span is not None:
            yield span
            pos = max(pos, span[1])


def _mysql_spans(text: str) -> Iterable[tuple[int, int]]:
    """`mysql -pSECRET` (and mariadb, mysqldump...): the password glued to `-p`."""
    client = _MYSQL.search(text)
    if client is None:
        return
    for match in _MYSQL_P.finditer(text, client.end()):
        if not _is_reference(text, match.start(1)):
            yield match.span(1)


def secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every password or secret value in ``text``, in order, not overlapping."""
    spans = sorted([*_url_spans(text), *_assignment_spans(text), *_mysql_spans(text)])
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask(text: str) -> str:
    """``text`` with every secret value replaced by ****."""
    spans = secret_spans(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += [text[last:start], MASK]
        last = end
    parts.append(text[last:])
    return "".join(parts)


# --- escaping ----------------------------------------------------------------------------------------------------

# C0 and C1 controls, DEL, bidirectional overrides and isolates, line/paragraph separators, lone surrogates.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """Control characters (newlines, ESC, bidi overrides, lone surrogates) shown as `\\n`, `\\x1b`, `\\u202e`."""
    return CONTROL.sub(escaped, text)


def clean(text: str) -> str:
    """Masked and escaped: what any message composefix prints goes through."""
    return escape(mask(text))


def clean_lines(text: str) -> str:
    """Each line masked and escaped, the line breaks kept (multi-line messages, diffs)."""
    return "".join(clean(line) + newline for line, newline in split_lines(text))


def clean_diff(text: str, *, show_secrets: bool = False) -> str:
    """A unified diff to print: secrets masked unless the user asked for them (`--show-secrets`, for `git apply`).
    Control characters are escaped only in masked diffs, so that an unmasked diff still applies."""
    return text if show_secrets else clean_lines(text)


def split_lines(text: str) -> Iterable[tuple[str, str]]:
    pos = 0
    while pos < len(text):
        newline = text.find("\n", pos)
        if newline == -1:
            yield text[pos:], ""
            return
        yield text[pos:newline], "\n"
        pos = newline + 1


# --- a report made safe to print --------------------------------------------------------------------------------


def secret_values(text: str) -> set[str]:
    """The secret values written in ``text`` (at least 4 characters: shorter ones would mask common words)."""
    return {text[start:end] for start, end in secret_spans(text) if end - start >= 4}


def ordered_secrets(text: str) -> list[str]:
    """The secret values of ``text``, longest first (a value that holds another is masked whole), then in
    alphabetical order: the order `without_values` takes them in, the same in every process."""
    return sorted(secret_values(text), key=lambda value: (-len(value), value))


def without_values(text: str, values: list[str]) -> str:
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text
