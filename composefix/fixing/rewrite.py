"""`composefix rewrite`: plan, render (override file or in-place edits), verify, and write atomically."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from composefix.fixing.override import Rendered
from composefix.fixing.plan import EditConflict, Plan, apply_edits, plan, unified_diff
from composefix.fixing.survival import Survival, compare, culprits, loaded
from composefix.model import Edit, Finding, describe_targets
from composefix.reading.document import Document, load, parse
from composefix.reading.files import DEFAULT_OVERRIDE_NAMES, Reader, display_path
from composefix.reading.project import text_of
from composefix.rules import BY_CODE
from composefix.rules.runner import Checker, Options

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
    # Findings whose fix would lose a connection the project makes on Linux (composefix.fixing.survival), and why.
    refused: list[tuple[Finding, str]] = field(default_factory=list)
    # The connections of the result compared with the original's.
    survival: Survival | None = None
    # id(finding) -> which file its fix went to and why (override mode).
    placed: dict[int, str] = field(default_factory=dict)
    # New opt-in files (in place): checked with Compose, but not part of the project the rewrite re-checks.
    opt_in: set[str] = field(default_factory=set)
    # The override files written (override mode): the one every machine loads and the one only VM-backed engines
    # load; composefix.fixing.survival.loaded() loads them as each target does.
    portable_file: Path | None = None
    desktop_file: Path | None = None

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
    portable_output: Path | None = None,
    regenerate_portable: str | None = None,
) -> Outcome:
    """Plan and render the rewrite of one project; verification failures raise RewriteError."""
    if not in_place:
        files = without_own_output(files, portable_output)
    options = options._replace(publish={name: tuple(ports) for name, ports in publish.items()})
    checker = Checker(options)
    project = checker.check(files)
    report = checker.report(project.compose_files)
    notes: list[str] = []
    if inspect_images:
        from composefix.platform.docker_engine import EngineUnreachable
        from composefix.platform.docker_engine import image_ports as engine_ports

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

    def keep(texts: dict[str, str], portable: Path | None, desktop: Path | None) -> list[tuple[Finding, str]]:
        """The fixes to refuse because the result (``texts``: path -> new text; in override mode the file every
        machine loads and the file only VM-backed engines load, None when not written) loses a connection."""
        rewritten = (
            loaded(project, files, texts, options, portable=portable, desktop=desktop, in_place=in_place)
            if texts
            else dict.fromkeys(options.targets, project)
        )
        outcome.survival = compare(project, rewritten, options)
        return culprits(outcome.plan, outcome.survival.broken)

    if in_place:
        _in_place(outcome, checker.reader, keep)
    else:
        _override(
            outcome,
            options,
            files,
            checker.reader,
            output,
            force,
            keep,
            regenerate=regenerate,
            portable_output=portable_output,
            regenerate_portable=regenerate_portable,
        )
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
    named = [p for p in (output, portable_output) if p is not None]
    _check_targets(outcome, options, files, checker.reader, named=named, outside=edit_outside)
    _verify_findings(outcome, options, files, checker.reader, set(project.env_files))
    if compose is not None and outcome.changed:
        _verify_compose(outcome, compose, files, in_place, strict=strict_verify)
    return outcome


class _Rendered(Protocol):
    dropped: list[tuple[Finding, str]]


R = TypeVar("R", bound=_Rendered)
# The fixes to refuse because the result (path -> new text; in override mode the file every machine loads and the
# file only VM-backed engines load, None when not written) loses a connection.
Keep = Callable[[dict[str, str], Path | None, Path | None], list[tuple[Finding, str]]]


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


PORTABLE_DEFAULT = "compose.override.yaml"
EVERY_ENGINE = "every engine needs it"
VM_ONLY = "only VM-backed engines load this file"


def portable_path(files: list[Path], portable_output: Path | None) -> tuple[Path | None, str]:
    """Where the changes every engine needs go in override mode: the file named with --portable-output, else the
    automatic override file Compose loads on every machine without `-f` (when the project is its folder's default
    file and no automatic override exists that composefix did not write); else None and why."""
    from composefix.reading.discovery import is_generated
    from composefix.reading.files import DEFAULT_FILE_NAMES

    if portable_output is not None:
        return portable_output, ""
    folder = files[0].parent
    default = files[0].name in DEFAULT_FILE_NAMES and all(
        f.parent == folder and f.name in DEFAULT_OVERRIDE_NAMES for f in files[1:]
    )
    if not default:
        return None, "the project is loaded with `-f`, so Compose loads no automatic override file"
    existing = next((folder / n for n in DEFAULT_OVERRIDE_NAMES if (folder / n).is_file()), None)
    if existing is None:
        return folder / PORTABLE_DEFAULT, ""
    if is_generated(existing):
        return existing, ""
    return None, f"the automatic override file {existing.name} was not written by composefix"


@dataclass(slots=True, eq=False)
class _Split:
    """The plan rendered as two override files: what every engine needs and what only VM-backed engines need."""

    portable: Rendered | None
    desktop: Rendered
    vm_findings: set[int]
    dropped: list[tuple[Finding, str]] = field(default_factory=list)


def _override(
    outcome: Outcome,
    options: Options,
    files: list[Path],
    reader: Reader,
    output: Path | None,
    force: bool,
    keep: Keep,
    *,
    regenerate: str | None = None,
    portable_output: Path | None = None,
    regenerate_portable: str | None = None,
) -> None:
    from composefix.fixing.override import render
    from composefix.fixing.plan import shared_values, subset, vm_only_part

    target = output_path(files, output)
    base_dir = target.parent
    base_files = [os.path.relpath(f, base_dir) for f in files]
    name = os.path.relpath(target, Path.cwd()) if target.is_absolute() else str(target)
    portable, no_portable = portable_path(files, portable_output)
    if portable is not None and os.path.abspath(portable) == os.path.abspath(target):
        raise RewriteError(
            f"{name} would hold both the changes every engine needs and those only VM-backed engines need: name "
            "the file for VM-backed engines with -o and the one every machine loads with --portable-output"
        )
    refused: set[int] = set()

    def split(p: Plan) -> _Split:
        vm_changes, vm_findings = vm_only_part(p)
        everywhere = [c for c in p.changes if c not in vm_changes]
        dropped: list[tuple[Finding, str]] = []
        rendered_portable = None
        portable_files: list[str] = []
        if everywhere and portable is None:
            reason = (
                f"every engine needs this fix, and {no_portable}: pass --portable-output FILE (a file every "
                "machine then loads) or rewrite with --in-place"
            )
            for finding in p.findings(everywhere):
                if id(finding) not in vm_findings:
                    refused.add(id(finding))
                    dropped.append((finding, reason))
        elif everywhere and portable is not None:
            folder = portable.parent
            rendered_portable = render(
                subset(p, everywhere),
                base_files=[os.path.relpath(f, folder) for f in files],
                output_name=os.path.relpath(portable, folder),
                targets=options.targets,
                regenerate=regenerate_portable,
                purpose="every machine loads this file: it holds the changes every engine needs",
            )
            dropped += rendered_portable.dropped
            if not rendered_portable.empty:
                portable_files = [os.path.relpath(portable, base_dir)]
        desktop = render(
            subset(p, [*vm_changes, *shared_values(p, vm_changes)]),
            base_files=[*base_files, *portable_files],
            output_name=target.name,
            targets=options.targets,
            regenerate=regenerate,
            purpose="only VM-backed engines load this file: Linux machines leave it out",
        )
        dropped += [d for d in desktop.dropped if all(d[0] is not x[0] for x in dropped)]
        return _Split(rendered_portable, desktop, vm_findings, dropped)

    def survive(r: _Split) -> list[tuple[Finding, str]]:
        """Load the files as each target does: Linux the base files and the file every machine loads, VM-backed
        engines the file only they load too."""
        written_portable = portable if r.portable is not None and not r.portable.empty else None
        written_desktop = None if r.desktop.empty else target
        texts = {
            str(path): rendered.text
            for path, rendered in ((written_portable, r.portable), (written_desktop, r.desktop))
            if path is not None and rendered is not None
        }
        return keep(texts, written_portable, written_desktop)

    rendered = _settle(outcome, split, survive)
    outcome.not_renderable = [f for f in outcome.not_renderable if id(f) not in refused]
    writes: list[tuple[Path, Rendered, str]] = []
    if rendered.portable is not None and portable is not None:
        writes.append((portable, rendered.portable, EVERY_ENGINE))
    writes.append((target, rendered.desktop, VM_ONLY))
    written: dict[str, Path] = {}
    for path, text, why in writes:
        shown = os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
        old = _existing(path, files, reader, force, shown)
        if text.empty:
            if old is not None:
                outcome.notes.append(f"{shown} (written by composefix earlier) has nothing left to change: delete it")
            continue
        outcome.writes[display_path(path)] = (old, text.text, False)
        written[why] = path
        if why == EVERY_ENGINE:
            outcome.portable_file = path
        else:
            outcome.desktop_file = path
        _warn_copied_secrets(outcome, shown, text)
        if text.version > (0, 0, 0):
            outcome.notes.append(f"{path.name} needs Docker Compose >= {'.'.join(map(str, text.version))}")
    if not written:
        # Never an empty override file.
        if outcome.not_renderable or refused or outcome.refused:
            outcome.notes.append("nothing the override file can change: no override file written")
        else:
            outcome.notes.append("nothing to fix: no override file written")
        return
    for finding, _ in outcome.fixed:
        why = VM_ONLY if id(finding) in rendered.vm_findings else EVERY_ENGINE
        if why in written:
            place = written[why]
            outcome.placed[id(finding)] = f"in {os.path.relpath(place, base_dir)}: {why}"
    automatic = [n for n in DEFAULT_OVERRIDE_NAMES if (base_dir / n).is_file()]
    portable_written = written.get(EVERY_ENGINE)
    if target.name in DEFAULT_OVERRIDE_NAMES and VM_ONLY in written:
        others = [n for n in automatic if n != target.name]
        if others:
            outcome.notes.append(
                f"warning: {', '.join(others)} also exists; Compose loads only the first automatic override file "
                f"it finds ({', '.join(DEFAULT_OVERRIDE_NAMES)}), so one of them is ignored"
            )
    elif VM_ONLY in written:
        loaded = [n for n in automatic if n not in {f.name for f in files} and (base_dir / n) != portable_written]
        if loaded:
            outcome.notes.append(
                f"warning: `-f` turns off the automatic {loaded[0]}; add it to the -f list before {target.name}"
            )
    usage: list[str] = []
    if portable_written is not None:
        shown = os.path.relpath(portable_written, base_dir)
        if portable_output is None:
            usage.append(f"every machine: `docker compose up` loads {shown} automatically")
        else:
            listed = [*base_files, shown]
            usage.append(f"every machine: docker compose {' '.join(f'-f {f}' for f in listed)} up")
            usage.append(f"or put COMPOSE_FILE={':'.join(listed)} in the .env of every machine")
    if VM_ONLY in written:
        listed = [
            *base_files,
            *([os.path.relpath(portable_written, base_dir)] if portable_written else []),
            target.name,
        ]
        usage.append(f"VM-backed machines: docker compose {' '.join(f'-f {f}' for f in listed)} up")
        usage.append(f"or put COMPOSE_FILE={':'.join(listed)} in the .env of the VM-backed machines only")
    outcome.usage = usage


def _warn_copied_secrets(outcome: Outcome, shown: str, rendered: Rendered) -> None:
    """A fixed env_file value is written into the override file's `environment:` as the env_file writes it; when a
    password or token is written there in clear (not an interpolation like `${PW}`, which stays one), the override
    file now holds it too."""
    from composefix.masking import secret_spans

    for name, env_file, value in rendered.copied:
        text = f"{name}={value}"
        if any("$" not in text[start:end].replace("$$", "") for start, end in secret_spans(text)):
            outcome.notes.append(
                f"warning: {shown} now holds the value of {name} as written in {display_path(Path(env_file))}, "
                f"with the password or token written there in clear; do not commit {shown} where that file is not "
                "committed"
            )


def without_own_output(files: list[Path], portable_output: Path | None) -> list[Path]:
    """The project without the file every machine loads that composefix wrote before (the automatic override file
    `check` reads with its base): the rewrite writes it again from the base files."""
    from composefix.reading.discovery import is_generated

    if len(files) < 2:
        return files
    kept = [files[0]]
    for path in files[1:]:
        candidate, _ = portable_path(kept, portable_output)
        if candidate is not None and os.path.abspath(candidate) == os.path.abspath(path) and is_generated(path):
            continue
        kept.append(path)
    return kept


def _existing(path: Path, files: list[Path], reader: Reader, force: bool, shown: str) -> str | None:
    """The text of an override file composefix wrote before (None when there is none); a file it did not write is
    replaced only with --force."""
    from composefix.fixing.override import HEADER_MARK

    _refuse_unwritable(path, files, reader)
    if not path.exists():
        return None
    try:
        old = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RewriteError(f"{shown}: cannot read the existing file: {exc}") from None
    if not old.startswith(HEADER_MARK) and not force:
        raise RewriteError(f"{shown} exists and was not written by composefix: pass --force to replace it")
    return old


def _refuse_unwritable(target: Path, files: list[Path], reader: Reader) -> None:
    """The override file: never a link, a device or an input of the run (composefix.reporting.writing.check_target),
    unless that input is an override composefix wrote before."""
    from composefix.fixing.override import HEADER_MARK
    from composefix.reporting.writing import WriteError, check_target

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
    outcome: Outcome, options: Options, files: list[Path], reader: Reader, *, named: list[Path], outside: bool
) -> None:
    """Every file the rewrite would write, checked before verification creates anything beside it: in-place edits
    stay inside the project folder (or were named by the user, or --edit-outside-project)."""
    from composefix.reporting.writing import WriteError, check_target

    project = options.project_directory or files[0].parent
    user_named = {os.path.abspath(p) for p in [*files, *named]}
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
    from composefix.fixing.inplace import InPlace, in_place

    def survive(built: InPlace) -> list[tuple[Finding, str]]:
        try:
            texts = _edited(reader, built.edits)
        except EditConflict:
            return []  # refused below
        return keep(texts, None, None)

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
    for path, text in built.files.items():
        # An opt-in file (`compose.gpu.yaml`): loaded only by the machines it names, never part of the project.
        outcome.writes[display_path(Path(path))] = (None, text, False)
        outcome.opt_in.add(display_path(Path(path)))
        outcome.notes.append(built.usage[path])


def _verify_findings(
    outcome: Outcome, options: Options, files: list[Path], reader: Reader, env_paths: set[str]
) -> None:
    """Re-analyse the result: no finding the plan claims to fix may remain."""
    texts = {path: new for path, (_, new, _) in outcome.writes.items()}
    seeded = _seeded(reader, texts, env_paths)
    check_files = list(files)
    overrides = [p for p in outcome.writes if p not in reader.documents and p not in outcome.opt_in]
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
    from composefix.platform.compose_cli import config
    from composefix.reporting.writing import WriteError, guarded, scratch

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
                if in_place and resolved not in absolute and display_path(Path(path)) not in outcome.opt_in:
                    continue  # .env and env_file edits: Compose reads those itself
                data = ("\ufeff" if bom else "").encode() + new.encode("utf-8")
                temp = stack.enter_context(scratch(written.parent, data))
                if resolved in absolute:
                    check_files[check_files.index(resolved)] = temp
                else:
                    check_files.append(temp)
            after = config(compose, check_files, cwd)
            if after.ok and in_place and len(check_files) > len(absolute):
                # The project without its opt-in files (a machine that does not opt in).
                after = config(compose, check_files[: len(absolute)], cwd)
            if after.ok and not in_place and len(check_files) > len(absolute) + 1:
                # Linux machines load the base files and the file every machine loads, without the VM-only file.
                after = config(compose, check_files[:-1], cwd)
    except WriteError as exc:
        raise RewriteError(str(exc)) from None
    if not after.ran:
        raise RewriteError(f"--verify: Docker Compose did not answer: {after.message}; nothing written")
    if not after.ok:
        raise RewriteError(f"Docker Compose rejects the result: {after.message}; nothing written")
    outcome.notes.append("Docker Compose accepts the result (`config`)")


def write_files(changes: list[tuple[Path, str | None, str, bool]], *, force: bool = False) -> None:
    """Write (path, text read before or None for a new file, new text, bom) all or nothing
    (composefix.reporting.writing)."""
    from composefix.reporting.writing import Change, WriteError, keep_newlines
    from composefix.reporting.writing import write_files as write_changes

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
