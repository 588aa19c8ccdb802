"""`composefix rewrite`: plan, render (override file or in-place edits), verify, and write atomically."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from composefix.document import Document, load, parse
from composefix.engine import Checker, Options
from composefix.fixes import EditConflict, Plan, Planner, apply_edits, unified_diff
from composefix.model import Edit, Finding
from composefix.project import DEFAULT_OVERRIDE_NAMES, Reader, display_path, text_of

DEFAULT_OUTPUT = "compose.desktop.yaml"


class RewriteError(Exception):
    """The rewrite was refused; nothing was written."""


@dataclass(slots=True, eq=False)
class Outcome:
    """What a rewrite would write, and what it fixed, left unfixed and needs explained."""

    plan: Plan
    # path -> (old text or None for a new file, new text, bom)
    writes: dict[str, tuple[str | None, str, bool]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fixed: list[tuple[Finding, str]] = field(default_factory=list)
    unfixed: list[tuple[Finding, str]] = field(default_factory=list)
    usage: list[str] = field(default_factory=list)

    def diff(self) -> str:
        return "".join(
            unified_diff(path, old or "", new, new_file=old is None)
            for path, (old, new, _) in self.writes.items()
            if old != new
        )

    @property
    def changed(self) -> bool:
        return any(old != new for old, new, _ in self.writes.values())


def _fixed_keys(fixed: list[tuple[Finding, str]]) -> set[tuple[str, str | None, str]]:
    return {(f.code, f.service, f.path) for f, _ in fixed}


def _recheck(options: Options, files: list[Path], reader: Reader) -> list[Finding]:
    checker = Checker(options, reader)
    project = checker.check(files)
    return checker.report(project.compose_files).findings


def _seeded(original: Reader, texts: dict[str, str], env_paths: set[str]) -> Reader:
    """A reader that sees ``texts`` (path -> new text) instead of the files on disk."""
    reader = Reader()
    for path, doc in original.documents.items():
        if path not in texts:
            continue
        if path in env_paths:
            reader.documents[path] = Document(path=path, text=texts[path], bom=doc.bom, newline=doc.newline)
        else:
            reader.documents[path] = parse(texts[path], path, bom=doc.bom)
    return reader


def rewrite(
    files: list[Path],
    options: Options,
    *,
    in_place: bool,
    output: Path | None,
    unsafe: bool,
    publish: dict[str, list[int]],
    force: bool,
    compose: list[str] | None,
    inspect_images: bool = False,
    strict_verify: bool = False,
    edit_outside: bool = False,
) -> Outcome:
    """Plan and render the rewrite of one project; verification failures raise RewriteError."""
    checker = Checker(options)
    project = checker.check(files)
    report = checker.report(project.compose_files)
    image_ports: dict[str, list[int]] = {}
    notes: list[str] = []
    if inspect_images:
        from composefix.engine_info import EngineUnreachable
        from composefix.engine_info import image_ports as engine_ports

        images = sorted(
            {
                image
                for s in project.services.values()
                if s.network_mode == "host"
                for image in [text_of(s.get("image"))]
                if image
            }
        )
        try:
            image_ports = engine_ports(images)
        except EngineUnreachable as exc:
            notes.append(f"--inspect-images: {exc}; image ports not used")
    plan = Planner(
        project,
        report.findings,
        options.targets,
        unsafe=unsafe,
        host_mode=not in_place,
        publish=publish,
        bridge_ips=options.bridge_ips,
        image_ports=image_ports,
    ).make()
    outcome = Outcome(plan, fixed=list(plan.fixed), unfixed=list(plan.unfixed), notes=notes)
    if in_place:
        _in_place(outcome, options, files, checker.reader)
    else:
        _override(outcome, options, files, checker.reader, output, force)
    _check_targets(outcome, options, files, checker.reader, named=output, outside=edit_outside)
    _verify_findings(outcome, options, files, checker.reader, set(project.env_files))
    if compose is not None and outcome.changed:
        _verify_compose(outcome, compose, files, in_place, strict=strict_verify)
    return outcome


def _drop(outcome: Outcome, dropped: list[tuple[Finding, str]]) -> None:
    for finding, reason in dropped:
        outcome.fixed = [(f, t) for f, t in outcome.fixed if f is not finding]
        if all(f is not finding for f, _ in outcome.unfixed):
            outcome.unfixed.append((finding, reason))


def output_path(files: list[Path], output: Path | None) -> Path:
    return output if output is not None else files[0].parent / DEFAULT_OUTPUT


def _override(
    outcome: Outcome, options: Options, files: list[Path], reader: Reader, output: Path | None, force: bool
) -> None:
    from composefix.override import HEADER_MARK, render

    target = output_path(files, output)
    base_dir = target.parent
    base_files = [os.path.relpath(f, base_dir) for f in files]
    name = os.path.relpath(target, Path.cwd()) if target.is_absolute() else str(target)
    rendered = render(outcome.plan, base_files=base_files, output_name=target.name, targets=options.targets)
    _drop(outcome, rendered.dropped)
    old: str | None = None
    _refuse_unwritable(target, files, reader)
    if target.exists():
        try:
            old = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RewriteError(f"{name}: cannot read the existing file: {exc}") from None
        if not old.startswith(HEADER_MARK) and not force:
            raise RewriteError(f"{name} exists and was not written by composefix: pass --force to replace it")
    if not outcome.plan.fixed and old is None:
        outcome.notes.append("nothing to fix: no override file written")
        return
    outcome.writes[display_path(target)] = (old, rendered.text, False)
    automatic = [n for n in DEFAULT_OVERRIDE_NAMES if (base_dir / n).is_file()]
    if target.name in DEFAULT_OVERRIDE_NAMES:
        others = [n for n in automatic if n != target.name]
        if others:
            outcome.notes.append(
                f"warning: {', '.join(others)} also exists; Compose loads only the first automatic override file "
                f"it finds ({', '.join(DEFAULT_OVERRIDE_NAMES)}), so one of them is ignored"
            )
    else:
        loaded = [n for n in automatic if n not in {f.name for f in files}]
        if loaded:
            outcome.notes.append(
                f"warning: `-f` turns off the automatic {loaded[0]}; add it to the -f list before {target.name}"
            )
        command = " ".join(f"-f {f}" for f in [*base_files, target.name])
        outcome.usage = [
            f"docker compose {command} up",
            f"or put COMPOSE_FILE={':'.join([*base_files, target.name])} in the .env of the machines that need it",
        ]
    if rendered.version > (0, 0, 0):
        outcome.notes.append(f"{target.name} needs Docker Compose >= {'.'.join(map(str, rendered.version))}")
    if any(f.code == "CF101" for f, _ in outcome.fixed):
        outcome.notes.append(
            "CF101's fix is unsafe (the service leaves host networking): it is applied in the override file only, "
            "which Linux machines need not load"
        )


def _refuse_unwritable(target: Path, files: list[Path], reader: Reader) -> None:
    """The override file: never a link, a device or an input of the run (composefix.writing.check_target), unless
    that input is an override composefix wrote before."""
    from composefix.override import HEADER_MARK
    from composefix.writing import WriteError, check_target

    inputs = [*files, *(Path(p) for p in reader.documents)]
    if not target.is_symlink() and target.is_file():
        with contextlib.suppress(OSError), target.open("rb") as stream:
            if stream.read(len(HEADER_MARK) + 3).lstrip(b"\xef\xbb\xbf").startswith(HEADER_MARK.encode()):
                inputs = []  # its own earlier output, read back as part of the project: regenerated in place
    try:
        check_target(target, inputs=inputs)
    except WriteError as exc:
        raise RewriteError(str(exc)) from None


def _check_targets(
    outcome: Outcome, options: Options, files: list[Path], reader: Reader, *, named: Path | None, outside: bool
) -> None:
    """Every file the rewrite would write, checked before verification creates anything beside it: in-place edits
    stay inside the project folder (or were named by the user, or --edit-outside-project)."""
    from composefix.writing import WriteError, check_target

    project = options.project_directory or files[0].parent
    user_named = {os.path.abspath(p) for p in [*files, *([named] if named is not None else [])]}
    try:
        for path, (old, _new, _bom) in outcome.writes.items():
            target = Path(path)
            inputs = [] if old is not None else [*files, *(Path(p) for p in reader.documents)]
            check_target(
                target,
                inputs=inputs,
                project=project,
                named=os.path.abspath(target) in user_named,
                outside=outside,
            )
    except WriteError as exc:
        raise RewriteError(str(exc)) from None


def _in_place(outcome: Outcome, options: Options, files: list[Path], reader: Reader) -> None:
    from composefix.inplace import in_place

    built = in_place(outcome.plan)
    _drop(outcome, built.dropped)
    by_file: dict[str, list[Edit]] = {}
    dropped_codes = {(f.code, f.service) for f, _ in built.dropped}
    for edit in built.edits:
        by_file.setdefault(edit.file, []).append(edit)
    for path, edits in by_file.items():
        doc = reader.documents[path]
        try:
            new = apply_edits(doc.text, edits)
        except EditConflict as exc:
            raise RewriteError(f"{path}: {exc}") from None
        outcome.writes[path] = (doc.text, new, doc.bom)
    if dropped_codes:
        outcome.notes.append("some fixes cannot be applied in place (see below); override mode may apply them")


def _verify_findings(
    outcome: Outcome, options: Options, files: list[Path], reader: Reader, env_paths: set[str]
) -> None:
    """Re-analyse the result: no finding the plan claims to fix may remain."""
    texts = {path: new for path, (_, new, _) in outcome.writes.items()}
    seeded = _seeded(reader, texts, env_paths)
    check_files = list(files)
    overrides = [p for p in outcome.writes if p not in reader.documents]
    for path in overrides:
        seeded.documents[path] = load(texts[path].encode("utf-8"), path)
        check_files.append(Path(path))
    after = _recheck(options, check_files, seeded)
    fixed = _fixed_keys(outcome.fixed)
    remaining = [f for f in after if (f.code, f.service, f.path) in fixed]
    broken = [f for f in after if f.code in ("CF001", "CF002", "CF003") and f.file in texts]
    if broken:
        f = broken[0]
        raise RewriteError(f"the rewritten {f.file} would be invalid ({f.code} at line {f.line}: {f.message})")
    if remaining:
        f = remaining[0]
        raise RewriteError(
            f"verification failed: {f.code} would remain at {f.file}:{f.line} ({f.message}); nothing written"
        )


def _verify_compose(outcome: Outcome, compose: list[str], files: list[Path], in_place: bool, strict: bool) -> None:
    """`docker compose config` on the result. Compose that cannot answer (hung, killed, not runnable) refuses the
    rewrite; so does Compose rejecting the project as it is, when the user asked for --verify."""
    from composefix.compose_cli import config
    from composefix.writing import WriteError, guarded, scratch

    cwd = files[0].parent.resolve()
    absolute = [f.resolve() for f in files]
    before = config(compose, absolute, cwd)
    if not before.ran:
        raise RewriteError(f"--verify: Docker Compose did not answer: {before.message}; nothing written")
    if not before.ok:
        if strict:
            raise RewriteError(
                f"--verify: Docker Compose rejects the project as it is ({before.message}), so the result cannot be "
                "verified; fix that first or pass --no-verify; nothing written"
            )
        outcome.notes.append(f"Compose already rejects the project ({before.message}): real-Compose check skipped")
        return
    try:
        with guarded(), contextlib.ExitStack() as stack:
            check_files = list(absolute)
            for path, (_old, new, bom) in outcome.writes.items():
                written = Path(path).absolute()
                resolved = written.resolve()
                if in_place and resolved not in absolute:
                    continue  # .env and env_file edits: Compose reads those itself
                data = ("\ufeff" if bom else "").encode() + new.encode("utf-8")
                temp = stack.enter_context(scratch(written.parent, data))
                if resolved in absolute:
                    check_files[check_files.index(resolved)] = temp
                else:
                    check_files.append(temp)
            after = config(compose, check_files, cwd)
    except WriteError as exc:
        raise RewriteError(str(exc)) from None
    if not after.ran:
        raise RewriteError(f"--verify: Docker Compose did not answer: {after.message}; nothing written")
    if not after.ok:
        raise RewriteError(f"Docker Compose rejects the result: {after.message}; nothing written")
    outcome.notes.append("Docker Compose accepts the result (`config`)")


def write_files(changes: list[tuple[Path, str | None, str, bool]], *, force: bool = False) -> None:
    """Write (path, text read before or None for a new file, new text, bom) all or nothing (composefix.writing)."""
    from composefix.writing import Change, WriteError, keep_newlines
    from composefix.writing import write_files as write_changes

    try:
        write_changes([Change(path, old, keep_newlines(old, new), bom) for path, old, new, bom in changes], force=force)
    except WriteError as exc:
        raise RewriteError(str(exc)) from None


def write_atomic(path: Path, text: str, *, bom: bool, expected: str | None) -> None:
    """Write one file atomically (see write_files); ``expected`` is its text when it was read."""
    write_files([(path, expected, text, bom)])


def write(*outcomes: Outcome, force: bool = False) -> list[str]:
    """Write every changed file of every outcome, all or nothing; returns the paths written."""
    changes = [
        (Path(path), old, new, bom)
        for outcome in outcomes
        for path, (old, new, bom) in outcome.writes.items()
        if old != new
    ]
    seen: set[str] = set()
    for path, _, _, _ in changes:
        real = os.path.realpath(path)
        if real in seen:
            raise RewriteError(f"{path} would be written by two projects of this run; rewrite them one by one")
        seen.add(real)
    write_files(changes, force=force)
    return [str(path) for path, _, _, _ in changes]
