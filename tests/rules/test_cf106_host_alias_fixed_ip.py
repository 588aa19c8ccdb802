from composefix.model import Target
from tests.helpers import lint, spans


def test_list_and_mapping_forms():
    text = """\
    services:
      a:
        image: x
        extra_hosts:
          - "host.docker.internal:172.17.0.1"
          - dockerhost=192.168.65.2
      b:
        image: x
        extra_hosts:
          host.docker.internal: 172.17.0.1
    """
    found = lint(text, select=("CF106",))
    assert spans(found) == [("CF106", 5, 9, 5, 42), ("CF106", 6, 9, 6, 32), ("CF106", 10, 29, 10, 39)]
    assert found[0].help.startswith('write `"host.docker.internal:host-gateway"`')


def test_rancher_target_warns_about_host_gateway():
    text = "services:\n  a:\n    extra_hosts: ['h:172.17.0.1']\n"
    (finding,) = lint(text, select=("CF106",), targets={Target.LINUX, Target.RANCHER})
    assert "Rancher Desktop does not support `host-gateway`" in finding.help


def test_silent_for_host_gateway_and_other_addresses():
    text = "services:\n  a:\n    extra_hosts: ['host.docker.internal:host-gateway', 'db:10.0.0.5', 'x:172.17.0.12']\n"
    assert lint(text, select=("CF106",)) == []
