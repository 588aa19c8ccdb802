from composefix.model import Target
from tests.helpers import lint, spans

RESERVATION = """\
services:
  ml:
    image: x
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
"""


def test_fires_at_the_driver():
    found = lint(RESERVATION, select=("CF204",))
    assert spans(found) == [("CF204", 8, 23, 8, 29)]
    assert found[0].message == (
        "Service `ml` reserves an NVIDIA GPU: Docker Desktop supports GPUs only on Windows with WSL 2, and a Mac has "
        'no NVIDIA GPU, so on Docker Desktop `up` fails with `could not select device driver "nvidia"`'
    )


def test_capability_without_driver_runtime_gpus_and_cdi():
    text = """\
services:
  a:
    image: x
    deploy: {resources: {reservations: {devices: [{capabilities: [compute, gpu]}]}}}
  b:
    image: x
    runtime: nvidia
  c:
    image: x
    gpus: all
  d:
    image: x
    devices: ["nvidia.com/gpu=all"]
"""
    found = lint(text, select=("CF204",), targets={Target.COLIMA, Target.ORBSTACK})
    assert spans(found) == [
        ("CF204", 4, 76, 4, 79),
        ("CF204", 7, 14, 7, 20),
        ("CF204", 10, 11, 10, 14),
        ("CF204", 13, 16, 13, 34),
    ]
    assert "so on Colima and OrbStack the VM has no `nvidia` runtime" in found[1].message


def test_silent_for_linux_and_other_devices():
    assert lint(RESERVATION, select=("CF204",), targets={Target.LINUX, Target.RANCHER}) == []
    text = "services:\n  a:\n    image: x\n    runtime: runc\n    deploy: {resources: {reservations: {cpus: '1'}}}\n"
    assert lint(text, select=("CF204",)) == []


def test_services_under_a_profile_are_already_opt_in():
    text = RESERVATION.replace("    image: x\n", "    image: x\n    profiles: [gpu]\n")
    assert lint(text, select=("CF204",)) == []


