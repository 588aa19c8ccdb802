from tests.helpers import lint, where


def test_unused_trailing_suppression():
    found = lint("services:\n  web:\n    image: nginx  # composefix: ignore=CF101\n")
    assert where(found) == [("CF900", 3, 40)]
    assert found[0].message == "unused suppression `ignore=CF101`: no CF101 finding here to suppress"


def test_unknown_code_in_suppression():
    found = lint("services:\n  web:\n    image: nginx  # composefix: ignore=CF999\n")
    assert where(found) == [("CF900", 3, 40)]
    assert found[0].message == "suppression names no known rule: `CF999`"


def test_used_suppression_is_silent():
    text = "services:\n  web:\n    network_mode: host  # composefix: ignore=CF101\n"
    assert lint(text) == []


def test_suppression_of_a_disabled_rule_is_not_reported():
    text = "services:\n  web:\n    image: nginx  # composefix: ignore=CF101\n"
    assert lint(text, select=("CF9",)) == []
    assert lint(text, ignore=("CF101",)) == []


def test_cf900_itself_can_be_file_ignored():
    text = "# composefix: file-ignore=CF900\nservices:\n  web:\n    image: nginx  # composefix: ignore=CF101\n"
    assert lint(text) == []
