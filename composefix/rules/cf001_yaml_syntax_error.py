"""## What it does
Reports a file that Compose cannot read at all: invalid YAML, a file that is not UTF-8, a NUL byte, nesting or
alias expansion beyond composefix's limits, and lines of a `.env` or `env_file` file that are not
`KEY=VALUE`. The finding points at the line and column where reading stopped.

## Why is this bad?
`docker compose` refuses the whole project, and no other check can run on the file.

## Example
```yaml
services:
  web:
    image: nginx
    ports: ["8080:80"
```

## Use instead
```yaml
services:
  web:
    image: nginx
    ports: ["8080:80"]
```

## Platforms
Every engine: the file is read by Compose on the client, before any engine is involved.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Finding, Severity
from composefix.reading.document import Kind
from composefix.rules.base import ALL_TARGETS, Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.project.documents.values():
        for problem in doc.problems:
            if problem.kind is Kind.SYNTAX:
                yield RULE.finding((doc.path, problem.span), problem.message)
    for found in ctx.project.problems:
        if found.kind is Kind.SYNTAX:
            yield RULE.finding((found.file, found.span), found.message)


RULE = Rule(
    code="CF001",
    name="yaml-syntax-error",
    severity=Severity.ERROR,
    targets=ALL_TARGETS,
    summary="The file is not valid YAML (or not UTF-8)",
    doc=__doc__ or "",
    check=check,
    invalid_file=True,
)
