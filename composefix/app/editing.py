"""What `composefix server` computes, without the protocol: the findings of the project that holds a document,
read with the editor's unsaved buffers in place of the files on disk, and the suppression comment for a finding.

The project of a document is found as `check` finds it: a compose file is checked with the other compose files
of its folder that Compose merges with it (`compose.yaml` and `compose.override.yaml`); a `.env` or env_file
belongs to the project (in its folder or a folder above, up to the repository root) that reads it. The settings
are those `check` builds for that project's files (configuration searched from the first file's folder).
Messages are masked as `check` prints them, and a fix whose edits would print a secret is not offered.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from composefix.app.checking import read_file
from composefix.model import Edit, Fix, Span

if TYPE_CHECKING:
    from composefix.app.settings import RunSettings
    from composefix.reading.document import Document
    from composefix.rules.base import Rule

# How many folders above an env file's own folder are searched for the project that reads it.
ENV_SEARCH_DEPTH = 3


@dataclass(frozen=True, slots=True)
class EditorFinding:
    """One finding as an editor shows it: masked message, span in ``file`` (a real path), its in-place fix."""

    file: str
    code: str
    name: str
    severity: str
    message: str
    span: Span
    fix: Fix | None


@dataclass(slots=True, eq=False)
class Analysis:
    """The findings of one project: by file (real paths), the texts they were found in, and the project's files."""

    files: tuple[str, ...]  # the compose files (real paths), in merge order
    findings: dict[str, list[EditorFinding]] = field(default_factory=dict)
    # real path -> the text that was checked (the buffer, or the file on disk)
    texts: dict[str, str] = field(default_factory=dict)
    # Every file the project read (compose files, `.env`, env_files, extends): real paths.
    documents: frozenset[str] = frozenset()
    # A problem with the settings (a bad configuration file): shown on the document, one line.
    error: str | None = None


def real(path: str | Path) -> str:
    return os.path.realpath(str(path))


def _compose_files(folder: Path, extra: str | None) -> list[str]:
    """The compose files of ``folder`` (not the overrides composefix wrote for some machines only), and ``extra``
    (an open, unsaved new one)."""
    from composefix.reading.discovery import is_compose_name, regular_file, skipped_as_generated

    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    found = [
        str(folder / name)
        for name in names
        if is_compose_name(name) and regular_file(folder / name) and not skipped_as_generated(folder / name)
    ]
    if extra is not None and extra not in found:
        found.append(extra)
    return found


def compose_project(path: str) -> tuple[str, ...]:
    """The files of the project a compose file belongs to, as `check` groups them (real paths)."""
    from composefix.reading.discovery import group_projects

    groups = group_projects(_compose_files(Path(path).parent, path))
    return next((tuple(group) for group in groups if path in group), (path,))


def candidate_projects(path: str) -> list[tuple[str, ...]]:
    """For a file that is not a compose file: the projects in its folder and the folders above (nearest first, up
    to the repository root) that might read it."""
    from composefix.reading.discovery import group_projects

    found: list[tuple[str, ...]] = []
    folder = Path(path).parent
    for _ in range(ENV_SEARCH_DEPTH + 1):
        found += [tuple(group) for group in group_projects(_compose_files(folder, None))]
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    return found


def is_compose_file(path: str) -> bool:
    from composefix.reading.discovery import is_compose_name

    return is_compose_name(os.path.basename(path))


def analyze(files: tuple[str, ...], buffers: Mapping[str, str]) -> Analysis:
    """Check the project made of ``files`` (real paths) with ``buffers`` (real path -> text) in place of the files
    on disk, with the settings `check` would use for these files."""
    from composefix.app import UsageError
    from composefix.fixing.plan import with_fixes
    from composefix.masking import clean
    from composefix.reading.files import Reader
    from composefix.reading.schema import SchemaError
    from composefix.reporting.safe import safe_report
    from composefix.rules.runner import check_projects

    result = Analysis(files)
    on_disk = tuple(Path(f) for f in files if os.path.isfile(f))
    if not on_disk:
        return result  # a new file that exists only in the editor: checked once it is saved
    try:
        settings = _settings(on_disk)
    except UsageError as exc:
        result.error = clean(str(exc))
        return result
    limit = settings.flags.max_file_size
    disk = functools.partial(read_file, limit=limit)

    def read(path: Path) -> bytes:
        key = real(path)
        text = buffers.get(key)
        if text is None:
            return disk(path)
        data = text.encode("utf-8", errors="surrogatepass")
        if len(data) > limit:  # the same limit as for a file on disk
            raise OSError(f"file is {len(data):,} bytes, over the {limit:,}-byte limit (raise it with --max-file-size)")
        return data

    reader = Reader(read)
    try:
        report = check_projects([[Path(f) for f in files]], settings.options, reader)
    except SchemaError as exc:
        result.error = clean(str(exc))
        return result
    report.findings = with_fixes(report.findings, report.projects, settings.options.targets)
    safe = safe_report(report)
    for key, doc in reader.documents.items():
        result.texts.setdefault(real(key), doc.text)
    result.documents = frozenset(result.texts)
    for original, shown in zip(report.findings, safe.findings, strict=True):
        file = real(original.file)
        fix = shown.fix
        if fix is not None:
            edits = tuple(e._replace(file=real(e.file)) for e in fix.edits)
            usable = edits and all(e.file in result.texts for e in edits)
            fix = fix._replace(edits=edits) if usable else None
        result.findings.setdefault(file, []).append(
            EditorFinding(
                file=file,
                code=original.code,
                name=original.name,
                severity=original.severity.value,
                message=shown.message,
                span=original.span,
                fix=fix,
            )
        )
    return result


