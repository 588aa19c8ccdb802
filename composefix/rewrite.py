"""`composefix rewrite`: plan, render (override file or in-place edits), verify, and write atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from composefix.document import Document, load, parse
from composefix.engine import Checker, Options
from composefix.fixes import EditConflict, Plan, apply_edits, plan, unified_diff
from composefix.model import Applicability, Edit, Finding
from composefix.project import DEFAULT_OVERRIDE_NAMES, Reader, display_path, text_of
from composefix.rules import BY_CODE

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
    if in_place:
        _in_place(outcome, options, files, checker.reader)
    else:
        _override(outcome, options, files, checker.reader, output, force)
    _verify_findings(outcome, options, files, checker.reader, set(project.env_files))
    if compose is not None and outcome.changed:
        _verify_compose(outcome, compose, files, in_place)
    return outcome


class _Rendered(Protocol):
    dropped: list[tuple[Finding, str]]


R = TypeVar("R", bound=_Rendered)


def _settle(outcome: Outcome, render: Callable[[Plan], R]) -> R:
    """Render the plan; when the renderer cannot make some fix, plan again without it, so that none of its changes
    is written half (a replacement without the host-gateway entry it needs), until every fix renders."""
    result = render(outcome.plan)
    excluded: dict[int, str] = {}
    for _ in range(4):
        new = {id(f): reason for f, reason in result.dropped if id(f) not in excluded}
        if not new:
            break
        excluded.update(new)
        outcome.plan = outcome.replan(
            [f._replace(fix=None, no_fix=excluded[id(f)]) if id(f) in excluded else f for f in outcome.findings]
        )
        result = render(outcome.plan)
    outcome.fixed, outcome.unfixed = list(outcome.plan.fixed), list(outcome.plan.unfixed)
    _drop(outcome, result.dropped)
    outcome.not_renderable = [f for f in outcome.findings if id(f) in excluded]
    return result


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
    rendered = _settle(
        outcome, lambda p: render(p, base_files=base_files, output_name=target.name, targets=options.targets)
    )
    old: str | None = None
    if target.exists():
        try:
            old = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RewriteError(f"{name}: cannot read the existing file: {exc}") from None
        if not old.startswith(HEADER_MARK) and not force:
            raise RewriteError(f"{name} exists and was not written by composefix: pass --force to replace it")
    if rendered.empty and old is None:
        # Never an empty override file.
        if outcome.not_renderable:
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


def _in_place(outcome: Outcome, options: Options, files: list[Path], reader: Reader) -> None:
    from composefix.inplace import in_place

    built = _settle(outcome, in_place)
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
    if outcome.not_renderable:
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
    broken = [f for f in after if f.code in BY_CODE and BY_CODE[f.code].invalid_file and f.file in texts]
    if broken:
        f = broken[0]
        raise RewriteError(f"the rewritten {f.file} would be invalid ({f.code} at line {f.line}: {f.message})")
    if remaining:
        f = remaining[0]
        raise RewriteError(
            f"verification failed: {f.code} would remain at {f.file}:{f.line} ({f.message}); nothing written"
        )


def _verify_compose(outcome: Outcome, compose: list[str], files: list[Path], in_place: bool) -> None:
    from composefix.compose_cli import config

    cwd = files[0].parent.resolve()
    absolute = [f.resolve() for f in files]
    before = config(compose, absolute, cwd)
    if not before.ok:
        outcome.notes.append(f"Compose already rejects the project ({before.message}): real-Compose check skipped")
        return
    temps: list[Path] = []
    try:
        check_files = list(absolute)
        for path, (_old, new, bom) in outcome.writes.items():
            resolved = Path(path).resolve()
            if in_place and resolved not in absolute:
                continue  # .env and env_file edits: Compose reads those itself
            handle, name = tempfile.mkstemp(prefix=".composefix-verify-", suffix=".yaml", dir=resolved.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(("\ufeff" if bom else "").encode() + new.encode("utf-8"))
            temps.append(Path(name))
            if resolved in absolute:
                check_files[check_files.index(resolved)] = Path(name)
            else:
                check_files.append(Path(name))
        after = config(compose, check_files, cwd)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    if not after.ok:
        raise RewriteError(f"Docker Compose rejects the result: {after.message}; nothing written")
    outcome.notes.append("Docker Compose accepts the result (`config`)")


def _target(path: Path) -> Path:
    """Where a write lands: a symlinked file is written through (the link stays, the file it names changes)."""
    return path.resolve() if path.is_symlink() else path


def _current_text(target: Path) -> str | None:
    if not target.exists():
        return None
    return target.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")


@contextlib.contextmanager
def _locked(folders: list[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each folder, so two rewrites of one project never interleave their writes."""
    handles: list[int] = []
    try:
        for folder in sorted(set(folders)):
            handle = os.open(folder, os.O_RDONLY)
            handles.append(handle)
            with contextlib.suppress(ImportError):
                import fcntl

                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        for handle in handles:
            os.close(handle)  # closing releases the lock


def _temp_copy(target: Path, text: str, bom: bool) -> Path:
    """A fsynced temporary file beside ``target`` with its content, mode and (when allowed) owner."""
    data = ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            info = target.stat()
            os.chmod(temp, info.st_mode & 0o7777)
            with contextlib.suppress(PermissionError, AttributeError):
                os.chown(temp, info.st_uid, info.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_files(changes: list[tuple[Path, str | None, str, bool]]) -> None:
    """Write (path, text read before or None for a new file, new text, bom) all or nothing as far as the OS
    allows: every file is checked unchanged and every temporary copy is fsynced before the first rename."""
    targets = [(_target(path), old, new, bom) for path, old, new, bom in changes]
    with _locked([target.parent.resolve() for target, _, _, _ in targets]):
        for target, old, _, _ in targets:
            current = _current_text(target)
            if old is None and current is not None and not current.startswith("# Generated by composefix"):
                raise RewriteError(f"{target} appeared since it was read; nothing written")
            if old is not None and current != old:
                raise RewriteError(f"{target} changed on disk since it was read; nothing written")
        temps: list[tuple[Path, Path]] = []
        try:
            for target, _, new, bom in targets:
                temps.append((_temp_copy(target, new, bom), target))
            for temp, target in temps:
                os.replace(temp, target)
        finally:
            for temp, _ in temps:
                temp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str, *, bom: bool, expected: str | None) -> None:
    """Write one file atomically (see write_files); ``expected`` is its text when it was read."""
    write_files([(path, expected, text, bom)])


def write(outcome: Outcome) -> list[str]:
    """Write every changed file; returns the paths written."""
    changes = [(Path(path), old, new, bom) for path, (old, new, bom) in outcome.writes.items() if old != new]
    write_files(changes)
    return [str(path) for path, _, _, _ in changes]
