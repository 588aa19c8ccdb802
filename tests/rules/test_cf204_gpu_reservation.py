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
    assert "  ml:\n    # CF204: remove `deploy`\n    deploy: !reset null\n" in written
    assert "  b:\n    # CF204: remove `runtime`\n    runtime: !reset null\n" in written
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
