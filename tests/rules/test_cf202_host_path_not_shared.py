from composefix.model import Severity, Target
from tests.helpers import lint, spans


def compose(*volumes: str) -> str:
    items = "".join(f"      - {v}\n" for v in volumes)
    return f"services:\n  app:\n    image: x\n    volumes:\n{items}"


def test_fires_at_the_host_path_with_desktops_reason():
    found = lint(compose("/srv/app/data:/data"), select=("CF202",))
    assert spans(found) == [("CF202", 5, 9, 5, 22)]
    assert found[0].severity == Severity.WARNING
    assert found[0].message == (
        "Service `app` mounts the host path `/srv/app/data`: Docker Desktop for Mac shares only /Users, /Volumes, "
        '/private, /tmp and /var/folders by default, so `up` fails with "Mounts denied" until the folder is added '
        "in Settings > Resources > File sharing"
    )


def test_desktop_shared_folders_are_silent_but_not_for_colima():
    text = compose("/Users/me/code:/code", "/tmp/cache:/cache", "/Volumes/disk:/disk")
    assert lint(text, select=("CF202",)) == []
    found = lint(text, select=("CF202",), targets={Target.COLIMA})
    assert [(f.line, f.column) for f in found] == [(6, 9), (7, 9)]
    assert found[0].message.endswith("Colima mounts only your home folder, so the container sees an empty folder")


def test_relative_home_variable_and_named_sources_are_never_flagged():
    text = compose("./data:/data", "../shared:/shared", "~/cache:/cache", "$HOME/x:/x", "${DIR:-/srv}:/y", "db:/db")
    assert lint(text + "volumes:\n  db: {}\n", select=("CF202",), targets=frozenset(Target)) == []


def test_paths_other_rules_explain_are_left_to_them():
    text = compose(
        "/etc/localtime:/etc/localtime", "/var/run/docker.sock:/var/run/docker.sock", "/proc:/host/proc", "/:/rootfs"
    )
    assert lint(text, select=("CF202",)) == []


def test_file_sharing_setting_silences_added_folders():
    text = compose("/srv/app/data:/data", "/srvx:/x")
    found = lint(text, select=("CF202",), file_sharing=("/srv",))
    assert [(f.line, f.column) for f in found] == [(6, 9)]


def test_podman_alone_is_information_and_orbstack_is_silent():
    found = lint(compose("/srv/data:/data"), select=("CF202",), targets={Target.PODMAN})
    assert found[0].severity == Severity.INFO and "unconfirmed" in found[0].message
    assert lint(compose("/srv/data:/data"), select=("CF202",), targets={Target.ORBSTACK, Target.LINUX}) == []


def test_long_syntax_bind():
    text = (
        "services:\n  app:\n    image: x\n    volumes:\n"
        "      - type: bind\n        source: /opt/x\n        target: /x\n"
    )
    assert spans(lint(text, select=("CF202",))) == [("CF202", 6, 17, 6, 23)]


def test_file_sharing_from_the_configuration_file(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from composefix.cli import app

    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(compose("/srv/app:/app", "/opt/x:/x"), encoding="utf-8")
    (tmp_path / ".composefix.toml").write_text('file-sharing = ["/srv"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--select", "CF202", "--format", "github", "compose.yaml"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::warning file=compose.yaml,line=6,col=9,endLine=6,endColumn=15,")


def test_file_sharing_entries_must_be_absolute(tmp_path):
    from composefix.app.config import ConfigError, load_config

    path = tmp_path / ".composefix.toml"
    path.write_text('targets = ["desktop"]\nfile-sharing = ["srv"]\n', encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(exc).startswith(f"{path}:2: `file-sharing.0`: 'srv' does not match")
    else:
        raise AssertionError("accepted a relative file-sharing entry")


def test_anonymous_volumes_windows_paths_and_tmpfs_are_not_host_paths():
    text = compose("/data", "C:\\\\data:/data", "'/srv/x:/x:ro'") + "    tmpfs: [/run]\n"
    found = lint(text, select=("CF202",))
    assert [(f.line, f.column, f.message.split(":")[0]) for f in found] == [
        (7, 10, "Service `app` mounts the host path `/srv/x`")
    ]
