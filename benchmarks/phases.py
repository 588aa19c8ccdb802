"""Where one in-process `composefix check --jobs 1` over every corpus compose file spends its time, by phase.

    .venv/bin/python benchmarks/phases.py [CHECK ARGUMENTS]   # e.g. --target desktop

It runs the command line's `check` in this process (the garbage collector off, as the console script runs it)
with a timer around each phase: the run's settings (and in them the search for other configuration files), loading
the projects, schema validation, the rules (the CF2xx rules apart from the others), making the report safe to
print (masking) and rendering it. Imports are timed on their own. Works on revisions from before the application
layer too (the phases they lack are left out), so that two installed revisions can be compared: run it with each
one's Python. The corpus comes from ../shared/corpus (or $COMPOSEFIX_CORPUS).
"""

from __future__ import annotations

import contextlib
import csv
import gc
import importlib
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))
SPENT: defaultdict[str, float] = defaultdict(float)


def timed(function: Callable[..., Any], phase: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[phase] += time.perf_counter() - started

    return wrapper


def wrap(module_name: str, name: str, phase: str) -> None:
    """Time ``module.name`` (as the callers in other modules look it up: patched where it is imported too)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return
    if hasattr(module, name):
        setattr(module, name, timed(getattr(module, name), phase))


def timed_rule(check: Callable[..., Any], phase: str) -> Callable[..., Iterator[Any]]:
    def wrapper(ctx: Any) -> Iterator[Any]:
        started = time.perf_counter()
        found = list(check(ctx))
        SPENT[phase] += time.perf_counter() - started
        return iter(found)

    return wrapper


def corpus_files() -> list[str]:
    with (CORPUS / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [str(CORPUS / r["local_path"]) for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose"]


def main() -> None:
    files = corpus_files()
    gc.disable()
    started = time.perf_counter()
    from composefix.cli import app
    from composefix.reporting.formats import REPORTERS
    from composefix.rules import RULES

    imports = time.perf_counter() - started
    wrap("composefix.app.settings", "build", "settings")
    wrap("composefix.app.settings", "unused_configurations", "settings: other configuration files")
    wrap("composefix.rules.runner", "load_project", "loading the projects")
    wrap("composefix.rules.runner", "validate", "schema")
    wrap("composefix.reporting.formats", "safe_report", "report: masking")
    for name, reporter in list(REPORTERS.items()):
        REPORTERS[name] = timed(reporter, "report: masking and rendering (all)")
    for rule in RULES:  # frozen dataclasses: the check function is swapped in place
        phase = "rules: CF2xx" if rule.code.startswith("CF2") else "rules: the others"
        object.__setattr__(rule, "check", timed_rule(rule.check, phase))
    sys.argv = ["composefix", "check", "--jobs", "1", *sys.argv[1:], *files]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        started = time.perf_counter()
        with contextlib.suppress(SystemExit):
            app()
        total = time.perf_counter() - started
    print(f"{len(files)} files; imports {imports:.3f} s; check command {total:.3f} s, of which:")
    for phase, seconds in sorted(SPENT.items()):
        print(f"  {phase:<40} {seconds:.3f} s")


if __name__ == "__main__":
    main()
