from tests.helpers import lint, spans


def test_fires_at_ports_key():
    text = "services:\n  web:\n    image: nginx\n    network_mode: host\n    ports:\n      - 8080:80\n"
    found = lint(text, select=("CF102",))
    assert spans(found) == [("CF102", 5, 5, 5, 10)]


def test_fires_for_every_target():
    from composefix.model import Target

    text = "services:\n  web:\n    network_mode: host\n    ports: ['80:80']\n"
    assert len(lint(text, select=("CF102",), targets={Target.ORBSTACK})) == 1


def test_silent_without_host_mode_or_without_ports():
    assert lint("services:\n  web:\n    ports: ['80:80']\n", select=("CF102",)) == []
    assert lint("services:\n  web:\n    network_mode: host\n    ports: []\n", select=("CF102",)) == []
    assert lint("services:\n  web:\n    network_mode: host\n", select=("CF102",)) == []