def _rewrite(folder, text):
    import subprocess

    from typer.testing import CliRunner

    from composefix.cli import app
    from tests.differential import compose_binary

    (folder / ".git").mkdir()
    (folder / "compose.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["rewrite", "--target", "desktop", "--target", "linux", "compose.yaml"])
    override = folder / "compose.desktop.yaml"
    if override.exists():
        config = subprocess.run(
            [str(compose_binary()), "-f", "compose.yaml", "-f", "compose.desktop.yaml", "config"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert config.returncode == 0, config.stderr
        assert "nvidia" not in config.stdout
    return result, override


def test_override_mode_takes_the_gpu_away_on_the_vm_engines_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = RESERVATION + "  b:\n    image: y\n    runtime: nvidia\n"
    result, override = _rewrite(tmp_path, text)
    assert result.exit_code == 0, result.output
    written = override.read_text(encoding="utf-8")
    assert (
        "  ml:\n    # CF204: remove `deploy` here (Linux keeps it in the base file; with --in-place it moves to "
        "compose.gpu.yaml)\n    deploy: !reset null\n"
    ) in written
    assert (
        "  b:\n    # CF204: remove `runtime` here (Linux keeps it" in written
        and "    runtime: !reset null\n" in written
    )
    assert "(in compose.desktop.yaml: only VM-backed engines load this file)" in result.output
    assert not (tmp_path / "compose.gpu.yaml").exists()
    assert (tmp_path / "compose.yaml").read_text(encoding="utf-8") == text  # Linux keeps its GPU


def test_a_deploy_with_more_than_the_gpu_is_left_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = RESERVATION.replace("      resources:\n", "      resources:\n        limits: {memory: 1g}\n")
    found = lint(text, select=("CF204",))
    assert found[0].fix is None
    assert found[0].no_fix == (
        "`deploy` holds more than the GPU request: move the GPU part to `compose.gpu.yaml` by hand"
    )
    result, override = _rewrite(tmp_path, text)
    assert "move the GPU part to `compose.gpu.yaml` by hand" in result.output
    assert not override.exists() or "deploy" not in override.read_text(encoding="utf-8")


def test_in_place_moves_the_request_to_an_opt_in_gpu_file(tmp_path, monkeypatch):
    import json
    import subprocess

    from typer.testing import CliRunner

    from composefix.cli import app
    from tests.differential import compose_binary

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    text = RESERVATION + "    ports: ['8080:8080']\n  b:\n    image: y\n    runtime: nvidia  # the GPU runtime\n"
    text += "    gpus: all\n"  # two keys of one service: one entry for it in the opt-in file
    (tmp_path / "compose.yaml").write_text(text, encoding="utf-8")
    refused = CliRunner().invoke(app, ["rewrite", "--in-place"])
    assert refused.exit_code == 1 and "CF204 not fixed: unsafe fix: pass --unsafe-fixes" in refused.output
    result = CliRunner().invoke(app, ["rewrite", "--in-place", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "compose.yaml:8:23: CF204 fixed: keep `deploy` only where a GPU is",
        "compose.yaml:14:14: CF204 fixed: keep `runtime` only where a GPU is",
        "compose.yaml:15:11: CF204 fixed: keep `gpus` only where a GPU is",
        "wrote compose.yaml",
        "wrote compose.gpu.yaml",
        "on a GPU machine: docker compose -f compose.yaml -f compose.gpu.yaml up",
        "Docker Compose accepts the result (`config`)",
    ]
    assert (tmp_path / "compose.yaml").read_text() == (
        "services:\n  ml:\n    image: x\n    ports: ['8080:8080']\n  b:\n    image: y\n"
    )
    assert (tmp_path / "compose.gpu.yaml").read_text().splitlines()[1:] == [
        "# Load it only on a GPU machine: docker compose -f compose.yaml -f compose.gpu.yaml up",
        "services:",
        "  ml:",
        "    # CF204: moved from compose.yaml",
        "    deploy:",
        "      resources:",
        "        reservations:",
        "          devices:",
        "            - driver: nvidia",
        "              count: all",
        "              capabilities: [gpu]",
        "  b:",
        "    # CF204: moved from compose.yaml",
        "    runtime: nvidia  # the GPU runtime",
        "    # CF204: moved from compose.yaml",
        "    gpus: all",
    ]

    def services(*files: str) -> dict:
        command = [str(compose_binary())]
        for name in files:
            command += ["-f", name]
        done = subprocess.run([*command, "config", "--format", "json"], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["services"]

    plain = services("compose.yaml")
    assert "deploy" not in plain["ml"] and "runtime" not in plain["b"]
    gpu = services("compose.yaml", "compose.gpu.yaml")
    reservation = gpu["ml"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert reservation["driver"] == "nvidia" and reservation["capabilities"] == ["gpu"]
    assert gpu["b"]["runtime"] == "nvidia" and gpu["b"]["gpus"] == [{"count": -1}]
    assert gpu["ml"]["ports"][0]["published"] == "8080"
    # `check` of the project (the opt-in file is not part of it) finds nothing; a second run changes nothing.
    assert CliRunner().invoke(app, ["check"]).output == "No findings in 1 file.\n"
    again = CliRunner().invoke(app, ["rewrite", "--in-place", "--unsafe-fixes"])
    assert again.exit_code == 0 and again.output == ""


def test_in_place_never_replaces_an_existing_gpu_file(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from composefix.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(RESERVATION, encoding="utf-8")
    (tmp_path / "compose.gpu.yaml").write_text("services: {}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rewrite", "--in-place", "--unsafe-fixes", "compose.yaml"])
    assert result.exit_code == 1
    assert (
        "compose.yaml:8:23: CF204 not fixed: compose.gpu.yaml exists (composefix did not write it): move `deploy` of "
        "`ml` there by hand"
    ) in result.output
    assert (tmp_path / "compose.gpu.yaml").read_text() == "services: {}\n"
    assert (tmp_path / "compose.yaml").read_text() == RESERVATION
