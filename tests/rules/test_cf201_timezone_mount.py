from composefix.model import Severity, Target
from tests.helpers import lint, spans

LOCALTIME = "services:\n  app:\n    image: x\n    volumes:\n      - /etc/localtime:/etc/localtime:ro\n"


def test_fires_at_the_host_path_for_desktop():
    found = lint(LOCALTIME, select=("CF201",))
    assert spans(found) == [("CF201", 5, 9, 5, 23)]
    assert found[0].severity == Severity.WARNING
    assert found[0].message == (
        "Service `app` mounts the host's `/etc/localtime`: Docker Desktop for Mac does not share `/etc` "
        '("Mounts denied") and `/etc/localtime` is a symlink into macOS\'s time-zone database, which breaks the '
        "mount when macOS updates it"
    )


def test_etc_timezone_fails_on_linux_hosts_without_it():
    text = "services:\n  app:\n    image: x\n    volumes: ['/etc/timezone:/etc/timezone:ro']\n"
    found = lint(text, select=("CF201",), targets={Target.LINUX})
    assert spans(found) == [("CF201", 4, 16, 4, 29)]
    assert found[0].severity == Severity.WARNING
    assert "does not exist on macOS, Fedora or Arch" in found[0].message


def test_long_syntax():
    text = (
        "services:\n  app:\n    image: x\n    volumes:\n"
        "      - type: bind\n        source: /etc/localtime\n        target: /etc/localtime\n"
    )
    assert spans(lint(text, select=("CF201",))) == [("CF201", 6, 17, 6, 31)]


def test_colima_alone_is_information_and_says_unconfirmed():
    found = lint(LOCALTIME, select=("CF201",), targets={Target.COLIMA})
    assert found[0].severity == Severity.INFO
    assert "unconfirmed" in found[0].message


def test_silent_for_linux_only_localtime_and_other_targets():
    assert lint(LOCALTIME, select=("CF201",), targets={Target.LINUX}) == []
    assert lint(LOCALTIME, select=("CF201",), targets={Target.ORBSTACK}) == []


def test_other_mounts_and_tz_environment_are_silent():
    text = (
        "services:\n  app:\n    image: x\n    environment:\n      TZ: Europe/Berlin\n"
        "    volumes:\n      - ./etc/localtime:/etc/localtime\n      - zone:/etc/timezone\nvolumes:\n  zone: {}\n"
    )
    assert lint(text, select=("CF201",)) == []


def _rewrite(folder, *args: str):
    from typer.testing import CliRunner

    from composefix.cli import app

    return CliRunner().invoke(app, ["rewrite", *args, str(folder / "compose.yaml")])


ZONES = """\
services:
  app:
    image: example/app
    environment:
      MODE: prod
    volumes:
      - ./data:/data
      - /etc/localtime:/etc/localtime:ro
      - /etc/timezone:/etc/timezone:ro
  clock:
    image: example/clock
    environment: [A=1]
    volumes: ["/etc/localtime:/etc/localtime"]
  tz:
    image: example/tz
    environment:
      TZ: Europe/Berlin
    volumes:
      - type: bind
        source: /etc/localtime
        target: /etc/localtime
"""


def _config(folder, *files: str) -> dict:
    import json
    import subprocess

    from tests.differential import compose_binary

    command = [str(compose_binary())]
    for name in files:
        command += ["-f", name]
    result = subprocess.run(
        [*command, "config", "--format", "json"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def test_fix_is_unsafe_and_removes_the_mount_and_sets_tz_in_place(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(ZONES, encoding="utf-8")
    refused = _rewrite(tmp_path, "--in-place")
    assert refused.exit_code == 1
    assert "CF201 not fixed: unsafe fix: pass --unsafe-fixes" in refused.output
    result = _rewrite(tmp_path, "--in-place", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "compose.yaml").read_text() == (
        "services:\n"
        "  app:\n"
        "    image: example/app\n"
        "    environment:\n"
        "      MODE: prod\n"
        '      TZ: "${TZ:-UTC}"\n'
        "    volumes:\n"
        "      - ./data:/data\n"
        "  clock:\n"
        "    image: example/clock\n"
        '    environment: [A=1, "TZ=${TZ:-UTC}"]\n'
        "  tz:\n"
        "    image: example/tz\n"
        "    environment:\n"
        "      TZ: Europe/Berlin\n"
    )
    services = _config(tmp_path, "compose.yaml")
    assert services["app"]["environment"]["TZ"] == "UTC"
    assert [v["source"] for v in services["app"]["volumes"]] == [str((tmp_path / "data").resolve())]
    assert "volumes" not in services["clock"] and services["tz"]["environment"]["TZ"] == "Europe/Berlin"


def test_fix_in_an_override_file_every_machine_loads(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(ZONES, encoding="utf-8")
    result = _rewrite(tmp_path, "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert "CF201 fixed: remove the mount and set `TZ: ${TZ:-UTC}` (put your zone in `.env` as `TZ=...`) (in " in (
        result.output
    )
    assert "compose.override.yaml: every engine needs it)" in result.output
    assert not (tmp_path / "compose.desktop.yaml").exists()
    text = (tmp_path / "compose.override.yaml").read_text()
    assert text.split("services:\n", 1)[1] == (
        "  app:\n"
        "    environment:\n"
        "      # CF201\n"
        '      TZ: "${TZ:-UTC}"\n'
        "    # CF201: `volumes` without the removed items (the list is replaced)\n"
        "    volumes: !override\n"
        '      - "./data:/data"\n'
        "  clock:\n"
        "    environment:\n"
        "      # CF201\n"
        '      TZ: "${TZ:-UTC}"\n'
        "    # CF201: `volumes` without the removed items (the list is replaced)\n"
        "    volumes: !reset []\n"
        "  tz:\n"
        "    # CF201: `volumes` without the removed items (the list is replaced)\n"
        "    volumes: !reset []\n"
    )
    assert "# Needs Docker Compose >= 2.24.4." in text
    services = _config(tmp_path, "compose.yaml", "compose.override.yaml")
    assert services["app"]["environment"] == {"MODE": "prod", "TZ": "UTC"}
    assert [v["target"] for v in services["app"]["volumes"]] == ["/data"]
    assert "volumes" not in services["clock"] and "volumes" not in services["tz"]
    assert services["clock"]["environment"] == {"A": "1", "TZ": "UTC"}
    assert services["tz"]["environment"] == {"TZ": "Europe/Berlin"}
