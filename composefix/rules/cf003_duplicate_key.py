"""## What it does
Reports a mapping key written twice in the same mapping, at the second occurrence, naming where the first is.
Keys that a merge key (`<<: *base`) brings in and the mapping then overrides are not duplicates.

## Why is this bad?
Compose (go-yaml) rejects the file: `mapping key "image" already defined`. Other YAML tools silently keep one of
the values, so the file may look fine in an editor.

The rest of the file is still checked (with the first of the repeated values), so every other problem is reported
in the same run.

## Example
```yaml
services:
  web:
    image: nginx
    image: httpd
```

## Use instead
```yaml
services:
  web:
    image: httpd
```

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Finding, Severity
from composefix.reading.document import Kind
from composefix.rules.base import ALL_TARGETS, Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.project.documents.values():
        for problem in doc.problems:
            if problem.kind is Kind.DUPLICATE_KEY:
                yield RULE.finding((doc.path, problem.span), problem.message)
    for found in ctx.project.problems:
        if found.kind is Kind.DUPLICATE_KEY:
            yield RULE.finding((found.file, found.span), found.message)


RULE = Rule(
    code="CF003",
    name="duplicate-key",
    severity=Severity.ERROR,
    targets=ALL_TARGETS,
    summary="A mapping key is repeated",
    doc=__doc__ or "",
    check=check,
    invalid_file=True,
)
