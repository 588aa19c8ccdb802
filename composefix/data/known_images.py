"""What composefix knows about common images: keys are image names without registry, tag or digest
(`library/` is implied). Each entry may have:

- `ports`: the ports the image listens on by default (its Dockerfile EXPOSE or its documentation), used when a
  compose file does not declare them;
- `bundles`: servers an all-in-one image runs in the same container, by name and port: a loopback address on
  one of those ports is the container itself (`bundles-command`: only when the command names that mode);
- `client`: variables whose value the image connects to (a loopback value there is a real connection);
- `browser`: variables whose value the image hands to browsers or other clients (never a connection of its own);
- `reads`: prefixes of all the variables the image reads; a value shared with other services (one `env_file`,
  one anchor) whose name has none of them is not the image's (a database image and an application's variable);
- `host-network`: why an image needs host networking, when it really does;
- `source`: the documentation the entry comes from (space-separated URLs).

A Python literal rather than a data file: it loads from compiled bytecode, with no parser to import and run
(the TOML version cost ~3 ms a run).
"""

from __future__ import annotations

from typing import Any

IMAGES: dict[str, dict[str, Any]] = {
    "postgres": {"ports": [5432], "reads": ["POSTGRES_", "PG"], "source": "https://hub.docker.com/_/postgres"},
    "postgis": {"ports": [5432]},
    "postgis/postgis": {"ports": [5432], "reads": ["POSTGRES_", "PG"], "source": "https://hub.docker.com/_/postgres"},
    "bitnami/postgresql": {"ports": [5432]},
    "timescale/timescaledb": {"ports": [5432]},
    "pgvector/pgvector": {"ports": [5432], "reads": ["POSTGRES_", "PG"], "source": "https://hub.docker.com/_/postgres"},
    "mysql": {"ports": [3306], "reads": ["MYSQL_"], "source": "https://hub.docker.com/_/mysql"},
    "mariadb": {"ports": [3306], "reads": ["MARIADB_", "MYSQL_"], "source": "https://hub.docker.com/_/mariadb"},
    "bitnami/mysql": {"ports": [3306]},
    "bitnami/mariadb": {"ports": [3306]},
    # The official image reads no variables: its configuration is the command line or a mounted file.
    "redis": {"ports": [6379], "reads": [], "source": "https://hub.docker.com/_/redis"},
    "redis/redis-stack": {"ports": [6379, 8001]},
    "redis/redis-stack-server": {"ports": [6379]},
    "bitnami/redis": {"ports": [6379]},
    "valkey": {"ports": [6379]},
    "valkey/valkey": {"ports": [6379]},
    "memcached": {"ports": [11211]},
    "mongo": {"ports": [27017], "reads": ["MONGO_INITDB_"], "source": "https://hub.docker.com/_/mongo"},
    "bitnami/mongodb": {"ports": [27017]},
    "rabbitmq": {"ports": [5672, 15672], "reads": ["RABBITMQ_"], "source": "https://hub.docker.com/_/rabbitmq"},
    "elasticsearch": {"ports": [9200, 9300]},
    "elasticsearch/elasticsearch": {"ports": [9200, 9300]},
    "elasticsearch/elasticsearch-oss": {
        "ports": [9200, 9300],
        "source": "https://www.elastic.co/guide/en/elasticsearch/reference/current/docker.html",
    },
    "docker.elastic.co/elasticsearch/elasticsearch": {"ports": [9200, 9300]},
    "opensearchproject/opensearch": {"ports": [9200, 9600]},
    "kibana": {"ports": [5601]},
    "docker.elastic.co/kibana/kibana": {"ports": [5601]},
    "nginx": {"ports": [80]},
    "httpd": {"ports": [80]},
    # Caddy's admin API listens on localhost:2019 inside the container.
    "caddy": {"ports": [80, 443], "bundles": {"admin API": 2019}, "source": "https://caddyserver.com/docs/api"},
    "traefik": {"ports": [80]},
    "adminer": {"ports": [8080]},
    "dpage/pgadmin4": {"ports": [80]},
    "minio/minio": {"ports": [9000, 9001]},
    "mailhog/mailhog": {"ports": [1025, 8025]},
    "axllent/mailpit": {"ports": [1025, 8025]},
    "confluentinc/cp-kafka": {"ports": [9092]},
    "confluentinc/cp-server": {
        "ports": [9092],
        "client": ["KAFKA_ZOOKEEPER_CONNECT", "KAFKA_CONFLUENT_SCHEMA_REGISTRY_URL"],
        "browser": ["KAFKA_ADVERTISED_LISTENERS", "KAFKA_JMX_HOSTNAME"],
        "source": "https://docs.confluent.io/platform/current/installation/docker/config-reference.html",
    },
    "bitnami/kafka": {"ports": [9092]},
    "apache/kafka": {"ports": [9092]},
    "confluentinc/cp-zookeeper": {"ports": [2181]},
    "zookeeper": {"ports": [2181]},
    "bitnami/zookeeper": {"ports": [2181]},
    "consul": {"ports": [8500]},
    "hashicorp/consul": {"ports": [8500]},
    "vault": {"ports": [8200]},
    "hashicorp/vault": {"ports": [8200]},
    "grafana/grafana": {"ports": [3000]},
    "prom/prometheus": {"ports": [9090]},
    "jaegertracing/all-in-one": {"ports": [16686, 4317, 4318, 14268]},
    "otel/opentelemetry-collector": {"ports": [4317, 4318]},
    "otel/opentelemetry-collector-contrib": {"ports": [4317, 4318]},
    "quay.io/keycloak/keycloak": {"ports": [8080]},
    "localstack/localstack": {"ports": [4566]},
    "clickhouse/clickhouse-server": {"ports": [8123, 9000]},
    "influxdb": {"ports": [8086]},
    "neo4j": {"ports": [7474, 7687]},
    "cassandra": {"ports": [9042]},
    "couchdb": {"ports": [5984]},
    "nats": {"ports": [4222]},
    "ollama/ollama": {"ports": [11434]},
    "qdrant/qdrant": {"ports": [6333]},
    "getmeili/meilisearch": {"ports": [7700]},
    "mcr.microsoft.com/mssql/server": {"ports": [1433]},
    "gitea/gitea": {"ports": [3000]},
    "sonarqube": {"ports": [9000]},
    "jenkins/jenkins": {"ports": [8080]},
    "portainer/portainer-ce": {"ports": [9000, 9443]},
    "registry": {"ports": [5000]},
    # The Tdarr image runs the server (8266) and the web UI (8265); with `internalNode` a node in the same
    # container connects to the server at `serverURL`.
    "haveagitgat/tdarr": {
        "ports": [8265, 8266],
        "source": "https://docs.tdarr.io/docs/installation/docker/run-compose",
    },
    "ghcr.io/haveagitgat/tdarr": {
        "ports": [8265, 8266],
        "source": "https://docs.tdarr.io/docs/installation/docker/run-compose",
    },
    # Images whose purpose needs the host's network namespace: the rewriter says so instead of moving them.
    "homeassistant/home-assistant": {
        "ports": [8123],
        "host-network": "discovers devices on the LAN with mDNS/SSDP multicast, which does not cross Docker's NAT",
    },
    "ghcr.io/home-assistant/home-assistant": {
        "ports": [8123],
        "host-network": "discovers devices on the LAN with mDNS/SSDP multicast, which does not cross Docker's NAT",
    },
    "pihole/pihole": {
        "ports": [53, 80],
        # The upstream DNS servers it forwards to.
        "client": ["FTLCONF_dns_upstreams", "PIHOLE_DNS_"],
        "source": "https://docs.pi-hole.net/docker/configuration/",
        "host-network": "serves DHCP to the LAN when DHCP is enabled, which needs broadcast on the host's network",
    },
    "plexinc/pms-docker": {
        "ports": [32400],
        "host-network": "is found by clients on the LAN through GDM/SSDP discovery broadcasts",
    },
    "prom/node-exporter": {
        "ports": [9100],
        "host-network": (
            "reports the host's network interfaces and statistics, which it only sees in the host's namespace"
        ),
    },
    # Self-hosted applications often run in host mode (ports from each image's documentation).
    "jellyfin/jellyfin": {"ports": [8096]},
    "linuxserver/jellyfin": {"ports": [8096]},
    "emby/embyserver": {"ports": [8096]},
    "linuxserver/emby": {"ports": [8096]},
    "linuxserver/plex": {
        "ports": [32400],
        "host-network": "is found by clients on the LAN through GDM/SSDP discovery broadcasts",
    },
    "linuxserver/bazarr": {"ports": [6767]},
    "linuxserver/overseerr": {"ports": [5055]},
    "linuxserver/sonarr": {"ports": [8989]},
    "linuxserver/radarr": {"ports": [7878]},
    "linuxserver/qbittorrent": {"ports": [8080]},
    "louislam/uptime-kuma": {"ports": [3001]},
    "adguard/adguardhome": {"ports": [53, 3000]},
    "netdata/netdata": {"ports": [19999]},
    "gotenberg/gotenberg": {"ports": [3000]},
    "apache/tika": {"ports": [9998]},
    "eclipse-mosquitto": {"ports": [1883]},
    "koenkk/zigbee2mqtt": {"ports": [8080]},
    "ghcr.io/esphome/esphome": {"ports": [6052], "host-network": "finds ESP devices on the LAN with mDNS"},
    "esphome/esphome": {"ports": [6052], "host-network": "finds ESP devices on the LAN with mDNS"},
    "homebridge/homebridge": {
        "ports": [8581],
        "host-network": "advertises HomeKit accessories on the LAN with mDNS (Bonjour)",
    },
    "koush/scrypted": {
        "ports": [11080],
        "host-network": "advertises HomeKit accessories and finds cameras on the LAN with mDNS",
    },
    "jc21/nginx-proxy-manager": {"ports": [80, 81, 443]},
    "gcr.io/cadvisor/cadvisor": {"ports": [8080]},
    "selfhostedpro/yacht": {"ports": [8000]},
    # Images seen with loopback values in real compose files (what they read, hand out and bundle).
    "temporalio/ui": {
        "ports": [8080],
        "client": ["TEMPORAL_ADDRESS"],
        # The Web UI's codec server is called from the user's browser.
        "browser": ["TEMPORAL_CODEC_ENDPOINT", "TEMPORAL_CORS_ORIGINS", "TEMPORAL_AUTH_CALLBACK_URL"],
        "source": "https://docs.temporal.io/references/web-ui-environment-variables https://docs.temporal.io/codec-server",
    },
    "bitnami/redis-cluster": {
        "ports": [6379],
        "client": ["REDIS_NODES"],
        "browser": ["REDIS_CLUSTER_ANNOUNCE_IP"],
        "source": "https://github.com/bitnami/containers/blob/main/bitnami/redis-cluster/README.md",
    },
    "bitnamilegacy/redis-cluster": {
        "ports": [6379],
        "client": ["REDIS_NODES"],
        "browser": ["REDIS_CLUSTER_ANNOUNCE_IP"],
        "source": "https://github.com/bitnami/containers/blob/main/bitnami/redis-cluster/README.md",
    },
    "netboxcommunity/netbox": {
        "ports": [8080],
        "client": ["DB_HOST", "REDIS_HOST", "REDIS_CACHE_HOST", "EMAIL_SERVER"],
        "source": "https://github.com/netbox-community/netbox-docker/blob/release/configuration/configuration.py",
    },
    "searxng/searxng": {
        "ports": [8080],
        "client": ["SEARXNG_REDIS_URL", "SEARXNG_VALKEY_URL"],
        "browser": ["SEARXNG_BASE_URL"],
        "source": "https://docs.searxng.org/admin/installation-docker.html",
    },
    # `weed server` runs a master, a volume server, a filer and (with -s3) an S3 gateway in one container.
    "chrislusf/seaweedfs": {
        "bundles": {"master": 9333, "S3 gateway": 8333},
        "bundles-command": "server",
        "source": "https://github.com/seaweedfs/seaweedfs",
    },
    "kong": {
        "ports": [8000, 8001, 8002, 8443, 8444],
        "client": ["KONG_PG_HOST"],
        "browser": ["KONG_ADMIN_GUI_URL", "KONG_ADMIN_GUI_API_URL"],
        "source": "https://developer.konghq.com/gateway/kong-manager/configuration "
        "https://developer.konghq.com/gateway/manage-kong-conf",
    },
    "kong/kong-gateway": {
        "ports": [8000, 8001, 8002, 8443, 8444],
        "client": ["KONG_PG_HOST"],
        "browser": ["KONG_ADMIN_GUI_URL", "KONG_ADMIN_GUI_API_URL"],
        "source": "https://developer.konghq.com/gateway/kong-manager/configuration "
        "https://developer.konghq.com/gateway/manage-kong-conf",
    },
    "traefik/whoami": {"ports": [80], "source": "https://github.com/traefik/whoami"},
    # The all-in-one container (its default command, supervisord) runs PostgreSQL and memcached beside the app;
    # with `./docker/prod/web` and the like it is one process of a multi-container setup.
    "openproject/openproject": {
        "ports": [80],
        "bundles": {"PostgreSQL": 5432, "memcached": 11211},
        "bundles-command": "supervisord",
        "browser": ["OPENPROJECT_HOST__NAME"],
        "source": "https://www.openproject.org/docs/installation-and-operations/installation/docker/",
    },
    "openproject/community": {
        "ports": [80],
        "bundles": {"PostgreSQL": 5432, "memcached": 11211},
        "bundles-command": "supervisord",
        "browser": ["OPENPROJECT_HOST__NAME"],
        "source": "https://www.openproject.org/docs/installation-and-operations/installation/docker/",
    },
}
