"""Which address a variable or config names a backing server by (`DATABASE_URL`, DSNs, proxy upstreams), and that
server's usual port."""

from __future__ import annotations

import re

from composefix.analysis.loopback import SCHEME_PORTS

# --- evidence that the container itself connects ----------------------------------------------------------

# URL schemes of servers that a process connects to as a client: nobody hands a `postgres://` URL to a browser.
# http(s) and ws(s) are not here: those URLs are as often given to browsers as used by the container.
SERVER_SCHEMES = frozenset(SCHEME_PORTS) - {"http", "https", "ws", "wss"} | {
    "ssh",
    "sftp",
    "smtps",
    "submission",
    "imap",
    "imaps",
    "pop3",
    "pop3s",
    "tcp",
    "udp",
    "grpc",
    "jdbc",
    "bolt",
    "neo4j",
    "cassandra",
    "elasticsearch",
    "couchdb",
    "etcd",
    "consul",
    "vault",
    "ftp",
    "rtsp",
    "mongodb+srv",
    "redis-sentinel",
}

# The host part of a connection string that is not a URL: Go's MySQL DSN `user:pw@tcp(localhost:3306)/db`,
# libpq's `host=localhost port=5432 dbname=app`, ADO.NET's `Server=localhost;Database=app`.
_DSN_BEFORE = re.compile(
    r"(?:@(?:tcp|unix)\($|(?:^|[;\s\"'])(?:host|hostaddr|server|data source|address|addr)\s*=\s*['\"]?$)",
    re.IGNORECASE,
)

_DSN_KEYS = re.compile(
    r"(?:^|[;\s])(?:port|dbname|database|user(?: id)?|uid|initial catalog|sslmode)\s*=", re.IGNORECASE
)

# A reverse-proxy upstream: nginx `proxy_pass`/`fastcgi_pass`/..., an nginx `upstream` block's `server`, Caddy's
# `reverse_proxy`, HAProxy's `server NAME ADDR`, Apache's `ProxyPass / URL`.
_UPSTREAM_BEFORE = re.compile(
    r"(?:\b(?:proxy_pass|fastcgi_pass|uwsgi_pass|scgi_pass|grpc_pass|memcached_pass)\s+(?:[a-z]+://)?"
    r"|\breverse_proxy\s+(?:[^\s{}]+\s+)?(?:[a-z]+://)?"
    r"|^\s*server\s+(?:[\w.-]+\s+)?"
    r"|\bProxyPass(?:Reverse)?\s+\S+\s+[a-z]+://)$",
    re.IGNORECASE | re.MULTILINE,
)

# Words in a variable's name that say the value is the address of a backing server this container is a client
# of, with the server's usual port (used when the value has none: `SMTP_HOST=localhost` is port 25).
BACKING_SERVICES: dict[str, int | None] = {
    "DB": None,
    "DATABASE": None,
    "DATASOURCE": None,
    "POSTGRES": 5432,
    "POSTGRESQL": 5432,
    "POSTGRESDB": 5432,
    "PG": 5432,
    "MYSQL": 3306,
    "MARIADB": 3306,
    "MONGO": 27017,
    "MONGODB": 27017,
    "REDIS": 6379,
    "VALKEY": 6379,
    "MEMCACHE": 11211,
    "MEMCACHED": 11211,
    "CACHE": None,
    "RABBIT": 5672,
    "RABBITMQ": 5672,
    "AMQP": 5672,
    "BROKER": None,
    "BROKERS": None,
    "KAFKA": 9092,
    "BOOTSTRAP": 9092,
    "NATS": 4222,
    "MQTT": 1883,
    "SMTP": 25,
    "MAIL": 25,
    "MAILER": 25,
    "EMAIL": 25,
    "LDAP": 389,
    "ELASTIC": 9200,
    "ELASTICSEARCH": 9200,
    "OPENSEARCH": 9200,
    "SOLR": 8983,
    "MEILI": 7700,
    "MEILISEARCH": 7700,
    "TYPESENSE": 8108,
    "CLICKHOUSE": 8123,
    "INFLUX": 8086,
    "INFLUXDB": 8086,
    "CASSANDRA": 9042,
    "ZOOKEEPER": 2181,
    "ETCD": 2379,
    "CONSUL": 8500,
    "QDRANT": 6333,
    "NEO4J": 7687,
    "COUCHDB": 5984,
    "MSSQL": 1433,
    "SQLSERVER": 1433,
    # Ollama's API server: clients read `OLLAMA_HOST`/`OLLAMA_ENDPOINT`/`OLLAMA_URL`, default port 11434
    # (https://github.com/ollama/ollama/blob/main/docs/faq.md#how-do-i-configure-ollama-server).
    "OLLAMA": 11434,
}

