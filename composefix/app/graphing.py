"""`composefix graph`: one project, one engine, one picture (Mermaid, DOT or SVG)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from composefix.app import EXIT_OK, UsageError
from composefix.app.checking import read_file
from composefix.app.settings import RunSettings

if TYPE_CHECKING:
    from composefix.fixing.rewrite import Outcome


def run_graph(settings: RunSettings) -> tuple[str | None, int]:
    """Draw the run's one project: the picture (None when it was written to ``--output``) and the exit code.

    Reads the project as `check` does (configuration, profiles, env files, file size limit); a file that does not
    parse, an unknown format or several projects are usage errors with the file and line.
    """
    from composefix.graph.drawing import FORMATS, DrawError, choose_target, draw
    from composefix.reading.files import Reader
    from composefix.reading.loader import load_project
    from composefix.reporting.writing import WriteError, write_report

    flags = settings.flags
    if flags.output_format not in FORMATS:
        raise UsageError(f"unknown format `{flags.output_format}`; choose one of: {', '.join(FORMATS)}")
    if len(settings.projects) != 1 or "-" in settings.projects[0]:
        raise UsageError("graph draws one project from files on disk: name its files (or one folder)")
    options = settings.options
    files = [Path(name) for name in settings.projects[0]]
    try:
        target = choose_target(options.targets, bool(flags.targets))
        project = load_project(
            files,
            reader=Reader(functools.partial(read_file, limit=flags.max_file_size)),
            project_directory=options.project_directory,
            environ=options.environ,
            env_files=list(options.env_files) if options.env_files is not None else None,
            profiles=list(options.profiles),
        )
        text = draw(
            project,
            target,
            flags.output_format,
            desktop_host_networking=options.desktop_host_networking,
            bridge_ips=options.bridge_ips,
        )
    except DrawError as exc:
        raise UsageError(str(exc)) from None
    if flags.output is None:
        return text, EXIT_OK
    try:
        write_report(flags.output, text, inputs=[*files, *(Path(p) for p in project.documents)], what="the picture")
    except WriteError as exc:
        raise UsageError(str(exc)) from None
    return None, EXIT_OK


def rewrite_picture(settings: RunSettings, files: list[str], outcome: Outcome) -> str:
    """`rewrite --graph FORMAT`: the project before the rewrite and as it is with what the rewrite writes, as the
    engine drawn loads it (in place the patched files; in override mode the file every machine loads and, on a
    VM-backed engine, the file only those load), drawn for the first VM-backed target (else Linux) in one picture:
    Markdown with two Mermaid blocks, two DOT graphs (`before` and `after`), or one SVG with the two side by side.
    Nothing needs to be written first: `--diff` draws what it would write."""
    from composefix.fixing.survival import loaded, overrides
    from composefix.graph.drawing import DrawError, choose_target, draw
    from composefix.reading.files import Reader
    from composefix.reading.loader import load_project

    flags = settings.flags
    options = settings.options
    fmt = flags.graph or "mermaid"
    target = choose_target(options.targets, False)
    paths = [Path(name) for name in files]
    env_files = list(options.env_files) if options.env_files is not None else None
    before = load_project(
        paths,
        reader=Reader(functools.partial(read_file, limit=flags.max_file_size)),
        project_directory=options.project_directory,
        environ=options.environ,
        env_files=env_files,
        profiles=list(options.profiles),
    )
    portable, desktop = outcome.portable_file, outcome.desktop_file
    after = loaded(
        before,
        paths,
        {path: new for path, (_, new, _) in outcome.writes.items()},
        options._replace(targets=frozenset({target})),
        in_place=flags.in_place,
        portable=portable,
        desktop=desktop,
    )[target]
    extra = overrides(target, portable, desktop)
    try:
        pictures = [
            draw(
                project,
                target,
                fmt,
                desktop_host_networking=options.desktop_host_networking,
                bridge_ips=options.bridge_ips,
            )
            for project in (before, after)
        ]
    except DrawError as exc:
        raise UsageError(str(exc)) from None
    if flags.in_place:
        after_files = ", ".join(files) + " (patched in place)"
    else:
        after_files = ", ".join(str(p) for p in [*paths, *extra])
    return COMBINE[fmt](pictures[0], pictures[1], ", ".join(files), after_files)


def _markdown(before: str, after: str, before_files: str, after_files: str) -> str:
    return (
        f"Before `composefix rewrite` ({before_files}):\n\n```mermaid\n{before}```\n\n"
        f"After ({after_files}):\n\n```mermaid\n{after}```\n"
    )


def _dots(before: str, after: str, before_files: str, after_files: str) -> str:
    def named(text: str, name: str, files: str) -> str:
        return f"// {name}: {files}\n" + text.replace("digraph composefix {", f"digraph {name} {{", 1)

    return named(before, "before", before_files) + named(after, "after", after_files)


def _svgs(before: str, after: str, before_files: str, after_files: str) -> str:
    """The two pictures side by side in one SVG (each its own nested <svg>; the second's marker ids renamed)."""
    import re
    from html import escape

    size = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" width="(\d+)" height="(\d+)"')
    found = [size.match(text) for text in (before, after)]
    if found[0] is None or found[1] is None:
        raise UsageError("cannot combine the two pictures")  # never: drawing.svg writes this head
    (w1, h1), (w2, h2) = ((int(m.group(1)), int(m.group(2))) for m in found if m is not None)
    after = re.sub(r'(id="|url\(#)(arrow)', r"\1after-\2", after)
    top, gap = 34, 24
    width, height = w1 + gap + w2, top + max(h1, h2)

    def nested(text: str, x: int) -> str:
        return text.replace('<svg xmlns="http://www.w3.org/2000/svg" ', f'<svg x="{x}" y="{top}" ', 1)

    def heading(x: int, text: str) -> str:
        return (
            f'<text x="{x + 20}" y="22" font-size="14" font-weight="bold" fill="#263238">{escape(text, quote=False)}'
            "</text>"
        )

    return (
        "\n".join(
            [
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Verdana, Arial, sans-serif">',
                "<title>composefix rewrite: before and after</title>",
                f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
                heading(0, f"Before composefix rewrite ({before_files})"),
                heading(w1 + gap, f"After ({after_files})"),
                f'<line x1="{w1 + gap // 2}" y1="8" x2="{w1 + gap // 2}" y2="{height - 8}" stroke="#b0bec5"/>',
                nested(before, 0).rstrip("\n"),
                nested(after, w1 + gap).rstrip("\n"),
                "</svg>",
            ]
        )
        + "\n"
    )


COMBINE = {"mermaid": _markdown, "dot": _dots, "svg": _svgs}
