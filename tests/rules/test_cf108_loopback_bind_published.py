from tests.helpers import lint, spans, where


def test_flag_value_in_a_list_command():
    text = """\
    services:
      web:
        image: x
        command: ["uvicorn", "app:app", "--host", "127.0.0.1", "--port", "8000"]
        ports: ["8000:8000"]
    """
    found = lint(text, select=("CF108",))
    assert spans(found) == [("CF108", 4, 48, 4, 57)]
    assert found[0].message.startswith("Service `web` listens on `127.0.0.1` (in `command[3]`) but publishes ports")


def test_bind_variable_and_string_command():
    text = """\
    services:
      api:
        image: x
        environment:
          HOST: 127.0.0.1
        expose: ["3000"]
      web:
        image: nginx
        command: gunicorn --bind=localhost:8000 app
        ports: ["80:8000"]
      client:
        image: x
        environment:
          API: http://api:3000
    """
    found = lint(text, select=("CF108",))
    assert where(found) == [("CF108", 9, 30)]


def test_reached_by_other_services():
    text = """\
    services:
      api:
        image: x
        environment:
          BIND_ADDRESS: 127.0.0.1
        expose: ["3000"]
      client:
        image: x
        environment:
          UPSTREAM: http://localhost:3000
    """
    (finding,) = lint(text, select=("CF108",))
    assert "is reached by other services" in finding.message


def test_not_for_clients_host_mode_or_unpublished():
    text = """\
    services:
      a:
        image: x
        command: psql --host 127.0.0.1 -c 'select 1'
        ports: ["80:80"]
      b:
        image: x
        network_mode: host
        command: serve --host 127.0.0.1
      c:
        image: x
        command: serve --host 127.0.0.1
    """
    assert lint(text, select=("CF108",)) == []
