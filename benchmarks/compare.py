"""Compare `composefix check` over every corpus compose file between revisions of this repository.

    .venv/bin/python benchmarks/compare.py f506f4d HEAD      # --runs N (default 11); `.` is the checkout as it is

Each revision is exported (`git archive`) and installed into its own venv in a temporary folder, as a user
installs it (pip compiles the bytecode; the same as benchmarks/run.py). Then each round runs every revision once,
back to back, with the default `--jobs` and with `--jobs 1`, so that a slow moment of the machine hits all of them
alike. For each revision and mode it prints the median wall time, the median CPU time (user + system, worker
processes included) and the median of the per-round ratios to the first revision (below 1: faster), with a 95%
confidence interval for that median (distribution-free: two order statistics of the per-round ratios, chosen from
the binomial distribution; it takes `--runs` of 6 or more, and holds only as far as the rounds are alike: a
machine that drifts during the run widens the true spread), as a Markdown table. On a shared machine the CPU
times and the ratios are steadier than the wall times. `--raw FILE` writes every run's times as CSV.

The corpus comes from ../shared/corpus (or $COMPOSEFIX_CORPUS), as in benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))
MODES: tuple[tuple[str, ...], ...] = ((), ("--jobs", "1"))


def corpus_files() -> list[str]:
    with (CORPUS / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [str(CORPUS / r["local_path"]) for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose"]


def install(revision: str, folder: Path) -> Path:
    """The `composefix` console script of ``revision`` (`.`: this checkout as it is), installed in ``folder``."""
    source = ROOT
    if revision != ".":
        source = folder / "source"
        source.mkdir()
        archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(source)], check=True)
    return venv / "bin" / "composefix"


def run_once(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the children it waited for) of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, _, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    """A distribution-free confidence interval for the median of ``values``: the k-th smallest and k-th largest
    value, with the largest k for which the median lies between them with at least ``confidence`` (the number of
    values below the median is Binomial(n, 1/2)). The whole range when n is too small for that."""
    ordered = sorted(values)
    n = len(ordered)
    below = [math.comb(n, i) / 2**n for i in range(n + 1)]  # P(exactly i values below the median)
    k = 0
    while k + 1 <= n // 2 and 1 - 2 * sum(below[: k + 1]) >= confidence:
        k += 1
    return ordered[k - 1] if k else ordered[0], ordered[n - k] if k else ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="+", help="git revisions (the first is the reference), or `.`")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--raw", type=Path, help="write each run's wall and CPU seconds to this CSV file")
    args = parser.parse_args()
    if args.runs < 6:
        parser.error("--runs must be 6 or more: fewer rounds give no 95% confidence interval for a median")
    files = corpus_files()
    with tempfile.TemporaryDirectory() as scratch:
        scripts = {}
        for index, revision in enumerate(args.revisions):
            folder = Path(scratch) / str(index)
            folder.mkdir()
            scripts[revision] = str(install(revision, folder))
        times: dict[tuple[str, tuple[str, ...]], list[tuple[float, float]]] = {
            (revision, mode): [] for revision in args.revisions for mode in MODES
        }
        for _ in range(args.runs):
            for mode in MODES:
                for revision in args.revisions:
                    times[revision, mode].append(run_once([scripts[revision], "check", *mode, *files]))
    print(f"`composefix check` over all {len(files)} corpus compose files, {args.runs} rounds\n")
    if args.raw is not None:
        with args.raw.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["round", "revision", "jobs", "wall_s", "cpu_s"])
            for (revision, mode), runs in times.items():
                for number, (wall, cpu) in enumerate(runs):
                    writer.writerow([number, revision, " ".join(mode) or "default", f"{wall:.4f}", f"{cpu:.4f}"])
    print("| revision | jobs | median wall time | median CPU time | wall ÷ first (95% CI) | CPU ÷ first (95% CI) |")
    print("|---|---|---:|---:|---:|---:|")
    first = args.revisions[0]
    for mode in MODES:
        for revision in args.revisions:
            runs, base = times[revision, mode], times[first, mode]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            cells = []
            for field in (0, 1):
                ratios = [r[field] / b[field] for r, b in zip(runs, base, strict=True)]
                low, high = median_interval(ratios)
                cells.append(f"{statistics.median(ratios):.3f} ({low:.3f}-{high:.3f})")
            jobs = " ".join(mode) or "default"
            print(f"| {revision} | {jobs} | {wall:.3f} s | {cpu:.3f} s | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
