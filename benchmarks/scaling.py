"""How checking time grows with the size of hostile input, for each case that used to grow faster than linearly.

    .venv/bin/python benchmarks/scaling.py            # the table (markdown), every case at sizes x1, x2, x4, x8
    .venv/bin/python benchmarks/scaling.py --timeout 30

Each measurement runs in its own process (a case that hangs or crashes cannot stop the table) and times
`check_projects` alone: reading, parsing, loading and every rule, schema included, without interpreter start-up or
rendering the report. Files are written to a temporary folder. Best of three runs; a run over the timeout shows as
`>Ns`, a crash as `error`. Linear growth means the x8 column is about 8 times the x1 column (or less, where a fixed
cost dominates or a limit cuts the work short).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTORS = (1, 2, 4, 8)


def long_command(folder: Path, n: int) -> Path:
    """`command:` with n `localhost:1` words in a host-mode service (a finding per word)."""
    path = folder / "compose.yaml"
    words = " ".join(["localhost:1"] * n)
    path.write_text(f"services:\n  web:\n    image: x\n    network_mode: host\n    command: {words}\n")
    return path


def port_ranges(folder: Path, n: int) -> Path:
    """n entries publishing every port (`1-65535:1-65535` on n host addresses)."""
    path = folder / "compose.yaml"
    entries = ", ".join(f'"127.0.0.{i + 1}:1-65535:1-65535"' for i in range(n))
    path.write_text(f"services:\n  web:\n    image: x\n    ports: [{entries}]\n")
    return path


def include_chain(folder: Path, n: int) -> Path:
    """`include: [next, next]` n files deep (2**n loads when files are not loaded once)."""
    for i in range(n):
        (folder / f"f{i}.yaml").write_text(f"include: [f{i + 1}.yaml, f{i + 1}.yaml]\n")
    (folder / f"f{n}.yaml").write_text("services:\n  last:\n    image: x\n")
    path = folder / "compose.yaml"
    path.write_text("include: [f0.yaml]\nservices:\n  web:\n    image: x\n")
    return path


def extends_chain(folder: Path, n: int) -> Path:
    """n services, each extending the next."""
    path = folder / "compose.yaml"
    services = "".join(f"  s{i}:\n    image: x\n    extends: s{i + 1}\n" for i in range(n))
    path.write_text(f"services:\n{services}  s{n}:\n    image: x\n")
    return path


def nested_defaults(folder: Path, n: int) -> Path:
    """`${A:-${A:-...}}` n levels deep."""
    path = folder / "compose.yaml"
    path.write_text("services:\n  web:\n    image: " + "${A:-" * n + "x" + "}" * n + "\n")
    return path


def deep_nesting(folder: Path, n: int) -> Path:
    """A flow sequence nested n levels deep."""
    path = folder / "compose.yaml"
    path.write_text("services: " + "[" * n + "]" * n + "\n")
    return path


def alias_growth(folder: Path, n: int) -> Path:
    """n services sharing, through aliases, 100 variables of 19 KB each (190 KB of text per service)."""
    value = " ".join(["http://localhost:1"] * 1000)
    env = "".join(f"  V{i}: *a\n" for i in range(100))
    services = "".join(f"  s{i}:\n    image: x\n    environment: *env\n" for i in range(n))
    path = folder / "compose.yaml"
    path.write_text(f"x-a: &a '{value}'\nx-env: &env\n{env}services:\n{services}")
    return path


def shared_anchor(folder: Path, n: int) -> Path:
    """n host-mode services sharing one anchored environment: one finding naming the services that share it."""
    services = "".join(f"  s{i}:\n    image: x\n    network_mode: host\n    environment: *env\n" for i in range(n))
    path = folder / "compose.yaml"
    path.write_text(f"x-env: &env\n  URL: http://localhost:5432\nservices:\n{services}")
    return path


# name: (what grows, builder, size at x1)
CASES: dict[str, tuple[str, Callable[[Path, int], Path], int]] = {
    "long command": ("`localhost:1` words", long_command, 2000),
    "port ranges": ("`1-65535:1-65535` entries", port_ranges, 1),
    "include chain": ("files, each included twice", include_chain, 4),
    "extends chain": ("services", extends_chain, 250),
    "nested defaults": ("`${A:-` levels", nested_defaults, 50),
    "deep nesting": ("`[` levels", deep_nesting, 500),
    "alias growth": ("services sharing 1.9 MB", alias_growth, 25),
    "shared anchor": ("services sharing one finding", shared_anchor, 500),
}


def measure(case: str, size: int) -> float:
    """Seconds for `check_projects` on the case at this size (best of three), in this process."""
    from composefix.reading.files import Reader
    from composefix.rules.runner import Options, check_projects

    best = float("inf")
    for _ in range(3):
        with tempfile.TemporaryDirectory() as scratch:
            path = CASES[case][1](Path(scratch), size)
            started = time.perf_counter()
            check_projects([[path]], Options(environ={}), Reader())
            best = min(best, time.perf_counter() - started)
    return best


def child(case: str, size: int, timeout: float) -> str:
    command = [sys.executable, __file__, "--one", case, str(size)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return f">{timeout:.0f}s"
    if done.returncode != 0:
        return "error"
    return f"{float(done.stdout.strip()):.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=60, help="seconds per measurement (default 60)")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(measure(args.one[0], int(args.one[1])))
        return
    print("| case | what grows | size at x1 | x1 (s) | x2 (s) | x4 (s) | x8 (s) | x8 / x1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for case, (what, _builder, base) in CASES.items():
        cells = []
        for factor in FACTORS:
            # Once a size times out, larger sizes would too: not run.
            timed_out = cells and cells[-1].startswith(">")
            cells.append(cells[-1] if timed_out else child(case, base * factor, args.timeout))
        try:
            ratio = f"{float(cells[-1]) / max(float(cells[0]), 1e-4):.1f}"
        except ValueError:
            ratio = "-"
        print(f"| {case} | {what} | {base:,} | " + " | ".join(cells) + f" | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
