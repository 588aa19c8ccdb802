"""Find, read and validate `[tool.composefix]` (pyproject.toml) or `.composefix.toml`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from composefix.model import DEFAULT_TARGETS, Severity, Target
from composefix.resources import load_schema
from composefix.rules import UnknownRuleError, expand


class ConfigError(Exception):
    """An invalid configuration file; the message names the file and line."""


class Config(NamedTuple):
    """`[tool.composefix]` / `.composefix.toml`, validated; every field has the default of an empty file."""

    path: Path | None = None
    targets: frozenset[Target] = DEFAULT_TARGETS
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = {}  # never mutated (a NamedTuple)
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    fail_on: Severity = Severity.WARNING
    desktop_host_networking: bool = False
    exclude: tuple[str, ...] = ()
    bridge_ips: tuple[str, ...] = ()
    file_sharing: tuple[str, ...] = ()
    publish: Mapping[str, list[int]] = {}  # never mutated (a NamedTuple)
    inspect_images: bool = False
    # `targets = ["auto", ...]`: ask the Docker engine (see `composefix doctor`).
    targets_auto: bool = False

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()


def find_config(start: Path, known: dict[str, Path | None] | None = None) -> Path | None:
    """The nearest `.composefix.toml`, or `pyproject.toml` with `[tool.composefix]`, up to the repository root.

    ``known`` (real folder -> answer) is filled with the answer of every folder looked at, so that a run asking
    for many paths looks at each folder once (the corpus: 943 files in ~770 folders); it is the caller's, as the
    answers hold only while the files stay as they are.
    """
    from composefix.reading.files import real_path

    folder = real_path(start)
    looked: list[str] = []
    found: Path | None = None
    while True:
        if known is not None and folder in known:
            found = known[folder]
            break
        looked.append(folder)
        candidate = os.path.join(folder, ".composefix.toml")
        if os.path.isfile(candidate):
            found = Path(candidate)
            break
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject) and _CONFIG_TABLE.search(_read(Path(pyproject))):
            found = Path(pyproject)
            break
        parent = os.path.dirname(folder)
        if parent == folder or os.path.exists(os.path.join(folder, ".git")):
            break
        folder = parent
    if known is not None:
        known.update(dict.fromkeys(looked, found))
    return found


_CONFIG_TABLE = re.compile(r"^\s*\[tool\.composefix[.\]]", re.MULTILINE)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc}") from None


def _line_of(text: str, table: str, key_path: tuple[str | int, ...]) -> int:
    """Best-effort line of a key inside ``table`` (or a sub-table of it)."""
    lines = text.splitlines()
    header = 0
    if table:
        for number, line in enumerate(lines, 1):
            if re.match(rf"\s*\[\s*{re.escape(table)}\s*\]", line):
                header = number
                break
    keys = [str(k) for k in key_path if not isinstance(k, int)]
    for depth in range(len(keys), 0, -1):
        key = keys[depth - 1]
        sub = ".".join([table, *keys[: depth - 1]]) if table else ".".join(keys[: depth - 1])
        start = header
        if depth > 1:
            for number, line in enumerate(lines, 1):
                if re.match(rf"\s*\[\s*{re.escape(sub)}\s*\]", line):
                    start = number
                    break
        pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
        for number in range(start + 1, len(lines) + 1):
            if pattern.match(lines[number - 1]):
                return number
    return max(header, 1)


def load_config(path: Path) -> Config:
    import tomllib  # only when there is a configuration file

    text = _read(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # `a = [[[[...` thousands deep: tomllib recurses
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    if path.name == "pyproject.toml":
        raw = document.get("tool", {}).get("composefix", {})
        table = "tool.composefix"
    else:
        raw = document
        table = ""
    from jsonschema.validators import validator_for

    schema = load_schema("config.schema.json")
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        where = tuple(error.absolute_path)
        line = _line_of(text, table, where)
        if error.validator == "additionalProperties":
            known = list(error.schema.get("properties", {}))
            unknown = sorted(set(error.instance) - set(known))
            line = _line_of(text, table, (*where, unknown[0])) if unknown else line
            message = f"unknown key `{', '.join(unknown)}`{_did_you_mean(unknown, known)}"
        else:
            name = ".".join(str(p) for p in where) or table or "configuration"
            message = f"`{name}`: {error.message}"
        raise ConfigError(f"{path}:{line}: {message}")
    return _from_raw(raw, path, text, table)


def _did_you_mean(unknown: list[str], known: list[str]) -> str:
    """` (did you mean `fail-on`?)` for the first unknown key close to a known one (`fail_on`, `target`), else the
    list of known keys."""
    import difflib

    for key in unknown:
        spelled = key.replace("_", "-").lower()
        close = [spelled] if spelled in known else difflib.get_close_matches(spelled, known, n=1, cutoff=0.6)
        if close:
            return f" (did you mean `{close[0]}`?)"
    return f"; the known keys are: {', '.join(known)}"


def _from_raw(raw: dict[str, Any], path: Path, text: str, table: str) -> Config:
    def rule_codes(values: list[str], key: tuple[str, ...]) -> None:
        for value in values:
            try:
                expand(value)
            except UnknownRuleError as exc:
                raise ConfigError(f"{path}:{_line_of(text, table, key)}: {exc}") from None

    rule_codes(raw.get("select", []), ("select",))
    rule_codes(raw.get("ignore", []), ("ignore",))
    severity: dict[str, Severity] = {}
    for name, level in raw.get("severity", {}).items():
        try:
            codes = expand(name)
        except UnknownRuleError as exc:
            raise ConfigError(f"{path}:{_line_of(text, table, ('severity', name))}: {exc}") from None
        for code in codes:
            severity[code] = Severity(level)
    per_file: list[tuple[str, frozenset[str]]] = []
    for glob, names in raw.get("per-file-ignores", {}).items():
        rule_codes(names, ("per-file-ignores", glob))
        per_file.append((glob, frozenset(code for n in names for code in expand(n))))
    return Config(
        path=path,
        targets=frozenset(Target(t) for t in raw["targets"] if t != "auto") or DEFAULT_TARGETS
        if "targets" in raw
        else DEFAULT_TARGETS,
        targets_auto="auto" in raw.get("targets", []),
        select=tuple(raw.get("select", ["ALL"])),
        ignore=tuple(raw.get("ignore", [])),
        severity=severity,
        per_file_ignores=tuple(per_file),
        fail_on=Severity(raw.get("fail-on", "warning")),
        desktop_host_networking=bool(raw.get("desktop-host-networking", False)),
        exclude=tuple(raw.get("exclude", [])),
        bridge_ips=tuple(raw.get("bridge-ips", [])),
        file_sharing=tuple(raw.get("file-sharing", [])),
        publish={name: list(ports) for name, ports in raw.get("publish", {}).items()},
        inspect_images=bool(raw.get("inspect-images", False)),
    )
