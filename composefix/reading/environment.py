"""A service's container environment: `env_file` files and `environment`, and the process environment as interpolation
sees it."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from composefix.model import Span
from composefix.reading.document import RESET_TAG, Kind, Mapping, Node, Scalar, Sequence
from composefix.reading.project import Service, text_of
from composefix.reading.texts import Piece, Source, Text

if TYPE_CHECKING:
    from composefix.reading.loader import Loader


# Names a project gives the committed template of an env file that each machine fills in (`.env.example` for
# `.env`, `app.env.sample` for `app.env`, `example.env`): Compose never loads them.
_TEMPLATE_SUFFIXES = (".example", ".sample", ".dist", ".template", ".tmpl", ".default")


def _template_help(path: Path, relative: str) -> str:
    """How to create a missing env file from the template beside it, if there is one; "" otherwise."""
    names = [path.name + suffix for suffix in _TEMPLATE_SUFFIXES]
    if path.name.startswith("."):
        names += [path.name[1:] + suffix for suffix in _TEMPLATE_SUFFIXES] + ["example" + path.name]
    for name in names:
        template = path.with_name(name)
        if template.is_file() and not template.is_symlink():
            shown = str(Path(relative).with_name(name)) if "/" in relative else name
            return f"create it from the template beside it: copy `{shown}` to `{relative}` and fill in its values"
    return ""


@functools.lru_cache(maxsize=4096)
def env_text(name: str, value: str) -> Text:
    """A process environment variable as a Text (cached: every project of a run reads the same environment).
    Bytes that are not UTF-8 (Python keeps them as lone surrogates) become U+FFFD, as they would in Go."""
    if not value.isascii():
        try:
            data = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = value.encode("utf-8", "surrogatepass")
        value = data.decode("utf-8", "replace")
    return Text(value, (Piece(0, len(value), Source(None, 0, 0, False, f"environment:{name}")),))


def container_environment(
    loader: Loader, service: Service, directory: Path, variables: dict[str, Text]
) -> dict[str, Scalar]:
    env: dict[str, Scalar] = {}
    env_file = service.get("env_file")
    items = env_file.items if isinstance(env_file, Sequence) else [env_file] if env_file is not None else []
    for item in items:
        required = True
        raw = False
        path_node: Node | None = item
        if isinstance(item, Mapping):
            path_node = item.get("path")
            required_node = item.get("required")
            required = not (isinstance(required_node, Scalar) and required_node.value in (False, "false"))
            raw = text_of(item.get("format")) == "raw"
        relative = text_of(path_node)
        if not relative:
            continue
        base = Path(path_node.file).parent if path_node is not None else directory
        path = base / relative
        if not os.path.lexists(path) or (not required and not path.is_file()):
            if required:
                loader.problem(
                    Kind.MISSING_REFERENCE,
                    path_node,
                    f"env file `{relative}` not found (service `{service.name}`)",
                    help=_template_help(path, relative),
                )
            continue
        parsed = loader.env_file(path, variables, raw=raw)
        if parsed is None:
            continue
        doc = parsed.doc
        for name, value in parsed.values.items():
            if value is None:
                continue
            start = value.pieces[0].source.start if value.pieces else 0
            position = doc.position(start)
            span = Span(position, doc.position(start + len(value.value)))
            env[name] = Scalar(doc.path, span, None, "env_file", value.value, value.value, None, value)
    environment = service.get("environment")
    if isinstance(environment, Mapping):
        for name, entry in environment.entries.items():
            item = entry.value
            if not isinstance(item, Scalar):
                continue
            if item.value is None and item.tag != RESET_TAG:
                found = variables.get(name)
                if found is not None:
                    item = replace(item, value=found.value, text=found.value, interp=found)
            env.pop(name, None)
            env[name] = item
    return env
