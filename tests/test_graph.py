"""`composefix graph`: golden output per format over the examples, checked by real tools — Mermaid's own parser
(tests/mermaid, run by Node with jsdom), Graphviz's `dot`, and librsvg's `rsvg-convert` for the SVG, whose
rendering is decoded and looked at here (the red of broken connections is there only when something breaks).

CI installs the tools (.ci/run); on a developer machine without them those tests skip."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from tests.helpers import ROOT

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))
SUFFIX = {"mermaid": "mmd", "dot": "dot", "svg": "svg"}
MERMAID = ROOT / "tests" / "mermaid"


def graph(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["graph", *args])
    return result.exit_code, result.stdout, result.stderr


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install `{tool}` (.ci/run)")
        pytest.skip(f"`{tool}` is not installed here (CI installs it; see .ci/run)")
    return found


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_graph_output(example, fmt, monkeypatch, update_golden):
    monkeypatch.chdir(ROOT)
    code, out, err = graph("--target", "desktop", "--format", fmt, f"examples/{example}/compose.yaml")
    assert (code, err) == (0, "")
    expected = ROOT / "examples" / example / f"expected-graph.{SUFFIX[fmt]}"
    if update_golden:
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")


def test_mermaid_of_the_docker0_example_marks_every_broken_edge(monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "docker0-gateway")
    code, out, _ = graph("--target", "colima")
    assert code == 0
    assert out.splitlines() == [
        "flowchart LR",
        "  %% composefix graph: docker0-gateway on Colima",
        '  subgraph g0["network: default"]',
        '    s_api["api<br/>dockerhost → 172.17.0.1"]',
        '    s_worker["worker"]',
        "  end",
        '  host_machine(["host (your machine, from Colima)"])',
        '  s_api -.->|"DATABASE_URL: 172.17.0.1:5432<br/>compose.yaml:6<br/>breaks: CF105"| host_machine',
        '  s_api -.->|"METRICS_PUSH_URL: 172.17.0.1:9091<br/>compose.yaml:7<br/>breaks: CF105"| host_machine',
        '  s_worker -.->|"command --broker: 172.17.0.1:5672<br/>compose.yaml:13<br/>breaks: CF105"| host_machine',
        "  linkStyle 0,1,2 stroke:#c62828,color:#c62828",
    ]
    # On Linux the same connections work: solid arrows, no codes.
    code, out, _ = graph("--target", "linux")
    assert code == 0 and "-.->" not in out and "breaks" not in out and "linkStyle" not in out
    assert '  s_worker -->|"command --broker: 172.17.0.1:5672<br/>compose.yaml:13"| host_machine' in out


def test_secrets_never_reach_the_picture(tmp_path, monkeypatch):
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  api:\n"
        "    image: example/api\n"
        "    command: psql postgres://app:hunter2@db:5432/app\n"
        "    environment:\n"
        "      QUEUE: amqp://guest:hunter2@172.17.0.1:5672/\n"
        "  db:\n"
        "    image: postgres:16\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for fmt in SUFFIX:
        code, out, _ = graph("--format", fmt, "--target", "desktop")
        assert code == 0
        assert "hunter2" not in out
        assert "QUEUE: 172.17.0.1:5672" in out.replace("\\n", "\n")


def test_the_configured_targets_choose_the_engine(tmp_path, monkeypatch):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "compose.yaml").write_text((ROOT / "examples/sidecar-host-network/compose.yaml").read_text())
    (folder / ".composefix.toml").write_text('targets = ["linux", "podman"]\n')
    monkeypatch.chdir(folder)
    code, out, _ = graph()
    assert code == 0
    assert "%% composefix graph: p on Podman machine" in out
    assert "breaks: CF103" in out
    (folder / ".composefix.toml").write_text('targets = ["linux"]\n')
    code, out, _ = graph()
    assert "%% composefix graph: p on Linux Docker Engine" in out and "breaks" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "png"], "composefix: error: unknown format `png`; choose one of: mermaid, dot, svg\n"),
        (["--target", "linux,desktop"], "composefix: error: graph draws one engine at a time: pass --target once\n"),
        (["--target", "mac"], "composefix: error: unknown target `mac`; choose from: "),
        (["-"], "composefix: error: graph draws one project from files on disk: name its files (or one folder)\n"),
    ],
)
def test_bad_options_exit_2_with_one_line(args, message, monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "clean")
    code, out, err = graph(*args)
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1


def test_a_file_that_does_not_parse_is_named_with_its_line(tmp_path, monkeypatch):
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    image: [unclosed\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = graph("-o", "picture.svg", "--format", "svg")
    assert (code, out) == (2, "")
    assert err.startswith("composefix: error: compose.yaml:4:1: ")
    assert not (tmp_path / "picture.svg").exists()  # nothing half-written


def test_output_file_is_written_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "clean")
    target = tmp_path / "clean.dot"
    code, out, err = graph("--format", "dot", "-o", str(target), "--target", "desktop")
    assert (code, out, err) == (0, "", "")
    assert target.read_text() == (ROOT / "examples/clean/expected-graph.dot").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.dot"]
    code, _, err = graph("--format", "dot", "-o", str(tmp_path / "missing" / "x.dot"))
    assert code == 2 and err.startswith(
        f"composefix: error: {tmp_path / 'missing' / 'x.dot'}: cannot write the picture"
    )


# --- the real tools -----------------------------------------------------------------------------------------------


def every_picture(tmp_path: Path, fmt: str) -> list[Path]:
    """The picture of every example on every engine, written under tmp_path."""
    written = []
    for example in EXAMPLES:
        for target in ("linux", "desktop", "colima", "orbstack", "podman", "rancher"):
            path = tmp_path / f"{example}-{target}.{SUFFIX[fmt]}"
            code, out, _ = graph("--format", fmt, "--target", target, str(ROOT / "examples" / example / "compose.yaml"))
            assert code == 0
            path.write_text(out, encoding="utf-8")
            written.append(path)
    return written


def test_mermaids_own_parser_accepts_every_picture(tmp_path):
    npm = need("npm")
    node = need("node")
    if not (MERMAID / "node_modules" / "mermaid").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=MERMAID, check=True, capture_output=True)
    files = every_picture(tmp_path, "mermaid")
    bad = tmp_path / "bad.mmd"
    bad.write_text("flowchart LR\n  a -->|unclosed b\n")
    result = subprocess.run(
        [node, MERMAID / "check.mjs", *files, bad], capture_output=True, text=True, timeout=120, check=False
    )
    lines = result.stdout.splitlines()
    assert lines[: len(files)] == [f"{path}: ok flowchart-v2" for path in files]
    assert lines[len(files)].startswith(f"{bad}: ERROR Parse error")  # the parser does reject bad text
    assert result.returncode == 1


def test_graphviz_dot_accepts_every_picture(tmp_path):
    dot = need("dot")
    for path in every_picture(tmp_path, "dot"):
        result = subprocess.run([dot, "-Tsvg", path], capture_output=True, text=True, timeout=60, check=False)
        assert (result.returncode, result.stderr) == (0, ""), path
        assert "<svg" in result.stdout


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows (RGB or RGBA) of an 8-bit, non-interlaced PNG, as rsvg-convert writes it."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        offset += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and color in (2, 6)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(chunks)
    stride, rows, previous = width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(
            bytes(line) if bpp == 4 else bytes(b for i in range(width) for b in (*line[i * 3 : i * 3 + 3], 255))
        )
        previous = line
    return width, height, rows


def red_pixels(rows: list[bytes]) -> int:
    """Pixels of the red that broken connections are drawn in (#c62828 and its anti-aliased neighbours)."""
    return sum(1 for row in rows for i in range(0, len(row), 4) if row[i] > 170 and row[i + 1] < 90 and row[i + 2] < 90)


def test_the_svg_renders_and_shows_broken_connections_in_red(tmp_path, monkeypatch):
    rsvg = need("rsvg-convert")
    seen = {}
    for example, target in (("docker0-gateway", "desktop"), ("docker0-gateway", "linux"), ("clean", "desktop")):
        svg = tmp_path / f"{example}-{target}.svg"
        code, out, _ = graph("--format", "svg", "--target", target, str(ROOT / "examples" / example / "compose.yaml"))
        assert code == 0
        svg.write_text(out, encoding="utf-8")
        root = ET.fromstring(out)  # well-formed XML, self-contained: no scripts, links or external images
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert not [e for e in root.iter() if e.tag.endswith(("script", "image", "foreignObject"))]
        assert "href" not in out
        png = tmp_path / f"{example}-{target}.png"
        result = subprocess.run([rsvg, svg, "-o", png], capture_output=True, text=True, timeout=60, check=False)
        assert (result.returncode, result.stderr) == (0, "")
        width, height, rows = png_pixels(png.read_bytes())
        assert (width, height) == (int(root.get("width")), int(root.get("height")))
        seen[(example, target)] = red_pixels(rows)
    assert seen[("docker0-gateway", "desktop")] > 500  # three red dashed connections with red labels
    assert seen[("docker0-gateway", "linux")] == 0  # the same connections work on Linux
    assert seen[("clean", "desktop")] == 0


def test_the_readme_shows_the_current_output(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    assert block == (ROOT / "examples/sidecar-host-network/expected-graph.mmd").read_text(encoding="utf-8")
    assert "](docs/graph-docker0-gateway.png)" in readme
    assert (ROOT / "docs/graph-docker0-gateway.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_rewritten_project_is_drawn_with_its_override(monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "sidecar-host-network")
    code, out, _ = graph("-f", "compose.yaml", "-f", "expected-rewrite/compose.desktop.yaml", "--target", "desktop")
    assert code == 0
    assert out.splitlines()[2:] == [
        '  subgraph g0["network: default"]',
        '    s_proxy["proxy<br/>publishes 8443 → 8443<br/>host.docker.internal → host-gateway"]',
        "  end",
        '  host_machine(["host (your machine, from Docker Desktop)"])',
        '  s_proxy -->|"command --to: host.docker.internal:3000<br/>compose.desktop.yaml:15"| host_machine',
    ]
