"""Where a host-mode service's published ports come from when the file says nothing: the EXPOSE ports of the
local image (`rewrite --inspect-images`, read from the engine) win over the known-images table, and the file's own
hints win over both."""

from __future__ import annotations

from pathlib import Path

from composefix.fixing.plan import plan
from composefix.rules.runner import Checker, Options


def _published(folder: Path, text: str, image_ports: dict[str, list[int]]) -> list[tuple[int, str]]:
    (folder / "compose.yaml").write_text(text, encoding="utf-8")
    ports = {image: tuple(numbers) for image, numbers in image_ports.items()}
    options = Options(schema=False, environ={}, image_ports=ports)
    checker = Checker(options)
    project = checker.check([folder / "compose.yaml"])
    findings = checker.report(project.compose_files).findings
    planned = plan(project, findings, options.targets, unsafe=False, override=True)
    return planned.services["cache"].ports


HOST_MODE = "services:\n  cache:\n    image: redis:7\n    network_mode: host\n"


def test_known_image_defaults_without_engine_information(tmp_path):
    assert _published(tmp_path, HOST_MODE, {}) == [(6379, "image redis:7")]


def test_the_local_image_expose_wins_over_the_known_images_table(tmp_path):
    assert _published(tmp_path, HOST_MODE, {"redis:7": [6380]}) == [(6380, "EXPOSE of image redis:7 (engine)")]


def test_the_file_own_hints_win_over_the_image_expose(tmp_path):
    text = HOST_MODE + '    expose: ["7000"]\n'
    assert _published(tmp_path, text, {"redis:7": [6380]}) == [(7000, "expose")]
