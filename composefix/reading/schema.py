"""Validate a document against the compose-spec JSON schema and locate each error (CF002)."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from composefix.model import Span
from composefix.reading.document import Document, Mapping, Node, find, find_key
from composefix.resources import schema_path

_INTERPOLATED = re.compile(r"(?<!\$)\$(\{|[A-Za-z_])")


class SchemaError(Exception):
    """The compose-spec schema cannot be found or read."""


class SchemaProblem(NamedTuple):
    message: str
    span: Span
    path: str


@functools.cache
def bundled_schema_path() -> Path:
    """The compose-spec schema shipped with composefix (schemas/compose-spec.json, with its license, sha256
    and provenance in schemas/)."""
    path = schema_path("compose-spec.json")
    if not path.is_file():
        raise SchemaError(f"the compose-spec schema is missing at {path}; reinstall composefix or pass --schema PATH")
    # Its sha256 (schemas/compose-spec.sha256) is checked by the test suite, not on every run: hashlib alone
    # costs ~5 ms to import. A damaged file still fails loudly when it is parsed.
    return path


@functools.cache
def _schema(path: str) -> Any:
    import json  # not at the top: `--no-schema` runs never need it (~3 ms)

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read the compose schema {path}: {exc}") from None


def _refuse(uri: str) -> Any:
    """The retriever of both validators: a `$ref` outside the schema file is never fetched (no network)."""
    raise SchemaError(
        f"the schema refers to `{uri}`, outside the schema file: composefix resolves `$ref`s only inside the "
        "schema file and never fetches anything"
    )


@functools.cache
def _validator(path: str) -> Any:
    """The `jsonschema` validator: slow, but its errors say exactly what and where (built once per process).
    Its registry holds the schema file alone and retrieves nothing: a remote `$ref` is an error, not a request."""
    from jsonschema.validators import validator_for
    from referencing import Registry

    schema = _schema(path)
    return validator_for(schema)(schema, registry=Registry(retrieve=_refuse))  # type: ignore[call-arg]


@functools.cache
def _fast_validator(path: str) -> Any:
    """`jsonschema-rs` (Rust), used to tell valid documents apart ~150x faster; None where it is not installed."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read the compose schema {path}: {exc}") from None
    try:
        # The JSON text itself, parsed on the Rust side (as jsonschema-rs documents): ~3 ms less than
        # json.loads and converting the dict. `json` is then imported only to explain an invalid file.
        return jsonschema_rs.validator_for(text, retriever=_refuse)
    except Exception:  # a schema it cannot read or compile: the Python validator alone will do (or explain)
        return None


def validate(doc: Document, data: Any, schema_path: str | None = None) -> list[SchemaProblem]:
    """Schema problems for ``data`` (the document's plain data), each located in ``doc``."""
    path = schema_path or str(bundled_schema_path())
    fast = _fast_validator(path)
    if fast is not None:
        try:
            if fast.is_valid(data):
                return []  # nearly every real file: the Python validator is not even imported
        except Exception:  # a value it cannot convert: let the Python validator decide
            pass
    validator = _validator(path)
    problems: dict[tuple[int, int, str], SchemaProblem] = {}
    try:
        for error in validator.iter_errors(data):
            if isinstance(error.instance, str) and _INTERPOLATED.search(error.instance):
                continue  # Compose checks the value after interpolation; its text proves nothing
            for problem in _describe(doc, error, validator.schema):
                key = (problem.span.start.offset, problem.span.end.offset, problem.message)
                problems.setdefault(key, problem)
    except SchemaError:
        raise
    except Exception as exc:  # a `$ref` that cannot be resolved (never fetched): the schema is unusable
        from referencing.exceptions import Unresolvable

        if not isinstance(exc, Unresolvable) and not isinstance(exc.__cause__, Unresolvable | SchemaError):
            raise
        raise SchemaError(
            f"cannot use the compose schema {path}: {exc} (a `$ref` outside the schema file: composefix resolves "
            "references only inside it and never fetches one)"
        ) from None
    return sorted(problems.values(), key=lambda p: (p.span.start.offset, p.message))


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def _where(path: tuple[str | int, ...]) -> str:
    """`in service "web"`, `at the top level`, `in services.web.healthcheck`."""
    if not path:
        return "at the top level"
    if len(path) == 2 and path[0] == "services":
        return f'in service "{path[1]}"'
    if len(path) == 2 and path[0] in ("networks", "volumes", "configs", "secrets"):
        return f'in {str(path[0])[:-1]} "{path[1]}"'
    return f"in `{_dotted(path)}`"


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "empty",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _span_for(doc: Document, path: tuple[str | int, ...]) -> Span:
    node: Node | None = find(doc.root, path)
    while node is None and path:
        path = path[:-1]
        node = find(doc.root, path)
    if node is None:
        start = doc.position(0)
        return Span(start, start)
    return node.span


