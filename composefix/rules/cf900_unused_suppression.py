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

from composefix.model import Applicability, Finding, Fix, RemovePragma, Severity
from composefix.rules.base import ALL_TARGETS, Context, Rule, Unused


def fix(ctx: Context, unused: Unused) -> tuple[Fix | None, str]:
    """Delete the comment, or its whole line when it stands alone."""
    doc = ctx.project.documents.get(unused.file)
    if doc is None:
        return None, ""
    offset = unused.span.start.offset
    line_start = doc.text.rfind("\n", 0, offset) + 1
    line_end = doc.text.find("\n", offset)
    line_end = len(doc.text) if line_end < 0 else line_end
    line = doc.text[line_start:line_end]
    hash_at = line.rfind("#", 0, offset - line_start)
    if hash_at < 0:
        return None, "cannot find the comment"
    body = line[hash_at:]
    if "," in body.split("--")[0]:
        return None, "the comment names several codes: remove the unused one by hand"
    if line[:hash_at].strip():
        start = line_start + len(line[:hash_at].rstrip())
        removal = RemovePragma(unused.file, start, line_start + len(line.rstrip("\r")))
    else:
        removal = RemovePragma(unused.file, line_start, min(line_end + 1, len(doc.text)))
    return Fix("remove the unused suppression", Applicability.SAFE, changes=(removal,)), ""


def check(ctx: Context) -> Iterator[Finding]:
    for unused in ctx.unused_suppressions:
        fixed, why = fix(ctx, unused)
        yield RULE.finding(
            (unused.file, unused.span),
            unused.message,
            help="remove the suppression (or the code from it)",
            fix=fixed,
            no_fix=why,
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
    fixable=Applicability.SAFE,
)
