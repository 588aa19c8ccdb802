"""## What it does
Reports a reference that points at nothing, at the reference itself:

- an `env_file` that does not exist (unless `required: false`), an `extends.file`, an `include` path, or an
  `--env-file`;
- a service named in `network_mode: service:X`, `depends_on` (unless `required: false`) or `extends.service`
  that is not defined;
- an `extends` or `include` cycle (composefix stops there instead of looping);
- a `${VAR:?message}` / `${VAR?message}` whose variable is missing (Compose stops with "required variable VAR
  is missing a value").

A missing `env_file` with a committed template beside it (`.env.example`, `.env.sample`, `.env.dist`,
`example.env`, ...) gets the help to create it from that template: Compose loads only the file named.

It also reports, on the file itself, a file the project refers to that exists but cannot be used: an `env_file`
or `.env`, `extends.file` or `include` target that cannot be read (permissions), is larger than `--max-file-size`,
or is not a regular file (a folder, a FIFO, a device); and an `extends` chain longer than 64 services or an
`include` nesting deeper than 32 files, which composefix stops following; and variables that substitute more than
2,000,000 characters into one file (a `.env` whose lines double the previous one), where it stops interpolating.

## Why is this bad?
`docker compose` refuses the project (`service "app" depends on undefined service "db"`, `open ...: no such file
or directory`). For the files composefix cannot read, it cannot check what they would contribute either.

## Example
```yaml
services:
  app:
    image: example/app
    network_mode: "service:vpn"
```

## Use instead
```yaml
services:
  vpn:
    image: example/vpn
  app:
    image: example/app
    network_mode: "service:vpn"
```

## Platforms
Every engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from composefix.model import Finding, Severity
from composefix.reading.document import Kind
from composefix.rules.base import ALL_TARGETS, Context, Rule

# Missing references, and companion files that exist but cannot be used (unreadable, too large, not a regular
# file) or chains too deep to follow: in each case composefix cannot check what the reference would contribute.
_KINDS = frozenset({Kind.MISSING_REFERENCE, Kind.UNREADABLE, Kind.TOO_DEEP})


def check(ctx: Context) -> Iterator[Finding]:
    for found in ctx.project.problems:
        if found.kind in _KINDS:
            yield RULE.finding((found.file, found.span), found.message, help=found.help or None)


RULE = Rule(
    code="CF004",
    name="missing-reference",
    severity=Severity.ERROR,
    targets=ALL_TARGETS,
    summary="A referenced file, service or required variable does not exist",
    doc=__doc__ or "",
    check=check,
)
