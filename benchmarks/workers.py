"""How evenly `composefix check --jobs N` spreads the corpus over its worker processes.

    .venv/bin/python benchmarks/workers.py [--jobs N] [--runs R]     # N: default 2, as on a 2-core machine

It runs the command line's `check` in this process (as benchmarks/phases.py does) with a timer around each chunk a
worker checks, and prints, per run: each worker's chunks (projects, start-end in ms from the start of the
command), when each worker finished, how long the first one to finish then waited for the last ("idle at the
end"), and when the command returned (the report was masked and rendered by then). The corpus comes from
../shared/corpus (or $COMPOSEFIX_CORPUS).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import multiprocessing
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_files() -> list[str]:
    with (CORPUS / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [str(CORPUS / r["local_path"]) for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose"]


_STARTED = 0.0
_LOG = ""
_WORK: Any = None


def _timed(args: Any) -> Any:
    """The workers' `_work`, timed: each chunk's line goes to the log file (one write, opened for appending)."""
    begin = time.time()
    result = _WORK(args)
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {len(args[0])} {begin - _STARTED} {time.time() - _STARTED}\n")
    return result


def one_run(files: list[str], jobs: int) -> None:
    global _STARTED, _LOG, _WORK
    import composefix.app.parallel as parallel
    from composefix.cli import app

    _WORK = parallel._work
    with tempfile.TemporaryDirectory() as scratch:
        _LOG = str(Path(scratch) / "chunks.log")
        Path(_LOG).touch()
        parallel._work = _timed  # type: ignore[assignment]  # the workers are forked: they find it by name
        _STARTED = time.time()
        sys.argv = ["composefix", "check", "--jobs", str(jobs), *files]
        try:
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.suppress(SystemExit):
                app()
        finally:
            parallel._work = _WORK
        returned = time.time() - _STARTED
        lines = Path(_LOG).read_text(encoding="utf-8").split()
    chunks: defaultdict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for index in range(0, len(lines), 4):
        pid, size, begin, end = lines[index : index + 4]
        chunks[int(pid)].append((int(size), float(begin), float(end)))
    if not chunks:
        raise SystemExit("no chunk was checked in a worker process (fewer projects than PARALLEL_FROM?)")
    finished = []
    for number, pid in enumerate(sorted(chunks), 1):
        own = sorted(chunks[pid], key=lambda chunk: chunk[1])
        finished.append(own[-1][2])
        shown = " ".join(f"{size}:{1000 * begin:.0f}-{1000 * end:.0f}" for size, begin, end in own)
        print(f"  worker {number}: {shown}")
    print(
        f"  workers finished at {', '.join(f'{1000 * t:.0f}' for t in sorted(finished))} ms; idle at the end "
        f"{1000 * (max(finished) - min(finished)):.0f} ms; the command returned at {1000 * returned:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # The timed `_work` reaches the workers by name, with the start time and log file set here: that needs
    # forked workers (the default on Linux up to Python 3.13; macOS spawns and 3.14 uses a fork server).
    multiprocessing.set_start_method("fork", force=True)
    files = corpus_files()
    gc.disable()  # as the console script runs
    for number in range(1, args.runs + 1):
        print(f"run {number} ({len(files)} files, --jobs {args.jobs}; chunk = projects:start-end ms)")
        one_run(files, args.jobs)


if __name__ == "__main__":
    main()
