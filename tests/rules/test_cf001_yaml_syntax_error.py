from tests.helpers import lint, where


def test_fires_at_the_error_position():
    found = lint("services:\n  web:\n    image: [nginx\n    ports: []\n")
    assert where(found) == [("CF001", 4, 10)]
    assert found[0].severity == "error"


def test_stops_other_rules():
    assert [f.code for f in lint("services:\n  web:\n    network_mode: host\n  : [\n")] == ["CF001"]


def test_valid_yaml_is_silent():
    assert lint("services:\n  web:\n    image: nginx\n", select=("CF001",)) == []
