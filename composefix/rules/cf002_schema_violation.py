"""## What it does
Validates each file against the official compose-spec JSON schema (the copy composefix ships, see
`schemas/README.md`; `--schema PATH` uses another) and reports every error at the offending key or value: an
unknown key at that key, a wrong type at the value, with the closest valid key when the name looks like a typo.

## Why is this bad?
Compose rejects a file that breaks the schema (`additional properties 'enviroment' not allowed`), often with a
message that does not say which line is wrong. Also reported here: invalid interpolation syntax (`${`, `${A B}`),
which Compose rejects as an invalid template, and a service defined both in a file and in a file it `include`s.

## Example
```yaml
services:
  web:
    image: nginx
    enviroment:
      DEBUG: "1"
```

## Use instead
```yaml
services:
  web:
    image: nginx
    environment:
      DEBUG: "1"
```

## Platforms
Every engine. `--no-schema` turns the check off; `--schema PATH` uses another copy of the schema.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Finding, Severity
from composefix.reading.document import Kind
from composefix.rules.base import ALL_TARGETS, Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for file, problems in ctx.schema_problems.items():
        for problem in problems:
            yield RULE.finding((file, problem.span), problem.message, path=problem.path)
    for found in ctx.project.problems:
        if found.kind is Kind.INVALID:
            yield RULE.finding((found.file, found.span), found.message)


RULE = Rule(
    code="CF002",
    name="schema-violation",
    severity=Severity.ERROR,
    targets=ALL_TARGETS,
    summary="The file breaks the compose-spec JSON schema",
    doc=__doc__ or "",
    check=check,
    uses_schema=True,
    invalid_file=True,
)
