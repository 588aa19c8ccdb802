"""Draw a connection graph (`connection_graph`) as Mermaid, Graphviz DOT or a self-contained SVG.

The picture shows the project as one engine runs it: services grouped by the network they are on (host-mode
services in a "host networking" group), their published ports and host links, the host, and every connection
labelled with what it goes through (variable or command, file:line). A connection that breaks on that engine is
drawn red and dashed, with the codes of the findings that explain it.

The SVG is drawn here, without Graphviz or any other library: a small layered layout (clients to the left of
the services they reach, the host on the right) that is enough for the few services of a Compose project and
gives the same bytes on every machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import PurePath
from typing import NamedTuple

from composefix.analysis.network import HOST, Edge, Graph, ServiceNode, Status
from composefix.analysis.strings import Where
from composefix.graph.connections import connection_graph
from composefix.masking import mask
from composefix.model import TARGET_LABELS, Target
from composefix.reading.document import Kind
from composefix.reading.project import Project

FORMATS = ("mermaid", "dot", "svg")
BROKEN_COLOR = "#c62828"
WORKS_COLOR = "#455a64"


# --- what every format shows --------------------------------------------------------------------------------


class Group(NamedTuple):
    key: str
    title: str
    services: list[str]


def _group_of(graph: Graph, node: ServiceNode) -> tuple[str, str]:
    if node.networks:
        return f"net:{node.networks[0]}", f"network: {node.networks[0]}"
    mode = (node.network_mode or "").strip()
    kind, _, owner = mode.partition(":")
    if kind == "service" and owner in graph.services:
        return _group_of(graph, graph.services[owner])
    if mode == "host":
        return "mode:host", "host networking"
    if mode == "bridge":
        return "mode:bridge", "default bridge (docker0)"
    if mode == "none":
        return "mode:none", "no network"
    return f"mode:{mode}", f"network_mode: {mode}"


def groups(graph: Graph) -> list[Group]:
    """Services grouped by the (first) network they are on, ordered so that clients come before servers."""
    rank = _ranks(graph)
    found: dict[str, Group] = {}
    for node in graph.services.values():
        key, title = _group_of(graph, node)
        found.setdefault(key, Group(key, title, [])).services.append(node.name)
    for group in found.values():
        group.services.sort(key=lambda name: (-rank[name], name))
    return sorted(found.values(), key=lambda g: (-max(rank[s] for s in g.services), g.key))


def _ranks(graph: Graph) -> dict[str, int]:
    """How many hops of service-to-service connections start at each service (cycles cut)."""
    targets: dict[str, set[str]] = {name: set() for name in graph.services}
    for edge in graph.edges:
        if edge.target != HOST and edge.target in targets and edge.target != edge.source:
            targets[edge.source].add(edge.target)
    rank: dict[str, int] = {}

    def depth(name: str, stack: frozenset[str]) -> int:
        if name in rank:
            return rank[name]
        value = max((depth(t, stack | {name}) + 1 for t in targets[name] if t not in stack), default=0)
        rank[name] = value
        return value

    for name in sorted(graph.services):
        depth(name, frozenset())
    return rank


def node_lines(graph: Graph, node: ServiceNode) -> list[str]:
    lines = [node.name]
    if len(node.networks) > 1:
        lines.append("also on: " + ", ".join(node.networks[1:]))
    mode = node.network_mode or ""
    if mode.startswith(("service:", "container:")):
        lines.append(f"network_mode: {mode}")
    for port in node.published:
        host = f"{port.host_ip}:" if port.host_ip else ""
        published = f"{host}{port.host_port}" if port.host_port else f"{host}(any)"
        suffix = "" if port.protocol == "tcp" else f"/{port.protocol}"
        lines.append(f"publishes {published} → {port.container_port}{suffix}")
    if mode == "host" and node.published:
        lines.append("(ports are ignored in host mode)")
    lines += [f"{link.name} → {link.address}" for link in node.links]
    return lines


def host_title(target: Target) -> str:
    return "host (your machine)" if target is Target.LINUX else f"host (your machine, from {TARGET_LABELS[target]})"


def _where(edge: Edge) -> str:
    via = edge.via
    if via.where is Where.ENVIRONMENT:
        name = via.path.removeprefix("environment.")
    elif via.where is Where.CONFIG:
        name = via.path.removesuffix(".content")
    else:
        name = re.sub(r"\[\d+\]$", "", via.path)
        if via.word:
            name += f" {via.word}"
    return f"{name}: {edge.written}"


def edge_lines(edge: Edge, status: Status | None) -> list[str]:
    lines = [mask(_where(edge)), f"{PurePath(edge.via.file).name}:{edge.via.line}"]
    if status is not None and not status.works:
        lines.append("breaks: " + (", ".join(status.codes) if status.codes else "no finding"))
    return lines


def _statuses(graph: Graph, target: Target) -> list[Status | None]:
    found = graph.status.get(target)
    return list(found) if found is not None else [None] * len(graph.edges)


def _ids(graph: Graph) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in [*sorted(graph.services), HOST]:
        base = "host_machine" if name == HOST else "s_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}_{n}"
        used.add(ident)
        ids[name] = ident
    return ids


def _title(graph: Graph, target: Target) -> str:
    return f"composefix graph: {graph.project} on {TARGET_LABELS[target]}"


# --- Mermaid ----------------------------------------------------------------------------------------------------


def _mermaid_text(lines: list[str]) -> str:
    def one(text: str) -> str:
        text = escape(text, quote=False).replace('"', "#quot;").replace("|", "#124;")
        return text.replace("`", "#96;")

    return "<br/>".join(one(line) for line in lines)


def mermaid(graph: Graph, target: Target) -> str:
    ids = _ids(graph)
    out = ["flowchart LR", f"  %% {_title(graph, target)}"]
    for index, group in enumerate(groups(graph)):
        out.append(f'  subgraph g{index}["{_mermaid_text([group.title])}"]')
        for name in group.services:
            out.append(f'    {ids[name]}["{_mermaid_text(node_lines(graph, graph.services[name]))}"]')
        out.append("  end")
    if any(edge.target == HOST for edge in graph.edges):
        out.append(f'  {ids[HOST]}(["{_mermaid_text([host_title(target)])}"])')
    broken: list[int] = []
    for index, (edge, status) in enumerate(zip(graph.edges, _statuses(graph, target), strict=True)):
        arrow = "-.->" if status is not None and not status.works else "-->"
        if arrow == "-.->":
            broken.append(index)
        label = _mermaid_text(edge_lines(edge, status))
        out.append(f'  {ids[edge.source]} {arrow}|"{label}"| {ids[edge.target]}')
    if broken:
        out.append(f"  linkStyle {','.join(str(i) for i in broken)} stroke:{BROKEN_COLOR},color:{BROKEN_COLOR}")
    return "\n".join(out) + "\n"


# --- DOT --------------------------------------------------------------------------------------------------------


def _dot_text(lines: list[str]) -> str:
    return "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)


def dot(graph: Graph, target: Target) -> str:
    ids = _ids(graph)
    out = [
        "digraph composefix {",
        f'  label="{_dot_text([_title(graph, target)])}";',
        "  labelloc=t;",
        "  rankdir=LR;",
        '  fontname="Helvetica";',
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
        f'  edge [fontname="Helvetica", fontsize=9, color="{WORKS_COLOR}", fontcolor="{WORKS_COLOR}"];',
    ]
    for index, group in enumerate(groups(graph)):
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f'    label="{_dot_text([group.title])}";')
        out.append('    style="rounded,dashed";')
        for name in group.services:
            out.append(f'    {ids[name]} [label="{_dot_text(node_lines(graph, graph.services[name]))}"];')
        out.append("  }")
    if any(edge.target == HOST for edge in graph.edges):
        out.append(f'  {ids[HOST]} [label="{_dot_text([host_title(target)])}", shape=ellipse];')
    for edge, status in zip(graph.edges, _statuses(graph, target), strict=True):
        style = ""
        if status is not None and not status.works:
            style = f', color="{BROKEN_COLOR}", fontcolor="{BROKEN_COLOR}", style=dashed'
        out.append(
            f'  {ids[edge.source]} -> {ids[edge.target]} [label="{_dot_text(edge_lines(edge, status))}"{style}];'
        )
    out.append("}")
    return "\n".join(out) + "\n"


# --- SVG --------------------------------------------------------------------------------------------------------

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_SIZE = 12
_LABEL_SIZE = 10
_LINE = 15
_LABEL_LINE = 12
_PAD = 10
_GAP_X = 230  # room between columns for edge labels
_GAP_Y = 28


def _width(text: str, size: int) -> float:
    """Text width in a sans-serif font: an estimate (wide letters count more) that errs on the wide side."""
    wide = sum(1 for c in text if c.isupper() or c in "mwMW@%#→")
    return (len(text) * 0.58 + wide * 0.12) * size


class _Box(NamedTuple):
    x: float
    y: float
    w: float
    h: float

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: _Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


def _text(
    x: float, y: float, lines: list[str], size: int, step: int, color: str, anchor: str, bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y + i * step:.1f}"{weight if i == 0 else ""}>{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text font-size="{size}" fill="{color}" text-anchor="{anchor}">{spans}</text>'


def svg(graph: Graph, target: Target) -> str:
    """A self-contained SVG picture (no scripts, no external fonts or images)."""
    boxes: dict[str, _Box] = {}
    lines_of = {name: node_lines(graph, node) for name, node in graph.services.items()}
    layout = groups(graph)
    statuses = _statuses(graph, target)
    widest = max(
        (_width(line, _LABEL_SIZE) for e, st in zip(graph.edges, statuses, strict=True) for line in edge_lines(e, st)),
        default=0.0,
    )
    gap = max(_GAP_X, widest + 130)
    x = 20.0
    top = 50.0
    clusters: list[tuple[_Box, str]] = []
    rank = _ranks(graph)
    for group in layout:
        # Inside a group, one column per rank: clients on the left of the services they reach.
        columns: list[list[str]] = []
        for name in group.services:
            if columns and rank[columns[-1][0]] == rank[name]:
                columns[-1].append(name)
            else:
                columns.append([name])
        widths = [max(max(_width(line, _SIZE) for line in lines_of[name]) + 2 * _PAD for name in c) for c in columns]
        inner = sum(widths) + gap * (len(columns) - 1)
        width = max(_width(group.title, _SIZE) + 2 * _PAD, inner + 2 * _PAD)
        bottom_y = top
        column_x = x + _PAD
        for column, column_width in zip(columns, widths, strict=True):
            y = top + 28
            for name in column:
                height = len(lines_of[name]) * _LINE + 2 * _PAD
                boxes[name] = _Box(column_x, y, column_width, height)
                y += height + _GAP_Y
            bottom_y = max(bottom_y, y)
            column_x += column_width + gap
        clusters.append((_Box(x, top, width, bottom_y - top - _GAP_Y + _PAD + 6), group.title))
        x += width + gap
    reaches_host = any(edge.target == HOST for edge in graph.edges)
    tallest = max([box.y + box.h for box, _ in clusters], default=top + 60)
    if reaches_host:
        title = host_title(target)
        width = _width(title, _SIZE) + 4 * _PAD
        # Tall enough for the labels of the connections that end on it to sit level with their own ends.
        ends = sum(
            len(edge_lines(e, st)) * _LABEL_LINE + 10
            for e, st in zip(graph.edges, statuses, strict=True)
            if e.target == HOST
        )
        host_height = max(44.0, ends)
        boxes[HOST] = _Box(x, max(top, top + (tallest - top) / 2 - host_height / 2), width, host_height)
        x += width
    parts: list[str] = []
    labels: list[_Box] = []
    # Edges: a curve between the boxes (each end at its own height on the box's side), the label at the middle,
    # moved up or down while it would cover another label or a box.
    outgoing: dict[str, list[int]] = {}
    incoming: dict[str, list[int]] = {}
    for index, edge in enumerate(graph.edges):
        outgoing.setdefault(edge.source, []).append(index)
        incoming.setdefault(edge.target, []).append(index)

    def end_y(box: _Box, ends: list[int], index: int) -> float:
        return box.y + box.h * (ends.index(index) + 1) / (len(ends) + 1)

    arcs = 0
    wanted: list[tuple[_Box, list[str], str]] = []
    for index, (edge, status) in enumerate(zip(graph.edges, statuses, strict=True)):
        source, dest = boxes[edge.source], boxes[edge.target]
        y1, y2 = end_y(source, outgoing[edge.source], index), end_y(dest, incoming[edge.target], index)
        broken = status is not None and not status.works
        color = BROKEN_COLOR if broken else WORKS_COLOR
        dash = ' stroke-dasharray="6 4"' if broken else ""
        text = edge_lines(edge, status)
        width = max(_width(line, _LABEL_SIZE) for line in text) + 8
        height = len(text) * _LABEL_LINE + 6
        if dest.x > source.x + source.w:
            x1, x2 = source.x + source.w, dest.x
            bend = (x2 - x1) / 2
            path = f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            if edge.target == HOST:  # in the last gap, where the curve runs level into the host
                box = _Box(x2 - gap / 2 - width / 2, y2 - height / 2, width, height)
            else:
                box = _Box(x1 + (x2 - x1) * 0.6 - width / 2, y1 + (y2 - y1) * 0.6 - height / 2, width, height)
        elif dest.x + dest.w < source.x:
            x1, x2 = source.x, dest.x + dest.w
            bend = (x1 - x2) / 2
            path = f"M{x1:.1f},{y1:.1f} C{x1 - bend:.1f},{y1:.1f} {x2 + bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            box = _Box(x1 - (x1 - x2) * 0.6 - width / 2, y1 + (y2 - y1) * 0.6 - height / 2, width, height)
        else:  # the same column: an arc on the right, its label beside the arc
            x1, x2 = source.x + source.w, dest.x + dest.w
            out = max(x1, x2) + 40 + 16 * arcs
            arcs += 1
            path = f"M{x1:.1f},{y1:.1f} C{out:.1f},{y1:.1f} {out:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            apex = 0.125 * x1 + 0.75 * out + 0.125 * x2
            box = _Box(apex + 6, (y1 + y2 - height) / 2, width, height)
        parts.append(
            f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.6"{dash} '
            f'marker-end="url(#{"arrow-broken" if broken else "arrow"})"/>'
        )
        wanted.append((box, text, color))
    # Labels of straight edges first: an arc's label can move along its arc more freely.
    order = sorted(
        range(len(wanted)),
        key=lambda i: (
            (graph.edges[i].target == HOST or boxes[graph.edges[i].target].x != boxes[graph.edges[i].source].x) is False
        ),
    )
    for index in order:
        box, text, color = wanted[index]
        start, step = box, 0
        while (
            box.y < top or any(box.overlaps(other) for other in labels) or any(box.overlaps(b) for b in boxes.values())
        ):
            step += 1
            if graph.edges[index].target == HOST:
                box = start._replace(y=start.y + step * 4)
            else:
                box = start._replace(y=start.y + (step + 1) // 2 * 6 * (1 if step % 2 else -1))
        labels.append(box)
        parts.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="3" '
            f'fill="#ffffff" fill-opacity="0.92" stroke="{color}" stroke-width="0.6"/>'
        )
        parts.append(_text(box.x + box.w / 2, box.y + 13, text, _LABEL_SIZE, _LABEL_LINE, color, "middle"))
    shapes: list[str] = []
    for box, title in clusters:
        shapes.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="8" '
            'fill="#f1f6fb" stroke="#90a4ae" stroke-dasharray="4 3"/>'
        )
        shapes.append(_text(box.x + _PAD, box.y + 18, [title], _SIZE, _LINE, "#37474f", "start", bold=True))
    for name, box in boxes.items():
        if name == HOST:
            shapes.append(
                f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="22" '
                'fill="#fff8e1" stroke="#f9a825" stroke-width="1.5"/>'
            )
            shapes.append(_text(box.x + box.w / 2, box.cy + 4, [host_title(target)], _SIZE, _LINE, "#5d4037", "middle"))
            continue
        shapes.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="5" '
            'fill="#ffffff" stroke="#546e7a" stroke-width="1.2"/>'
        )
        shapes.append(
            _text(box.x + _PAD, box.y + _PAD + 11, lines_of[name], _SIZE, _LINE, "#263238", "start", bold=True)
        )
    bottom = max([b.y + b.h for b in boxes.values()] + [b.y + b.h for b in labels] + [tallest]) + 20.0
    legend = (
        f"grey arrows: connections that work on {TARGET_LABELS[target]}; "
        "red dashed: connections that break there, with the codes of the findings that explain them"
    )
    right = (
        max(
            [b.x + b.w for b in boxes.values()]
            + [b.x + b.w for b, _ in clusters]
            + [b.x + b.w for b in labels]
            + [_width(legend, _LABEL_SIZE) + 40.0, _width(_title(graph, target), 15) + 40.0]
        )
        + 20.0
    )
    tall = bottom + 24
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{right:.0f}" height="{tall:.0f}" '
        f'viewBox="0 0 {right:.0f} {tall:.0f}" font-family="{_FONT}">',
        f"<title>{escape(_title(graph, target))}</title>",
        "<defs>",
        _marker("arrow", WORKS_COLOR),
        _marker("arrow-broken", BROKEN_COLOR),
        "</defs>",
        f'<rect width="{right:.0f}" height="{tall:.0f}" fill="#ffffff"/>',
        _text(20, 28, [_title(graph, target)], 15, 18, "#263238", "start", bold=True),
    ]
    foot = [_text(20, bottom + 8, [legend], _LABEL_SIZE, _LABEL_LINE, "#546e7a", "start"), "</svg>"]
    return "\n".join(head + shapes + parts + foot) + "\n"


def _marker(name: str, color: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
    )


RENDERERS: dict[str, Callable[[Graph, Target], str]] = {"mermaid": mermaid, "dot": dot, "svg": svg}


class DrawError(Exception):
    """A project that cannot be drawn: the message names the file and line."""


def choose_target(targets: frozenset[Target], named: bool) -> Target:
    """The one engine to draw: the one named, else the first VM-backed engine configured, else Linux."""
    if named:
        if len(targets) != 1:
            raise DrawError("graph draws one engine at a time: pass --target once")
        return next(iter(targets))
    return next((t for t in Target if t in targets and t is not Target.LINUX), Target.LINUX)


def draw(
    project: Project,
    target: Target,
    output_format: str,
    *,
    desktop_host_networking: bool = False,
    bridge_ips: tuple[str, ...] = (),
) -> str:
    """The picture of ``project`` as ``target`` runs it, in ``output_format`` (mermaid, dot or svg)."""
    if output_format not in RENDERERS:
        raise DrawError(f"unknown format `{output_format}`; choose one of: {', '.join(FORMATS)}")
    for path, doc in project.documents.items():
        for problem in doc.problems:
            if problem.kind is Kind.SYNTAX:
                raise DrawError(f"{path}:{problem.span.start.line}:{problem.span.start.column}: {problem.message}")
    graph = connection_graph(project, (target,), desktop_host_networking=desktop_host_networking, bridge_ips=bridge_ips)
    return RENDERERS[output_format](graph, target)
