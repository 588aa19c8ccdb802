"""The application layer: what `check`, `rewrite`, `doctor` and `rules` do, without the command line.

- `settings`: one `RunSettings` built from the configuration file and the command line's flags, in one place.
- `checking`: `run_check(settings)` returns the report and the exit code.
- `rewriting`: `run_rewrite(settings)` plans, verifies and writes each project and returns what happened.
- `info`: the text of `doctor` and `rules`.

The command line (`composefix.cli`) only turns typer options into `Flags`, calls these and prints the result.
Nothing here prints or exits; errors a user can fix are `UsageError`s (exit 2).
"""

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
MAX_FILE_BYTES = 20 * 1024 * 1024
# `--jobs` above this is a usage error; below it, never more workers than projects to check.
MAX_JOBS = 1024


class UsageError(Exception):
    """A bad option value, path or configuration: exit 2 with a one-line message."""
