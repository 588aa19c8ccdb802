"""Rewrite every corpus compose file that has fixable findings, in a scratch copy of the corpus, and count.

For each file: override mode (with verification by re-analysis and by the real Compose binary) and in-place
mode with --unsafe-fixes (re-analysis; real Compose on the patched files). Every result is compared with the
original project's connections (composefix.fixing.survival): edges kept on each target, edges broken by the written
result (must be 0), edges already broken before the rewrite, and the fixes refused because they would break one.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from composefix.fixing.rewrite import RewriteError, rewrite
from composefix.platform.compose_cli import find_compose
from composefix.rules import RULES
from composefix.rules.runner import Options
from tests.helpers import survival_of

FIXABLE = {rule.code for rule in RULES if rule.fixable is not None}


@dataclass
class Tally:
    files: int = 0
    with_fixes: int = 0
    override_written: int = 0
    compose_accepted: int = 0
    compose_skipped: int = 0
    override_refused: list[tuple[str, str]] = field(default_factory=list)
    in_place_written: int = 0
    in_place_refused: list[tuple[str, str]] = field(default_factory=list)
    fixed: Counter[str] = field(default_factory=Counter)
    unfixed: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    # (file, mode) of rewrites that report fixes but change nothing.
    claimed_unwritten: list[tuple[str, str]] = field(default_factory=list)
    # (connection, target) pairs of the written results: kept, broken by the result, broken before the rewrite.
    edges_kept: int = 0
    edges_broken: list[tuple[str, str]] = field(default_factory=list)
    edges_already_broken: int = 0
    # (file, mode, code, reason) of fixes refused because they would break a connection.
    refused: list[tuple[str, str, str, str]] = field(default_factory=list)
    # Files whose rewrite computed no connection check (must stay empty).
    unchecked: list[tuple[str, str]] = field(default_factory=list)


def compose_rows(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "manifest.tsv").open(newline="", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t") if r["kind"] == "compose"]


def run(corpus: Path, limit: int | None = None) -> Tally:
    compose = find_compose()
    tally = Tally()
    options = Options(schema=False, environ={"PATH": "/usr/bin:/bin", "HOME": "/home/composefix"})
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "corpus"
        shutil.copytree(corpus, copy)
        for path in copy.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        rows = compose_rows(copy)
        for row in rows[:limit]:
            tally.files += 1
            path = copy / row["local_path"]
            for in_place in (False, True):
                try:
                    outcome = rewrite(
                        [path],
                        options,
                        in_place=in_place,
                        output=None,
                        unsafe=in_place,
                        publish={},
                        force=False,
                        compose=compose,
                    )
                except RewriteError as exc:
                    (tally.in_place_refused if in_place else tally.override_refused).append(
                        (row["local_path"], str(exc))
                    )
                    continue
                except Exception as exc:  # a crash: the test fails on any
                    tally.errors.append((row["local_path"], f"{type(exc).__name__}: {exc}"))
                    continue
                mode = "in-place" if in_place else "override"
                tally.refused += [(row["local_path"], mode, f.code, reason) for f, reason in outcome.refused]
                if outcome.survival is None:
                    tally.unchecked.append((row["local_path"], mode))
                if outcome.changed:
                    # Independently of the rewrite's own loop: the texts it would write, loaded as each target does.
                    texts = {p: new for p, (_, new, _) in outcome.writes.items()}
                    survival = survival_of(outcome, [path], texts, options, in_place=in_place)
                    tally.edges_kept += survival.kept
                    tally.edges_already_broken += len(survival.already)
                    tally.edges_broken += [(row["local_path"], f"{mode}: {x.describe()}") for x in survival.broken]
                if not in_place:
                    if any(f.code in FIXABLE for f, _ in outcome.fixed + outcome.unfixed):
                        tally.with_fixes += 1
                    tally.fixed.update(f.code for f, _ in outcome.fixed)
                    tally.unfixed.update(f.code for f, _ in outcome.unfixed if f.code in FIXABLE)
                if outcome.changed and not in_place:
                    if any("Docker Compose accepts" in n for n in outcome.notes):
                        tally.compose_accepted += 1
                    elif any("Compose already rejects" in n for n in outcome.notes):
                        tally.compose_skipped += 1
                if outcome.fixed and not outcome.changed:
                    tally.claimed_unwritten.append((row["local_path"], "in-place" if in_place else "override"))
                if outcome.changed:
                    if in_place:
                        tally.in_place_written += 1
                    else:
                        tally.override_written += 1
    return tally


if __name__ == "__main__":
    from tests.helpers import CORPUS

    result = run(CORPUS, int(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"files {result.files}; with fixable findings {result.with_fixes}")
    print(
        f"override: written {result.override_written}, refused {len(result.override_refused)}; real Compose "
        f"accepted base+override for {result.compose_accepted}, skipped {result.compose_skipped} (base rejected)"
    )
    print(f"in-place: written {result.in_place_written}, refused {len(result.in_place_refused)}")
    print("fixed:", dict(result.fixed))
    print("unfixed:", dict(result.unfixed))
    print(
        f"connections of written results ((edge, target) pairs): kept {result.edges_kept}, broken "
        f"{len(result.edges_broken)}, already broken before the rewrite {result.edges_already_broken}"
    )
    print(f"fixes refused because they would break a connection: {len(result.refused)}")
    for file, mode, code, reason in result.refused[:30]:
        print(f"  refused ({mode}) {file}: {code}: {reason}")
    for item in result.edges_broken[:15]:
        print("  BROKEN:", item)
    for item in result.override_refused[:15]:
        print("  override refused:", item)
    for item in result.in_place_refused[:15]:
        print("  in-place refused:", item)
    for item in result.errors[:15]:
        print("  ERROR:", item)