# The last word of a variable that holds a server's address (not its port, user or name).
_ADDRESS_WORDS = frozenset(
    {"HOST", "HOSTS", "HOSTNAME", "SERVER", "SERVERS", "ADDR", "ADDRESS", "URL", "URI", "DSN", "ENDPOINT"}
    | {"BROKERS", "NODES", "CONNECTION", "CONN", "CONNECT", "STRING", "URLS", "URIS", "SERVICE", "HOSTPORT"}
)


_NOT_A_SERVER = frozenset({"FROM", "TO", "SENDER", "REPLY", "ADMIN", "USER", "USERNAME", "NOREPLY", "RECIPIENT"})


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"[_.\-]+", name.upper()) if word]


def backing_service(name: str | None) -> tuple[str, int | None] | None:
    """(word, usual port) when ``name`` is the address variable of a backing server (`DATABASE_URL`,
    `REDIS_HOST`, `SMTP_SERVER`, `SPRING_DATASOURCE_URL`); None otherwise."""
    if name is None:
        return None
    words = _words(name)
    if words == ["PGHOST"]:
        return "PGHOST", 5432
    if len(words) < 2 or words[-1] not in _ADDRESS_WORDS:
        return None
    if any(word in _NOT_A_SERVER for word in words):
        return None  # `MAIL_FROM_ADDRESS`, `SMTP_USER`: an e-mail address or an account, not a server
    named = [word for word in reversed(words[:-1]) if word in BACKING_SERVICES]
    # The most specific word, nearest the end: `DB_POSTGRESDB_HOST` is PostgreSQL's 5432, not just "a database";
    # `KAFKA_ZOOKEEPER_CONNECT` is ZooKeeper's.
    return next(((w, BACKING_SERVICES[w]) for w in named if BACKING_SERVICES[w] is not None), None) or (
        (named[0], None) if named else None
    )


def port_variable(name: str) -> list[str]:
    """Names of the variable that would hold the port of ``name``'s server: `DB_HOST` -> [`DB_PORT`]."""
    words = name.split("_")
    if len(words) < 2:
        return []
    return ["_".join([*words[:-1], "PORT"])]


def dsn_host(value: str, start: int) -> bool:
    """True when the address at ``start`` is the host of a non-URL connection string."""
    return _DSN_BEFORE.search(value[max(0, start - 40) : start]) is not None and (
        "@tcp(" in value[max(0, start - 40) : start].lower() or _DSN_KEYS.search(value) is not None
    )


_DSN_PORT = re.compile(r"(?:^|[;\s])port\s*=\s*(\d{1,5})\b", re.IGNORECASE)


def dsn_port(value: str) -> int | None:
    """The `port=` of a keyword connection string (`host=localhost port=5433`), if any."""
    match = _DSN_PORT.search(value)
    return int(match.group(1)) if match else None


def upstream(value: str, start: int) -> bool:
    """True when the address at ``start`` is a reverse proxy's upstream in a config file's text."""
    return _UPSTREAM_BEFORE.search(value[max(0, start - 120) : start]) is not None
