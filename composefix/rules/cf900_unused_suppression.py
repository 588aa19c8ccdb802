"""## What it does
Reports an inline suppression (`# composefix: ignore=CODE` or `# composefix: file-ignore=CODE`) that suppressed
nothing in this run, and a suppression that names no known rule. Suppressions of rules that are not enabled (not
selected, or not concerned by the chosen targets) are not reported.

## Why is this bad?
A stale suppression hides the next real problem at that place, and tells readers something that is no longer
true.

## Example
```yaml
services:
  web:
    image: nginx  # composefix: ignore=CF101
```

## Use instead
```yaml
services:
  web:
    image: nginx
```

## Fix safety
Safe, in place only: the comment (or its line, when it stands alone) is removed. A comment that names several
codes is left for you to edit.

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Finding, Severity
from composefix.rules.base import ALL_TARGETS, Context, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for unused in ctx.unused_suppressions:
        yield RULE.finding(
            (unused.file, unused.span), unused.message, help="remove the suppression (or the code from it)"
        )


RULE = Rule(
    code="CF900",
    name="unused-suppression",
    severity=Severity.WARNING,
    targets=ALL_TARGETS,
    summary="An inline suppression that suppressed nothing",
    doc=__doc__ or "",
    check=check,
    after_suppressions=True,
)
