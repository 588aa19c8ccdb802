from tests.helpers import lint, spans


def test_fires_at_value():
    found = lint("services:\n  a:\n    image: x\n    network_mode: bridge\n", select=("CF110",))
    assert spans(found) == [("CF110", 4, 19, 4, 25)]


def test_silent_otherwise():
    for mode in ("host", "none", "default", "service:b"):
        assert lint(f"services:\n  a:\n    network_mode: {mode}\n  b: {{}}\n", select=("CF110",)) == []
