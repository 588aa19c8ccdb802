"""Reporters: name -> render function (report, options) -> text.

Every reporter renders a `SafeReport` (composefix.reporting.safe, with composefix.masking): secrets are masked and
control characters escaped there, once, before any format sees the findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from composefix.reporting.safe import SafeReport, safe_report
from composefix.rules.runner import Report


class RenderOptions(NamedTuple):
    color: bool = False
    # The same Report can be rendered for a terminal with source frames, or terse for a quick look.
    show_source: bool = True
    summary: bool = True
    statistics: bool = False


def _text(report: SafeReport, options: RenderOptions) -> str:
    from composefix.reporting.text import render

    return render(report, options)


def _json(report: SafeReport, options: RenderOptions) -> str:
    from composefix.reporting.json import render

    return render(report)


def _sarif(report: SafeReport, options: RenderOptions) -> str:
    from composefix.reporting.sarif import render

    return render(report)


def _github(report: SafeReport, options: RenderOptions) -> str:
    from composefix.reporting.github import render

    return render(report)


def _junit(report: SafeReport, options: RenderOptions) -> str:
    from composefix.reporting.junit import render

    return render(report)


def _safe(render: Callable[[SafeReport, RenderOptions], str]) -> Callable[[Report, RenderOptions], str]:
    def rendered(report: Report, options: RenderOptions) -> str:
        return render(safe_report(report), options)

    return rendered


REPORTERS: dict[str, Callable[[Report, RenderOptions], str]] = {
    "text": _safe(_text),
    "json": _safe(_json),
    "sarif": _safe(_sarif),
    "github": _safe(_github),
    "junit": _safe(_junit),
}
