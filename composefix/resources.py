"""composefix's own data files (JSON schemas), from the wheel or from a source checkout.

Paths are made from `__file__` (composefix is never imported from a zip): `importlib.resources` costs ~2 ms of
imports per run.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent


def schema_path(name: str) -> Path:
    """`schemas/NAME`: packaged as composefix/_schemas in the wheel, top-level `schemas/` in a checkout."""
    packaged = PACKAGE / "_schemas" / name
    if packaged.is_file():
        return packaged
    return PACKAGE.parent / "schemas" / name


@functools.cache
def load_schema(name: str) -> Any:
    import json  # only when a schema is needed

    return json.loads(schema_path(name).read_text(encoding="utf-8"))