def _expected_types(schema: Any) -> list[str]:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kinds, str):
        return [kinds]
    return list(kinds or [])


def _describe(doc: Document, error: Any, root: Any) -> Iterator[SchemaProblem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        yield from _describe_alternatives(doc, error, path, root)
        return
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        yield from _unknown_keys(doc, error, path, root)
        return
    if kind == "type":
        expected = " or ".join(_TYPE_NAMES.get(t, t) for t in _expected_types(error.schema))
        message = f"`{_dotted(path) or 'the file'}` must be {expected}, not {_type_name(error.instance)}"
        if not path and error.instance is None:
            message = "the file is empty: a compose file needs at least a `services` mapping"
    elif kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        message = f'missing required key "{missing}" {_where(path)}'
    elif kind == "enum":
        import json

        allowed = ", ".join(json.dumps(v) for v in error.validator_value)
        message = f"`{_dotted(path)}` is {json.dumps(error.instance)}; allowed values: {allowed}"
    elif kind == "uniqueItems":
        message = f"`{_dotted(path)}` lists the same item twice"
    elif kind == "patternProperties" or kind == "propertyNames":
        message = f"invalid key {_where(path)}: {error.message}"
    else:
        message = f"`{_dotted(path) or 'the file'}`: {error.message}"
    yield SchemaProblem(message, _span_for(doc, path), _dotted(path))


def _describe_alternatives(
    doc: Document, error: Any, path: tuple[str | int, ...], root: Any
) -> Iterator[SchemaProblem]:
    """For oneOf/anyOf, explain the alternative that came closest (the deepest or a type mismatch of all)."""
    from jsonschema.exceptions import best_match

    type_errors = [e for e in error.context if e.validator == "type" and tuple(e.absolute_path) == path]
    if type_errors and len(type_errors) == len({id(e.schema) for e in error.context if not e.path}):
        expected: list[str] = []
        for e in type_errors:
            for t in _expected_types(e.schema):
                name = _TYPE_NAMES.get(t, t)
                if name not in expected:
                    expected.append(name)
        message = f"`{_dotted(path)}` must be {' or '.join(expected)}, not {_type_name(error.instance)}"
        yield SchemaProblem(message, _span_for(doc, path), _dotted(path))
        return
    best = best_match(error.context)
    if best is None:
        yield SchemaProblem(f"`{_dotted(path)}`: {error.message}", _span_for(doc, path), _dotted(path))
        return
    yield from _describe(doc, best, root)


def _collect_properties(schema: Any, root: Any, known: list[str], patterns: list[str], depth: int) -> None:
    """Property names a schema allows, through `allOf` and local `$ref`s (as `unevaluatedProperties` sees them)."""
    if not isinstance(schema, dict) or depth > 10:
        return
    known.extend(k for k in schema.get("properties", {}) if k not in known)
    patterns.extend(schema.get("patternProperties", {}))
    for sub in schema.get("allOf", []):
        _collect_properties(sub, root, known, patterns, depth + 1)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and isinstance(root, dict):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        _collect_properties(target, root, known, patterns, depth + 1)


def _unknown_keys(doc: Document, error: Any, path: tuple[str | int, ...], root: Any) -> Iterator[SchemaProblem]:
    known: list[str] = []
    pattern_texts: list[str] = []
    _collect_properties(error.schema, root, known, pattern_texts, 0)
    patterns = [re.compile(p) for p in pattern_texts]
    node = find(doc.root, path)
    for key in error.instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        message = f'unknown key "{key}" {_where(path)}'
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        if close:
            message += f' (did you mean "{close[0]}"?)'
        key_node = find_key(doc.root, (*path, key)) if isinstance(node, Mapping) else None
        span = key_node.span if key_node is not None else _span_for(doc, path)
        yield SchemaProblem(message, span, _dotted((*path, key)))
