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
