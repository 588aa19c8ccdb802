from composefix.model import Target
from tests.helpers import lint, spans


def test_fires_at_the_host_port():
    text = 'services:\n  api:\n    image: x\n    ports:\n      - "127.0.0.1:5000:8000"\n'
    found = lint(text, select=("CF207",))
    assert spans(found) == [("CF207", 5, 20, 5, 24)]
    assert found[0].message == (
        "Service `api` publishes host port 5000: on macOS 12+ the AirPlay Receiver listens on ports 5000 and 7000, "
        'so `up` fails with "address already in use"'
    )


def test_ranges_long_syntax_and_defaults():
    text = (
        "services:\n  a:\n    image: x\n    ports:\n      - 6990-7010:6990-7010\n"
        "      - target: 80\n        published: 5000\n      - ${PORT:-7000}:80\n"
    )
    found = lint(text, select=("CF207",), targets={Target.COLIMA})
    assert spans(found) == [("CF207", 5, 9, 5, 18), ("CF207", 7, 20, 7, 24), ("CF207", 8, 17, 8, 21)]
    assert "host port 7000" in found[0].message


def test_container_port_udp_and_linux_only_are_silent():
    text = "services:\n  a:\n    image: x\n    ports: ['5001:5000', '7000', '5000:5000/udp']\n"
    assert lint(text, select=("CF207",)) == []
    assert (
        lint("services:\n  a:\n    image: x\n    ports: ['5000:5000']\n", select=("CF207",), targets={Target.LINUX})
        == []
    )
