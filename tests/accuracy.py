"""Score `check` against the hand labels of the corpus: precision and recall per kind and overall.

    COMPOSEFIX_CORPUS=/path/to/corpus python -m tests.accuracy [--show FP|FN|ALL] [--kind KIND]
    python -m tests.accuracy --corpus /path/to/another/labelled/folder

The corpus is read from ``--corpus``, else ``$COMPOSEFIX_CORPUS``, else ``../shared/corpus`` beside the repository
(as the other corpus tests do). Only its ``labels.jsonl`` is needed (no ``manifest.tsv``): any folder laid out the
same way (``<owner>__<repo>/<path of the compose file>``, with the paths of ``labels.jsonl`` relative to the folder)
can be scored, e.g. a set of projects labelled apart from the corpus. ``labels.jsonl`` holds one object per
labelled compose file: ``labels`` are the findings that must be reported (kind, service, line, and ``file`` when
the line is in a `.env`/`env_file` file), ``must_not_flag`` the places that must stay silent.

How findings meet labels:

- Each labelled compose file is checked on its own (a project of that one file, with an empty process
  environment; `.env` files beside it still apply), with the default targets and every rule.
- Both sides are reduced to places: (compose file checked, file holding the line, kind, line). A finding's kind
  comes from its code (CF101 host_network ... CF110 bridge_network_mode, see ``KINDS``); findings of other
  codes (input errors, CF111, CF2xx, CF900) are not scored. Several findings on one line of one kind (a line
  listing `127.0.0.1:6370 127.0.0.1:6371`) are one place; several labels on one line of one kind (one anchor
  shared by six services: the engine reports shared text once, naming every service) are one place too.
- A finding's place matches a label's place of the same kind within one line (three for
  ``ports_ignored_host_mode``, whose label is on the `ports:` key while the finding may be on an entry). Each
  label place is matched at most once. The kind must be the same: a CF103 finding on a line labelled
  `loopback_to_service` is a false positive of CF103 *and* a missed CF104 (the two rules give different fixes).
- Precision counts only the findings that fail CI by default (severity warning or error): TP / (TP + FP). Any
  finding of a scored kind at a place with no label of that kind is a false positive at that level, whether the
  place is listed in ``must_not_flag`` or not listed at all (the labellers read every file: an unlabelled place
  of a labelled kind was judged not to be a problem). The ``must_not_flag`` hits among them are counted apart.
- Recall counts findings of every severity, including `info`: TP / (TP + FN), where a label place is found when
  any finding of its kind matches it.
- Labels with ``"confidence": "low"`` are "don't care": never missed, and a finding there is neither right nor
  wrong.
- "loopback" groups CF103 and CF104 (their counts added); "overall" adds every kind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from composefix.model import Finding, Severity
from composefix.reading.files import Reader
from composefix.rules.runner import Options, check_projects

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSEFIX_CORPUS", ROOT.parent / "shared" / "corpus"))

KINDS = {
    "CF101": "host_network",
    "CF102": "ports_ignored_host_mode",
    "CF103": "loopback_to_host",
    "CF104": "loopback_to_service",
    "CF105": "docker0_ip",
    "CF106": "host_alias_fixed_ip",
    "CF107": "host_alias_without_gateway",
    "CF108": "loopback_bind_published",
    "CF109": "desktop_legacy_hostname",
    "CF110": "bridge_network_mode",
}
CODES = {kind: code for code, kind in KINDS.items()}
LOOPBACK = ("loopback_to_host", "loopback_to_service")
TOLERANCE = {"ports_ignored_host_mode": 3}

# (compose file checked, file holding the line, kind, line)
Place = tuple[str, str, str, int]


@dataclass
class Counts:
    tp: int = 0  # warning/error findings that match a label
    fp: int = 0  # warning/error findings that match none
    found: int = 0  # label places matched by a finding of any severity
    fn: int = 0  # label places matched by no finding
    info_fp: int = 0  # info findings at unlabelled places (shown, not counted in precision)
    must_not: int = 0  # warning/error false positives at a must_not_flag line

    def add(self, other: Counts) -> None:
        for name in ("tp", "fp", "found", "fn", "info_fp", "must_not"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.found / (self.found + self.fn) if self.found + self.fn else None


@dataclass
class Score:
    kinds: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in CODES})
    false_positives: list[tuple[Place, str, str]] = field(default_factory=list)  # place, severity, message
    false_negatives: list[tuple[Place, str]] = field(default_factory=list)  # place, label text
    files: int = 0

    def group(self, kinds: Iterable[str]) -> Counts:
        total = Counts()
        for kind in kinds:
            total.add(self.kinds[kind])
        return total

    @property
    def loopback(self) -> Counts:
        return self.group(LOOPBACK)

    @property
    def overall(self) -> Counts:
        return self.group(CODES)


def load_labels(corpus: Path) -> list[dict[str, object]]:
    path = corpus / "labels.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _relative(corpus: Path, path: str) -> str:
    try:
        return Path(path).resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return path


def _near(place: Place, other: Place) -> bool:
    kind = place[2]
    return place[:3] == other[:3] and abs(place[3] - other[3]) <= TOLERANCE.get(kind, 1)


def score(corpus: Path = CORPUS) -> Score:
    entries = load_labels(corpus)
    result = Score(files=len(entries))
    labelled: set[Place] = set()
    dont_care: set[Place] = set()
    must_not: set[tuple[str, str, int]] = set()
    texts: dict[Place, str] = {}
    for entry in entries:
        compose = str(entry["file"])
        for label in entry["labels"]:  # type: ignore[attr-defined]
            place = (compose, label.get("file", compose), label["kind"], int(label["line"]))
            (dont_care if label.get("confidence") == "low" else labelled).add(place)
            texts.setdefault(place, label.get("text", ""))
        for item in entry["must_not_flag"]:  # type: ignore[attr-defined]
            must_not.add((compose, item.get("file", compose), int(item["line"])))

    findings: dict[Place, list[Finding]] = {}
    reader = Reader()
    options = Options(environ={})
    for entry in entries:
        compose = str(entry["file"])
        for finding in check_projects([[corpus / compose]], options, reader).findings:
            kind = KINDS.get(finding.code)
            if kind is not None:
                place = (compose, _relative(corpus, finding.file), kind, finding.line)
                findings.setdefault(place, []).append(finding)

    matched: set[Place] = set()
    for place in sorted(findings):
        counts = result.kinds[place[2]]
        strongest = max(findings[place], key=lambda f: f.severity.rank)
        fails = strongest.severity.rank >= Severity.WARNING.rank
        label = next((p for p in sorted(labelled, key=lambda p: abs(p[3] - place[3])) if _near(place, p)), None)
        if label is not None:
            if label not in matched:
                matched.add(label)
                counts.found += 1
            if fails:
                counts.tp += 1
            continue
        if any(_near(place, p) for p in dont_care):
            continue
        if fails:
            counts.fp += 1
            if (place[0], place[1], place[3]) in must_not:
                counts.must_not += 1
            result.false_positives.append((place, strongest.severity.value, strongest.message))
        else:
            counts.info_fp += 1
            result.false_positives.append((place, strongest.severity.value, strongest.message))
    for place in sorted(labelled - matched):
        result.kinds[place[2]].fn += 1
        result.false_negatives.append((place, texts.get(place, "")))
    return result


def _ratio(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render(result: Score) -> str:
    lines = [
        f"{result.files} labelled compose files; precision over warning/error findings, recall over all findings",
        f"{'kind':<28} {'code':<6} {'prec':>6} {'recall':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'found':>5}"
        f" {'info@unlabelled':>15} {'FP@must_not':>11}",
    ]

    def row(name: str, code: str, c: Counts) -> str:
        return (
            f"{name:<28} {code:<6} {_ratio(c.precision):>6} {_ratio(c.recall):>6} {c.tp:>4} {c.fp:>4} {c.fn:>4}"
            f" {c.found:>5} {c.info_fp:>15} {c.must_not:>11}"
        )

    for kind, code in CODES.items():
        lines.append(row(kind, code, result.kinds[kind]))
    lines.append(row("loopback (CF103+CF104)", "", result.loopback))
    lines.append(row("overall", "", result.overall))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.accuracy", description=__doc__.split("\n")[0])
    parser.add_argument("--show", choices=("FP", "FN", "ALL"), help="list false positives and/or negatives")
    parser.add_argument("--kind", help="only list places of this kind (e.g. loopback_to_host or CF103)")
    parser.add_argument("--corpus", type=Path, help="the labelled folder to score (default: $COMPOSEFIX_CORPUS)")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus or CORPUS
    if not (corpus / "labels.jsonl").is_file():
        print(
            f"no labelled corpus at {corpus} (labels.jsonl not found): give --corpus or set COMPOSEFIX_CORPUS",
            file=sys.stderr,
        )
        return 2
    result = score(corpus)
    print(render(result))
    kind = KINDS.get(args.kind, args.kind) if args.kind else None
    if args.show in ("FP", "ALL"):
        print("\nfalse positives (warning/error) and info findings at unlabelled places:")
        for place, severity, message in result.false_positives:
            if kind is None or place[2] == kind:
                print(f"  {place[1]}:{place[3]} [{CODES[place[2]]} {severity}] ({place[0]}) {message}")
    if args.show in ("FN", "ALL"):
        print("\nfalse negatives:")
        for place, text in result.false_negatives:
            if kind is None or place[2] == kind:
                print(f"  {place[1]}:{place[3]} [{CODES[place[2]]}] ({place[0]}) {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
