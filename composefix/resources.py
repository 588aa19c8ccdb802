"""composefix's own data files (JSON schemas), from the wheel or from a source checkout."""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from pathlib import Path
from typing import Any


def schema_path(name: str) -> Path:
    """`schemas/NAME`: packaged as composefix/_schemas in the wheel, top-level `schemas/` in a checkout."""
    packaged = Path(str(files("composefix"))) / "_schemas" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas" / name


@functools.cache
def load_schema(name: str) -> Any:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))
