from tests.helpers import lint, where


def test_fires_at_second_occurrence():
    found = lint("services:\n  web:\n    image: a\n    image: b\n")
    assert where(found) == [("CF003", 4, 5)]
    assert found[0].message == 'duplicate key "image" (first defined at line 3, column 5)'


def test_duplicate_service_names():
    assert where(lint("services:\n  web:\n    image: a\n  web:\n    image: b\n")) == [("CF003", 4, 3)]


def test_merge_key_override_is_not_a_duplicate():
    text = "x: &x {image: a}\nservices:\n  web:\n    <<: *x\n    image: b\n"
    assert lint(text, select=("CF003",)) == []
