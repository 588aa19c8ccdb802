"""The `composefix` console script and `python -m composefix`: choices that belong to a short-lived process.

Kept apart from `cli` so that they take effect before the command line's imports (typer alone triggers ~30
garbage collections while it loads).
"""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    """Run the command line, flush its output, and leave without finalising the interpreter.

    - The cyclic garbage collector is off for the whole process, imports included: checking builds trees that
      stay alive until the report is out, and the collector kept walking them (see `engine.paused_gc`, which
      does the same for library callers of `check_projects`). Nearly all garbage is freed by reference
      counting: peak memory is the same without the collector.
    - Tearing the interpreter down (freeing every module and object) took ~14 ms after a check of one small
      file, more than the check itself. By the time `app` returns every file is closed and every worker process
      joined (nothing relies on `atexit`), so only the standard streams need flushing. An exception other than
      `SystemExit` (an internal error under `--debug`) still takes the ordinary way out, traceback and all.
    - For the same reason a check's report is kept (`cli.KEPT`) rather than freed when the command returns:
      freeing the parsed trees object by object took ~0.1 s after a check of the 943 corpus files.
    """
    gc.disable()
    from composefix import cli
    from composefix.cli import EXIT_ERROR, app

    cli.KEPT = []

    try:
        app()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`composefix check | head`) or a full disk: the report did not get out
        code = EXIT_ERROR
    os._exit(code)
