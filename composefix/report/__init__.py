"""Reporters: name -> render function (report, options) -> text."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from composefix.engine import Report


class RenderOptions(NamedTuple):
    color: bool = False
    # The same Report can be rendered for a terminal with source frames, or terse for a quick look.
    show_source: bool = True
    summary: bool = True
    statistics: bool = False


def _text(report: Report, options: RenderOptions) -> str:
    from composefix.report.text import render

    return render(report, options)


def _json(report: Report, options: RenderOptions) -> str:
    from composefix.report.json import render

    return render(report)


def _sarif(report: Report, options: RenderOptions) -> str:
    from composefix.report.sarif import render

    return render(report)


def _github(report: Report, options: RenderOptions) -> str:
    from composefix.report.github import render

    return render(report)


def _junit(report: Report, options: RenderOptions) -> str:
    from composefix.report.junit import render

    return render(report)


REPORTERS: dict[str, Callable[[Report, RenderOptions], str]] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "github": _github,
    "junit": _junit,
}
