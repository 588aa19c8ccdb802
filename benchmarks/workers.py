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
import os
import sys
import time
from collections import defaultdict
from multiprocessing import Queue
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_files() -> list[str]:
    with (CORPUS / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [str(CORPUS / r["local_path"]) for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose"]


def one_run(files: list[str], jobs: int) -> None:
    import composefix.app.parallel as parallel
    from composefix.cli import app

    spans: Queue[tuple[int, int, float, float]] = Queue()
    work = parallel._work
    started = time.time()

    def timed(args: Any) -> Any:  # runs in the worker (forked): the queue carries its timings back
        begin = time.time()
        result = work(args)
        spans.put((os.getpid(), len(args[0]), begin - started, time.time() - started))
        return result

    parallel._work = timed  # type: ignore[assignment]
    sys.argv = ["composefix", "check", "--jobs", str(jobs), *files]
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.suppress(SystemExit):
            app()
    finally:
        parallel._work = work
    returned = time.time() - started
    chunks: defaultdict[int, list[tuple[int, float, float]]] = defaultdict(list)
    while not spans.empty():
        pid, size, begin, end = spans.get()
        chunks[pid].append((size, begin, end))
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
    files = corpus_files()
    gc.disable()  # as the console script runs
    for number in range(1, args.runs + 1):
        print(f"run {number} ({len(files)} files, --jobs {args.jobs}; chunk = projects:start-end ms)")
        one_run(files, args.jobs)


if __name__ == "__main__":
    main()
