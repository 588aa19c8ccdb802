from tests.helpers import lint, where


def test_undefined_service_in_network_mode_and_depends_on():
    text = """\
    services:
      app:
        image: x
        network_mode: "service:vpn"
        depends_on:
          db:
            condition: service_healthy
          cache:
            condition: service_started
            required: false
    """
    found = lint(text, select=("CF004",))
    assert where(found) == [("CF004", 4, 19), ("CF004", 6, 7)]
    assert found[1].message == "service `app` depends on `db`, which is not defined"


def test_required_variable_is_reported_at_the_expression():
    found = lint("services:\n  a:\n    image: app:${TAG:?set TAG}\n", select=("CF004",))
    assert where(found) == [("CF004", 3, 16)]
    assert found[0].message == "required variable TAG is missing a value: set TAG"


def test_invalid_interpolation_is_cf002():
    found = lint("services:\n  a:\n    image: app:${TAG\n", select=("CF002", "CF004"))
    assert [(f.code, f.line) for f in found] == [("CF002", 3)]


def test_defined_references_are_silent():
    text = "services:\n  vpn: {image: v}\n  app:\n    image: x\n    network_mode: service:vpn\n    depends_on: [vpn]\n"
    assert lint(text, select=("CF004",)) == []
