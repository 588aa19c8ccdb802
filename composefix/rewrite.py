"""`composefix rewrite`: plan, render (override file or in-place edits), verify, and write atomically."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from composefix.document import Document, load, parse
from composefix.engine import Checker, Options
from composefix.fixes import EditConflict, Plan, apply_edits, plan, unified_diff
from composefix.model import Applicability, Edit, Finding, describe_targets
from composefix.project import DEFAULT_OVERRIDE_NAMES, Reader, display_path, text_of
from composefix.rules import BY_CODE
from composefix.survival import Survival, compare, culprits, loaded

DEFAULT_OUTPUT = "compose.desktop.yaml"


class RewriteError(Exception):
    """The rewrite was refused; nothing was written."""


@dataclass(slots=True, eq=False)
class Outcome:
    """What a rewrite would write, and what it fixed, left unfixed and needs explained."""

    plan: Plan
    # Plans again without some fixes (those a renderer could not make), from the findings of the check.
    replan: Callable[[list[Finding]], Plan]
    findings: list[Finding]
    # path -> (old text or None for a new file, new text, bom)
    writes: dict[str, tuple[str | None, str, bool]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fixed: list[tuple[Finding, str]] = field(default_factory=list)
    unfixed: list[tuple[Finding, str]] = field(default_factory=list)
    usage: list[str] = field(default_factory=list)
    # Findings whose fix this mode cannot make (the renderer said why).
    not_renderable: list[Finding] = field(default_factory=list)
    # Findings whose fix would lose a connection the project makes on Linux (composefix.survival), and why.
    refused: list[tuple[Finding, str]] = field(default_factory=list)
    # The connections of the result compared with the original's.
    survival: Survival | None = None

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
    regenerate: str | None = None,
    strict_verify: bool = False,
    edit_outside: bool = False,
) -> Outcome:
    """Plan and render the rewrite of one project; verification failures raise RewriteError."""
    options = options._replace(publish={name: tuple(ports) for name, ports in publish.items()})
    checker = Checker(options)
    project = checker.check(files)
    report = checker.report(project.compose_files)
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
        image_ports: dict[str, list[int]] = {}
        try:
            image_ports = engine_ports(images)
        except EngineUnreachable as exc:
            notes.append(f"--inspect-images: {exc}; image ports not used")
        if image_ports:
            # The rules' fixes read the ports: check again with them.
            options = options._replace(image_ports={image: tuple(ports) for image, ports in image_ports.items()})
            checker = Checker(options)
            project = checker.check(files)
            report = checker.report(project.compose_files)
    targets = options.targets

    def replan(findings: list[Finding]) -> Plan:
        return plan(project, findings, targets, unsafe=unsafe, override=not in_place)

    planned = replan(report.findings)
    outcome = Outcome(
        planned, replan, report.findings, fixed=list(planned.fixed), unfixed=list(planned.unfixed), notes=notes
    )

    def keep(texts: dict[str, str], override: Path | None) -> list[tuple[Finding, str]]:
        """The fixes to refuse because the result (``texts``: path -> new text) loses a connection."""
        rewritten = (
            loaded(project, files, texts, options, override=override)
            if texts
            else dict.fromkeys(options.targets, project)
        )
        outcome.survival = compare(project, rewritten, options)
        return culprits(outcome.plan, outcome.survival.broken)

    if in_place:
        _in_place(outcome, checker.reader, keep)
    else:
        _override(outcome, options, files, checker.reader, output, force, regenerate, keep)
    survival = outcome.survival
    if survival is not None and survival.broken:
        raise RewriteError(f"the rewrite would break a connection on {survival.broken[0].describe()}; nothing written")
    if survival is not None and survival.already and outcome.changed:
        edges = {(lost.edge.key, lost.edge.via.file, lost.edge.via.span) for lost in survival.already}
        where = describe_targets({lost.target for lost in survival.already})
        outcome.notes.append(
            f"{len(edges)} connection{'s' if len(edges) > 1 else ''} already broken on {where} before the rewrite "
            f"{'stay as they were' if len(edges) > 1 else 'stays as it was'} (`composefix graph` shows them)"
        )
    _check_targets(outcome, options, files, checker.reader, named=output, outside=edit_outside)
    _verify_findings(outcome, options, files, checker.reader, set(project.env_files))
    if compose is not None and outcome.changed:
        _verify_compose(outcome, compose, files, in_place, strict=strict_verify)
    return outcome


class _Rendered(Protocol):
    dropped: list[tuple[Finding, str]]


R = TypeVar("R", bound=_Rendered)
# The fixes to refuse because the result (path -> new text; the override file's path) loses a connection.
Keep = Callable[[dict[str, str], Path | None], list[tuple[Finding, str]]]


def _settle(outcome: Outcome, render: Callable[[Plan], R], survive: Callable[[R], list[tuple[Finding, str]]]) -> R:
    """Render the plan; when the renderer cannot make some fix, or the result loses a connection (``survive``
    names the fixes to blame), plan again without those fixes, so that none of their changes is written half (a
    replacement without the host-gateway entry it needs), until every fix renders and every connection made on
    Linux is kept."""
    result = render(outcome.plan)
    excluded: dict[int, str] = {}
    refused: dict[int, str] = {}
    for _ in range(len(outcome.findings) + 4):
        new = {id(f): reason for f, reason in result.dropped if id(f) not in excluded}
        if not new:
            new = {id(f): reason for f, reason in survive(result) if id(f) not in excluded}
            refused.update(new)
        if not new:
            break
        excluded.update(new)
        outcome.plan = outcome.replan(
            [f._replace(fix=None, no_fix=excluded[id(f)]) if id(f) in excluded else f for f in outcome.findings]
        )
        result = render(outcome.plan)
    else:
        survive(result)  # the last plan is checked too: a connection it still loses refuses the rewrite
    outcome.fixed, outcome.unfixed = list(outcome.plan.fixed), list(outcome.plan.unfixed)
    _drop(outcome, result.dropped)
    outcome.not_renderable = [f for f in outcome.findings if id(f) in excluded and id(f) not in refused]
    outcome.refused = [(f, refused[id(f)]) for f in outcome.findings if id(f) in refused]
    return result


def _drop(outcome: Outcome, dropped: list[tuple[Finding, str]]) -> None:
    for finding, reason in dropped:
        outcome.fixed = [(f, t) for f, t in outcome.fixed if f is not finding]
        if all(f is not finding for f, _ in outcome.unfixed):
            outcome.unfixed.append((finding, reason))


def output_path(files: list[Path], output: Path | None) -> Path:
    return output if output is not None else files[0].parent / DEFAULT_OUTPUT


def _override(
    outcome: Outcome,
    options: Options,
    files: list[Path],
    reader: Reader,
    output: Path | None,
    force: bool,
    regenerate: str | None,
    keep: Keep,
) -> None:
    from composefix.override import HEADER_MARK, render

    target = output_path(files, output)
    base_dir = target.parent
    base_files = [os.path.relpath(f, base_dir) for f in files]
    name = os.path.relpath(target, Path.cwd()) if target.is_absolute() else str(target)
    rendered = _settle(
        outcome,
        lambda p: render(
            p, base_files=base_files, output_name=target.name, targets=options.targets, regenerate=regenerate
        ),
        lambda r: keep({} if r.empty else {str(target): r.text}, target),
    )
    old: str | None = None
    _refuse_unwritable(target, files, reader)
    if target.exists():
        try:
            old = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RewriteError(f"{name}: cannot read the existing file: {exc}") from None
        if not old.startswith(HEADER_MARK) and not force:
            raise RewriteError(f"{name} exists and was not written by composefix: pass --force to replace it")
    if rendered.empty and old is None:
        # Never an empty override file.
        if outcome.not_renderable or outcome.refused:
            outcome.notes.append("nothing the override file can change: no override file written")
        else:
            outcome.notes.append("nothing to fix: no override file written")
        return
    outcome.writes[display_path(target)] = (old, rendered.text, False)
    # Fixes meant for VM-backed engines only (a service's way out of host mode, and the fixes that depend on it), and
    # fixes every engine needs (a host-gateway entry Linux needs, an address that is wrong everywhere).
    chosen = outcome.plan.chosen
    unsafe = Applicability.UNSAFE
    vm_only = list(
        dict.fromkeys(
            f.code for f, _ in outcome.fixed if chosen[id(f)].vm_only and chosen[id(f)].applicability is unsafe
        )
    )
    everywhere = list(
        dict.fromkeys(
            f.code
            for f, _ in outcome.fixed
            if outcome.plan.applied[id(f)] and not chosen[id(f)].vm_only and not chosen[id(f)].requires
        )
    )
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
        machines = (
            f"of every machine (the fixes of {', '.join(everywhere)} concern every engine)"
            if everywhere and not vm_only
            else "of the machines that need it"
        )
        outcome.usage = [
            f"docker compose {command} up",
            f"or put COMPOSE_FILE={':'.join([*base_files, target.name])} in the .env {machines}",
        ]
    if rendered.version > (0, 0, 0):
        outcome.notes.append(f"{target.name} needs Docker Compose >= {'.'.join(map(str, rendered.version))}")
    if vm_only and everywhere:
        outcome.notes.append(
            f"the unsafe fix of {', '.join(vm_only)} belongs in this file only, which also holds fixes every engine "
            f"needs ({', '.join(everywhere)}): on Linux, apply those with `composefix rewrite --in-place` and leave "
            "the file out"
        )
    elif vm_only:
        outcome.notes.append(
            f"the unsafe fix of {', '.join(vm_only)} is applied in the override file only, which Linux machines need "
            "not load"
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


def _edited(reader: Reader, edits: list[Edit]) -> dict[str, str]:
    """path -> the text of each file with its edits applied (EditConflict when two overlap)."""
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    return {path: apply_edits(reader.documents[path].text, items) for path, items in by_file.items()}


def _in_place(outcome: Outcome, reader: Reader, keep: Keep) -> None:
    from composefix.inplace import InPlace, in_place

    def survive(built: InPlace) -> list[tuple[Finding, str]]:
        try:
            texts = _edited(reader, built.edits)
        except EditConflict:
            return []  # refused below
        return keep(texts, None)

    built = _settle(outcome, in_place, survive)
    by_file: dict[str, list[Edit]] = {}
    for edit in built.edits:
        by_file.setdefault(edit.file, []).append(edit)
    for path, edits in by_file.items():
        doc = reader.documents[path]
        try:
            new = apply_edits(doc.text, edits)
        except EditConflict as exc:
            raise RewriteError(f"{path}: {exc}") from None
        outcome.writes[path] = (doc.text, new, doc.bom)


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
    broken = [f for f in after if f.code in BY_CODE and BY_CODE[f.code].invalid_file and f.file in texts]
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
