"""`composefix rewrite --graph FORMAT`: the before/after picture of what a rewrite changes (golden per format over
the examples that have something to fix), checked with the real `dot` and `rsvg-convert` where installed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from composefix.cli import app
from tests.helpers import ROOT
from tests.test_graph import need

EXAMPLES = ["docker0-gateway", "sidecar-host-network"]
# The override file each example's rewrite writes: docker0-gateway's fixes every engine needs go to the automatic
# compose.override.yaml, sidecar-host-network's way out of host mode to compose.desktop.yaml (VM-backed engines).
WRITTEN = {"docker0-gateway": "compose.override.yaml", "sidecar-host-network": "compose.desktop.yaml"}
SUFFIX = {"mermaid": "md", "dot": "dot", "svg": "svg"}


def rewrite(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rewrite", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_rewrite_graph_output(example, fmt, monkeypatch, update_golden):
    monkeypatch.chdir(ROOT / "examples" / example)
    code, out, err = rewrite("--diff", "--no-verify", "--graph", fmt, "compose.yaml")
    assert code == 0
    # The picture alone on stdout; rewrite's own lines (what it fixed, the diff) on stderr.
    assert "fixed: " in err and f"+++ b/{WRITTEN[example]}" in err
    assert "fixed: " not in out
    expected = ROOT / "examples" / example / f"expected-rewrite-graph.{SUFFIX[fmt]}"
    if update_golden:
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")
    assert not (ROOT / "examples" / example / WRITTEN[example]).exists()  # --diff writes nothing


def test_the_picture_shows_the_connections_the_rewrite_repairs(monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "docker0-gateway")
    code, out, _ = rewrite("--diff", "--no-verify", "--graph", "mermaid", "compose.yaml")
    assert code == 0
    before, after = re.findall(r"```mermaid\n(.*?)```", out, re.DOTALL)
    assert out.startswith("Before `composefix rewrite` (compose.yaml):\n")
    assert "\nAfter (compose.yaml, compose.override.yaml):\n" in out
    assert before.count("-.->") == 3 and "breaks: CF105" in before
    assert "-.->" not in after and "breaks" not in after
    assert '  s_worker -->|"command --broker: host.docker.internal:5672<br/>compose.override.yaml:23"|' in after
    assert "s3cr3t" not in out and "guest:guest" not in out  # no password reaches the picture


def test_in_place_is_drawn_patched(monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "docker0-gateway")
    code, out, _ = rewrite("--in-place", "--diff", "--no-verify", "--graph", "mermaid", "compose.yaml")
    assert code == 0
    assert "\nAfter (compose.yaml (patched in place)):\n" in out
    _, after = re.findall(r"```mermaid\n(.*?)```", out, re.DOTALL)
    assert '  s_worker -->|"command --broker: host.docker.internal:5672<br/>compose.yaml:14"|' in after


def test_graph_output_writes_the_picture_and_keeps_stdout(tmp_path, monkeypatch):
    (tmp_path / "compose.yaml").write_text(
        (ROOT / "examples" / "docker0-gateway" / "compose.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = rewrite("--no-verify", "--graph", "dot", "--graph-output", "change.dot", "compose.yaml")
    assert code == 0
    assert "wrote compose.override.yaml" in out  # rewrite's lines stay on stdout
    picture = (tmp_path / "change.dot").read_text(encoding="utf-8")
    assert picture.startswith("// before: compose.yaml\ndigraph before {\n")
    assert "// after: compose.yaml, compose.override.yaml\ndigraph after {\n" in picture


def test_graph_output_alone_means_mermaid(tmp_path, monkeypatch):
    (tmp_path / "compose.yaml").write_text(
        (ROOT / "examples" / "sidecar-host-network" / "compose.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, _, _ = rewrite("--diff", "--no-verify", "--graph-output", "change.md", "compose.yaml")
    assert code == 0
    assert (tmp_path / "change.md").read_text(encoding="utf-8").count("```mermaid\n") == 2


def test_an_unknown_format_is_a_usage_error(monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "docker0-gateway")
    code, out, err = rewrite("--diff", "--graph", "png", "compose.yaml")
    assert code == 2
    assert err == "composefix: error: unknown --graph format `png`; choose one of: mermaid, dot, svg\n"
    assert out == ""


def test_dot_accepts_both_graphs():
    dot = need("dot")
    for example in EXAMPLES:
        picture = (ROOT / "examples" / example / "expected-rewrite-graph.dot").read_text(encoding="utf-8")
        result = subprocess.run([dot, "-Tsvg"], input=picture, capture_output=True, text=True, timeout=60, check=False)
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.count("<svg") == 2


def test_the_combined_svg_renders(tmp_path: Path):
    rsvg = need("rsvg-convert")
    from tests.test_graph import png_pixels

    for example in EXAMPLES:
        source = ROOT / "examples" / example / "expected-rewrite-graph.svg"
        png = tmp_path / f"{example}.png"
        subprocess.run([rsvg, str(source), "-o", str(png)], check=True, timeout=60)
        width, height, rows = png_pixels(png.read_bytes())
        declared = re.match(r'<svg xmlns="http://www.w3.org/2000/svg" width="(\d+)" height="(\d+)"', source.read_text())
        assert declared is not None and (width, height) == (int(declared.group(1)), int(declared.group(2)))
        # The broken connections' red is drawn in the left half (before) only.
        channels = len(rows[0]) // width
        red_columns = {
            x for row in rows for x in range(width) if row[x * channels : x * channels + 3] == bytes((0xC6, 0x28, 0x28))
        }
        assert red_columns and max(red_columns) < width // 2


def test_mermaids_own_parser_accepts_both_blocks(tmp_path: Path):
    from tests.test_graph import MERMAID

    npm = need("npm")
    node = need("node")
    if not (MERMAID / "node_modules" / "mermaid").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=MERMAID, check=True, capture_output=True)
    files = []
    for example in EXAMPLES:
        text = (ROOT / "examples" / example / "expected-rewrite-graph.md").read_text(encoding="utf-8")
        blocks = re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)
        assert len(blocks) == 2
        for name, block in zip(("before", "after"), blocks, strict=True):
            path = tmp_path / f"{example}-{name}.mmd"
            path.write_text(block, encoding="utf-8")
            files.append(path)
    result = subprocess.run([node, MERMAID / "check.mjs", *files], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines() == [f"{path}: ok flowchart-v2" for path in files]
    assert result.returncode == 0
