from tests.helpers import lint, where


def test_fires_at_unknown_key():
    assert where(lint("services:\n  web:\n    image: nginx\n    imgae: x\n", select=("CF002",))) == [("CF002", 4, 5)]


def test_other_rules_still_run_on_a_schema_invalid_file():
    found = lint("services:\n  web:\n    network_mode: host\n    imgae: x\n", select=("CF002", "CF101"))
    assert where(found) == [("CF101", 3, 19), ("CF002", 4, 5)]


def test_silent_on_a_valid_file():
    assert lint("services:\n  web:\n    image: nginx\n", select=("CF002",)) == []
