"""Servers that tell their clients which address to use next: a client connects to a bootstrap address, and the
server answers with the addresses it advertises, which the client then uses. Rewriting the client's bootstrap
address from `localhost` to a service name does not help while the server still advertises `localhost`: the
client is sent back to its own loopback (and a TLS certificate made for `localhost` does not cover the name).

Each entry names the variables a client reads its bootstrap address from (`clients`), the variables in which the
server states what it advertises (`servers`), and the public source that documents them.
"""

from __future__ import annotations

from typing import NamedTuple


class Variable(NamedTuple):
    name: str
    source: str  # the public documentation of the variable


class Advertised(NamedTuple):
    system: str
    clients: tuple[Variable, ...]
    servers: tuple[Variable, ...]


_CONFLUENT = "https://docs.confluent.io/platform/current/installation/docker/config-reference.html"
_BITNAMI = "https://github.com/bitnami/containers/blob/main/bitnami/kafka/README.md#configuration"

ADVERTISED: tuple[Advertised, ...] = (
    Advertised(
        "Kafka",
        clients=(
            # Kafka's own client setting `bootstrap.servers`, as most images and applications name it.
            Variable("BOOTSTRAP_SERVERS", "https://kafka.apache.org/documentation/#producerconfigs_bootstrap.servers"),
            Variable(
                "KAFKA_BOOTSTRAP_SERVERS", "https://kafka.apache.org/documentation/#producerconfigs_bootstrap.servers"
            ),
            # Confluent's images: Kafka Connect, Schema Registry, ksqlDB.
            Variable("CONNECT_BOOTSTRAP_SERVERS", _CONFLUENT),
            Variable("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", _CONFLUENT),
            Variable("KSQL_BOOTSTRAP_SERVERS", _CONFLUENT),
        ),
        servers=(
            # What the broker hands to clients after the bootstrap connection (`advertised.listeners`).
            Variable("KAFKA_ADVERTISED_LISTENERS", _CONFLUENT),
            Variable("KAFKA_CFG_ADVERTISED_LISTENERS", _BITNAMI),
        ),
    ),
)
