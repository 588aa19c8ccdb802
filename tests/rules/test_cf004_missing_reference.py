from composefix.rules.runner import Options, check_projects
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


def test_a_missing_env_file_with_a_template_beside_it_says_to_copy_it(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / ".env.example").write_text("SECRET=\n", encoding="utf-8")
    (tmp_path / "cfg" / "worker.env.sample").write_text("QUEUE=\n", encoding="utf-8")
    (tmp_path / "example.db.env").write_text("PGPASSWORD=\n", encoding="utf-8")
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n"
        "  app:\n    image: x\n    env_file: .env\n"
        "  worker:\n    image: x\n    env_file: [cfg/worker.env]\n"
        "  db:\n    image: x\n    env_file: [.db.env, other.env]\n",
        encoding="utf-8",
    )
    found = check_projects([[compose]], Options(select=("CF004",), environ={})).findings
    assert [(f.line, f.message, f.help) for f in found] == [
        (
            4,
            "env file `.env` not found (service `app`)",
            "create it from the template beside it: copy `.env.example` to `.env` and fill in its values",
        ),
        (
            7,
            "env file `cfg/worker.env` not found (service `worker`)",
            "create it from the template beside it: copy `cfg/worker.env.sample` to `cfg/worker.env` and fill in its "
            "values",
        ),
        (
            10,
            "env file `.db.env` not found (service `db`)",
            "create it from the template beside it: copy `example.db.env` to `.db.env` and fill in its values",
        ),
        (10, "env file `other.env` not found (service `db`)", None),
    ]