# Settings by (compose files, configuration file and its modification time): `targets = ["auto"]` asks the Docker
# engine, which must not happen on every key typed. A changed configuration file is read again.
_SETTINGS: dict[tuple[tuple[Path, ...], str | None, int], RunSettings] = {}


def _settings(files: tuple[Path, ...]) -> RunSettings:
    """What `check` would use for a project made of ``files`` (raises UsageError)."""
    from composefix.app.config import ConfigError, find_config
    from composefix.app.settings import Flags, build

    try:
        found = find_config(files[0].parent)
        stamp = found.stat().st_mtime_ns if found is not None else 0
    except (ConfigError, OSError):
        return build(Flags(command="check", files=files))  # the error, as `check` says it
    key = (files, str(found) if found is not None else None, stamp)
    if key not in _SETTINGS:
        if len(_SETTINGS) > 64:
            _SETTINGS.clear()
        _SETTINGS[key] = build(Flags(command="check", files=files))
    return _SETTINGS[key]


# --- the suppression comment ---------------------------------------------------------------------------------

_EXISTING = re.compile(r"#[ \t]*composefix:[ \t]*ignore[ \t]*=[ \t]*([^\r\n#]*?)(?=[ \t]+--|[ \t]*#|[ \t]*$)")
# How many lines above a finding an own-line comment is tried (each try parses the file once).
_LINES_ABOVE = 30


def suppression_edit(text: str, path: str, line: int, code: str) -> Edit | None:
    """An edit of ``text`` that adds an inline suppression of ``code`` covering ``line`` (1-based), checked: the
    file still means the same to Compose and `composefix.rules.suppress` reads a comment covering the line. Tried in
    order: the code added to a suppression already on the line, a comment at the end of the line, a comment on its
    own line above the line (or above the entry holding it). None when no place works (a finding inside a block
    scalar whose entry starts too far above)."""
    from composefix.reading.document import parse

    doc = parse(text, path)
    if not doc.readable or line < 1 or line > doc.line_count:
        return None
    starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    for edit, shifted in _candidates(doc.text, starts, doc.newline, line, code):
        if _suppresses(doc, edit, shifted, code):
            return edit
    return None


def _candidates(text: str, starts: list[int], newline: str, line: int, code: str) -> list[tuple[Edit, int]]:
    path = ""
    begin = starts[line - 1]
    stop = starts[line] if line < len(starts) else len(text)
    content = text[begin:stop].rstrip("\r\n")
    end = begin + len(content)
    found: list[tuple[Edit, int]] = []
    existing = _EXISTING.search(content)
    if existing is not None:
        found.append((Edit(path, begin + existing.end(1), begin + existing.end(1), f",{code}"), line))
    found.append((Edit(path, end, end, f"  # composefix: ignore={code}"), line))
    for above in range(line, max(0, line - _LINES_ABOVE), -1):
        start = starts[above - 1]
        row = text[start : starts[above] if above < len(starts) else len(text)].rstrip("\r\n")
        if not row.strip() or row.lstrip().startswith("#"):
            continue
        indent = row[: len(row) - len(row.lstrip())]
        found.append((Edit(path, start, start, f"{indent}# composefix: ignore={code}{newline}"), line + 1))
    return found


def _suppresses(doc: Document, edit: Edit, line: int, code: str) -> bool:
    from composefix.fixing.plan import apply_edits
    from composefix.reading.document import parse, to_data
    from composefix.rules import suppress

    after = parse(apply_edits(doc.text, [edit]), doc.path)
    if not after.readable or to_data(after.root) != to_data(doc.root):
        return False
    return any(
        item.covers(line) and not item.file_level and any(token.code == code for token in item.tokens)
        for item in suppress.parse(after).items
    )


def rule_for(code: str) -> Rule | None:
    """The rule that reports ``code`` (its name, summary and documentation for hover and links), or None."""
    from composefix.rules import BY_CODE

    return BY_CODE.get(code)
