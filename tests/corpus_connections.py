"""Which connections today's rewrite loses on the corpus: `python -m tests.corpus_connections [CORPUS]`.

For every corpus compose file that `rewrite` changes (override mode; in-place mode with unsafe fixes), the
rewritten project (the original files plus the override, or the patched texts; nothing is written) is compared
with the original by `composefix.graph.connections.lost_connections` on Linux and Docker Desktop, every machine loading
the same files. Prints the counts, then each lost connection with its reason.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from composefix.fixing.rewrite import RewriteError, rewrite
from composefix.fixing.survival import loaded
from composefix.graph.connections import Lost, lost_connections
from composefix.model import Target
from composefix.reading.loader import load_project
from composefix.rules.runner import Options
from tests.helpers import CORPUS

TARGETS = (Target.LINUX, Target.DESKTOP)


def run(corpus: Path) -> tuple[Counter[str], list[tuple[str, str, Lost]]]:
    environ = {"PATH": "/usr/bin:/bin", "HOME": "/home/composefix"}
    options = Options(schema=False, environ=environ, targets=frozenset(TARGETS))
    with (corpus / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["kind"] == "compose"]
    counts: Counter[str] = Counter()
    lost: list[tuple[str, str, Lost]] = []
    for row in rows:
        path = corpus / row["local_path"]
        for mode in ("override", "in-place"):
            try:
                outcome = rewrite(
                    [path],
                    options,
                    in_place=mode == "in-place",
                    output=None,
                    unsafe=mode == "in-place",
                    publish={},
                    force=True,
                    compose=None,
                )
            except RewriteError:
                counts[f"{mode}: refused"] += 1
                continue
            if not outcome.changed:
                continue
            counts[f"{mode}: written"] += 1
            texts = {name: new for name, (_, new, _) in outcome.writes.items()}
            original = load_project([path], environ=environ)
            rewritten = loaded(
                original,
                [path],
                texts,
                options,
                in_place=mode == "in-place",
                portable=outcome.portable_file,
                desktop=outcome.desktop_file,
            )
            found = lost_connections(original, rewritten, TARGETS)
            if found:
                counts[f"{mode}: files losing connections"] += 1
                counts[f"{mode}: connections lost (per target)"] += len(found)
                lost += [(mode, row["local_path"], item) for item in found]
    return counts, lost


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    counts, lost = run(corpus)
    for key in sorted(counts):
        print(f"{key}: {counts[key]}")
    for mode, name, item in lost:
        print(f"{mode}: {name}: {item.describe()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
