from composefix.model import Severity, Target
from tests.helpers import lint, spans


def test_fires_at_the_host_folder_as_information():
    text = "services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data\n"
    found = lint(text, select=("CF205",))
    assert spans(found) == [("CF205", 5, 9, 5, 17)]
    assert found[0].severity == Severity.INFO
    assert found[0].message == (
        "Service `db` keeps its PostgreSQL data in the host folder `./pgdata`: on Docker Desktop a bind mount crosses "
        "the file sharing with the VM, where databases run much slower than on a named volume (and some fail)"
    )


def test_each_database_and_its_directory():
    text = (
        "services:\n"
        "  a:\n    image: mariadb:11\n    volumes: ['/srv/mysql:/var/lib/mysql']\n"
        "  b:\n    image: mongo:7\n    volumes: ['./mongo:/data/db']\n"
        "  c:\n    build: ./db\n    volumes: ['./data:/var/lib/mysql/']\n"
        "  d:\n    image: bitnami/postgresql\n    volumes: ['./pg:/bitnami/postgresql']\n"
    )
    found = lint(text, select=("CF205",))
    assert [(f.line, f.message.split(" data ")[0]) for f in found] == [
        (4, "Service `a` keeps its MariaDB"),
        (7, "Service `b` keeps its MongoDB"),
        (10, "Service `c` keeps its MySQL"),
        (13, "Service `d` keeps its PostgreSQL"),
    ]


def test_named_volumes_other_targets_and_other_engines_are_silent():
    text = (
        "services:\n  db:\n    image: postgres\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
        "      - ./init:/docker-entrypoint-initdb.d\n  app:\n    image: app\n    volumes: ['./d:/data/db']\n"
        "volumes:\n  pgdata: {}\n"
    )
    assert lint(text, select=("CF205",)) == []
    bind = "services:\n  db:\n    image: mysql\n    volumes: ['./d:/var/lib/mysql']\n"
    assert lint(bind, select=("CF205",), targets={Target.LINUX, Target.COLIMA}) == []


def test_names_the_folder_as_written_when_it_comes_from_a_variable():
    text = "services:\n  db:\n    image: postgres\n    volumes: ['${APP_DATA_DIR}/db:/var/lib/postgresql/data']\n"
    found = lint(text, select=("CF205",))
    assert "in the host folder `${APP_DATA_DIR}/db`:" in found[0].message
