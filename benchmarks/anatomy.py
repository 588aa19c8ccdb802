"""Where one `composefix check` run spends its time: start-up, imports, checking, garbage collection, exit.

    .venv/bin/python benchmarks/anatomy.py [--runs 9] [CHECK ARGUMENTS ...]   (default: examples/clean/compose.yaml)

Each figure is the median of --runs fresh processes (the interpreter under test is this one):
- interpreter: `python -c pass`;
- imports: the modules a check needs, and how much of that is dataclass decoration;
- check: the command itself once the modules above are imported (the rest, e.g. jsonschema-rs, loads inside),
  with the cyclic garbage collector off (as composefix runs) and on, with the number of collections;
- exit: the console script's way out (flush, then os._exit) against a normal interpreter shutdown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import dataclasses, gc, json, sys, time
spent = [0.0]
decorate = dataclasses._process_class
def timed(*args, **kwargs):
    start = time.perf_counter()
    try:
        return decorate(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - start
dataclasses._process_class = timed
collector = sys.argv[1] == "on"
gc.enable() if collector else gc.disable()
start = time.perf_counter()
import composefix.cli, composefix.rules.runner, composefix.reporting.text, composefix.reading.discovery
imported = time.perf_counter()
if collector:  # undo the engine's own pause too
    import contextlib
    composefix.rules.runner.paused_gc = contextlib.nullcontext
collections = [0]
gc.callbacks.append(lambda phase, info: collections.__setitem__(0, collections[0] + (phase == "stop")))
try:
    composefix.cli.app(sys.argv[2:], prog_name="composefix")
except SystemExit:
    pass
done = time.perf_counter()
sys.stdout.flush()
print(json.dumps({"imports": imported - start, "dataclasses": spent[0], "check": done - imported,
                  "collections": collections[0]}), file=sys.stderr)
"""


# Children may write bytecode (a checkout run with PYTHONDONTWRITEBYTECODE would recompile every module each time).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)
    return time.perf_counter() - start


def probe(collector: str, arguments: list[str]) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, collector, "check", *arguments],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    figures: dict[str, float] = json.loads(result.stderr.strip().splitlines()[-1])
    return figures


def median(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args, rest = parser.parse_known_args()
    arguments = rest or [str(ROOT / "examples" / "clean" / "compose.yaml")]
    wall([sys.executable, "-c", "from composefix.entry import main; main()", "check", *arguments])  # warm-up
    off = [probe("off", arguments) for _ in range(args.runs)]
    on = [probe("on", arguments) for _ in range(args.runs)]
    bare = [wall([sys.executable, "-c", "pass"]) for _ in range(args.runs)]
    console = [
        wall([sys.executable, "-c", "from composefix.entry import main; main()", "check", *arguments])
        for _ in range(args.runs)
    ]
    shutdown = [
        wall(
            [
                sys.executable,
                "-c",
                "import gc; gc.disable(); from composefix.cli import app; app()",
                "check",
                *arguments,
            ]
        )
        for _ in range(args.runs)
    ]
    print(f"composefix check {' '.join(arguments)}  (median of {args.runs} processes, {sys.executable})")
    print(f"  interpreter start-up (python -c pass)        {median(bare)}")
    print(f"  imports of the check path                    {median([f['imports'] for f in off])}")
    print(f"    of which dataclass decoration              {median([f['dataclasses'] for f in off])}")
    print(f"  check, garbage collector off (as shipped)    {median([f['check'] for f in off])}")
    print(
        f"  check, garbage collector on                  {median([f['check'] for f in on])}"
        f"  ({statistics.median(f['collections'] for f in on):.0f} collections)"
    )
    print(f"  whole process, flush + os._exit (as shipped) {median(console)}")
    print(f"  whole process, normal interpreter shutdown   {median(shutdown)}")


if __name__ == "__main__":
    main()
