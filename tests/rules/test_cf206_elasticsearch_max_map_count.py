from composefix.model import Target
from tests.helpers import lint, spans

ES = "services:\n  es:\n    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0\n"


def test_fires_at_the_image_without_single_node_discovery():
    found = lint(ES, select=("CF206",))
    assert spans(found) == [("CF206", 3, 12, 3, 64)]
    assert found[0].message == (
        "Service `es` runs Elasticsearch without `discovery.type=single-node`: its bootstrap checks need "
        "`vm.max_map_count` >= 262144 in the kernel that runs it (the Linux kernel default is 65530; on VM-backed "
        "engines it is the VM's kernel, and Docker Desktop 4.25 shipped 65530), or the container exits at start"
    )


def test_opensearch_and_every_target():
    text = "services:\n  os:\n    image: opensearchproject/opensearch:2\n    environment: [cluster.name=x]\n"
    for target in Target:
        found = lint(text, select=("CF206",), targets={target})
        assert [(f.line, f.column) for f in found] == [(3, 12)]
        assert "runs OpenSearch" in found[0].message


def test_single_node_in_any_form_or_own_config_is_silent():
    forms = (
        "    environment:\n      discovery.type: single-node\n",
        "    environment: [discovery.type=single-node]\n",
        "    command: ['elasticsearch', '-Ediscovery.type=single-node']\n",
        "    volumes: ['./es.yml:/usr/share/elasticsearch/config/elasticsearch.yml:ro']\n",
    )
    for form in forms:
        assert lint(ES + form, select=("CF206",)) == [], form
    assert lint("services:\n  k:\n    image: kibana:8\n", select=("CF206",)) == []


def test_transport_on_loopback_is_development_mode():
    text = ES + "    environment:\n      - network.host=0.0.0.0\n      - transport.host=localhost\n"
    assert lint(text, select=("CF206",)) == []
    cluster = ES + "    environment:\n      - node.name=es01\n      - cluster.initial_master_nodes=es01\n"
    assert [f.line for f in lint(cluster, select=("CF206",))] == [3]
