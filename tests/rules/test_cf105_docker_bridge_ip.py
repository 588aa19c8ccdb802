from composefix.model import Target
from tests.helpers import lint, spans, where


def test_fires_at_the_address_inside_a_url_and_masks_credentials():
    text = """\
    services:
      api:
        image: x
        environment:
          DATABASE_URL: postgres://app:hunter2@172.17.0.1:5432/app
    """
    found = lint(text, select=("CF105",))
    assert spans(found) == [("CF105", 5, 44, 5, 54)]
    assert "hunter2" not in found[0].message
    assert found[0].path == "services.api.environment.DATABASE_URL"


def test_list_environment_command_dns_labels_and_build_args():
    text = """\
    services:
      api:
        image: x
        environment:
          - HOST=172.17.0.1
        command: ["--db", "172.17.42.1:5432"]
        dns: 172.17.0.1
        labels:
          proxy.url: "http://172.17.0.1"
        build:
          context: .
          args:
            MIRROR: http://192.168.65.254:3128
    """
    assert where(lint(text, select=("CF105",))) == [
        ("CF105", 5, 14),
        ("CF105", 6, 24),
        ("CF105", 7, 10),
        ("CF105", 9, 26),
        ("CF105", 13, 24),
    ]


def test_configured_bridge_ips():
    text = "services:\n  api:\n    environment:\n      HOST: 10.200.0.1\n"
    assert lint(text, select=("CF105",)) == []
    assert where(lint(text, select=("CF105",), bridge_ips=("10.200.0.1",))) == [("CF105", 4, 13)]


def test_not_other_addresses_cidrs_or_extra_hosts():
    text = """\
    services:
      api:
        image: x
        environment:
          A: 172.17.0.10
          B: 172.17.0.0/16
          C: 172.17.0.1/16
          D: 10.172.17.0.1
        extra_hosts:
          - "dockerhost:172.17.0.1"
        ports:
          - "172.17.0.1:8080:80"
    # comment: 172.17.0.1
    """
    assert lint(text, select=("CF105",)) == []


def test_message_matches_targets():
    text = "services:\n  api:\n    environment:\n      HOST: 172.17.0.1\n"
    (linux,) = lint(text, select=("CF105",), targets={Target.LINUX})
    assert "bip" in linux.message and "VM" not in linux.message
    (desktop,) = lint(text, select=("CF105",), targets={Target.DESKTOP})
    assert "inside the VM" in desktop.message and "bip" not in desktop.message


def test_default_pool_gateways_count_but_listen_addresses_do_not():
    text = """\
    services:
      api:
        image: x
        environment:
          STATS: http://172.24.0.1:8182
        command: wg-api --device wg0 --listen 172.24.0.1:8182
    """
    found = lint(text, select=("CF105",))
    assert where(found) == [("CF105", 5, 21)]
    assert "the Docker network gateway address `172.24.0.1`" in found[0].message
