"""Find the strings of a service that reach a container or the engine, and the host names inside them."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from enum import StrEnum
from typing import NamedTuple

from composefix.document import Mapping, Node, Scalar, Sequence
from composefix.project import Service, text_of


class Where(StrEnum):
    """The kind of place a string sits in (docs/platforms.md#where-addresses-appear)."""

    ENVIRONMENT = "environment"
    COMMAND = "command"
    ENTRYPOINT = "entrypoint"
    HEALTHCHECK = "healthcheck"
    HOOK = "hook"
    LABEL = "label"
    DNS = "dns"
    BUILD_ARG = "build_arg"
    LOGGING = "logging"
    CONFIG = "config"


# Strings that a process inside the container uses to connect somewhere (an inline config file it mounts too).
CONTAINER_SIDE = frozenset(
    {Where.ENVIRONMENT, Where.COMMAND, Where.ENTRYPOINT, Where.HEALTHCHECK, Where.HOOK, Where.CONFIG}
)


class StringRef(NamedTuple):
    """One string value: the scalar holding it, where it is, and where its value starts inside the scalar."""

    where: Where
    path: str
    node: Scalar
    value: str
    # `K=V` list items: the value starts after `=`; everything else starts at 0.
    value_start: int = 0
    name: str | None = None
    # For an item of a list-form command: the items before it, joined by spaces (so `--host` then `127.0.0.1`
    # reads as one flag and its value).
    prefix: str = ""


def _scalars(node: Node | None) -> Iterator[tuple[str, Scalar, str]]:
    """(suffix, scalar, prefix) for a string or a list of strings."""
    if isinstance(node, Scalar):
        yield "", node, ""
    elif isinstance(node, Sequence):
        words: list[str] = []
        for index, item in enumerate(node.items):
            if isinstance(item, Scalar):
                yield f"[{index}]", item, " ".join(words) + " " if words else ""
            words.append(text_of(item) or "")


def _pairs(node: Node | None, base: str, where: Where) -> Iterator[StringRef]:
    """A `list_or_dict` value (environment, labels, build.args, logging.options)."""
    if isinstance(node, Mapping):
        for name, entry in node.entries.items():
            text = text_of(entry.value)
            if text is not None and isinstance(entry.value, Scalar):
                yield StringRef(where, f"{base}.{name}", entry.value, text, 0, name)
    elif isinstance(node, Sequence):
        for item in node.items:
            text = text_of(item)
            if text is None or not isinstance(item, Scalar):
                continue
            name, sep, _ = text.partition("=")
            if sep:
                yield StringRef(where, f"{base}.{name}", item, text, len(name) + 1, name)


def service_strings(svc: Service) -> tuple[StringRef, ...]:
    """Every string of a service definition that reaches the container or the engine (worked out once per
    service: five rules and analyses read them)."""
    strings: tuple[StringRef, ...] | None = svc.memo.get("strings")
    if strings is None:
        strings = svc.memo["strings"] = tuple(_service_strings(svc))
    return strings


def _service_strings(svc: Service) -> Iterator[StringRef]:
    for name, scalar in svc.env.items():
        text = text_of(scalar)
        if text is not None:
            yield StringRef(Where.ENVIRONMENT, f"environment.{name}", scalar, text, 0, name)
    service = svc.node
    for key, where in (("command", Where.COMMAND), ("entrypoint", Where.ENTRYPOINT)):
        for suffix, scalar, prefix in _scalars(service.get(key)):
            text = text_of(scalar)
            if text is not None:
                yield StringRef(where, key + suffix, scalar, text, prefix=prefix)
    healthcheck = service.get("healthcheck")
    if isinstance(healthcheck, Mapping):
        for suffix, scalar, prefix in _scalars(healthcheck.get("test")):
            text = text_of(scalar)
            if text is not None:
                yield StringRef(Where.HEALTHCHECK, "healthcheck.test" + suffix, scalar, text, prefix=prefix)
    for hook_key in ("post_start", "pre_stop"):
        hooks = service.get(hook_key)
        if isinstance(hooks, Sequence):
            for index, hook in enumerate(hooks.items):
                if not isinstance(hook, Mapping):
                    continue
                base = f"{hook_key}[{index}]"
                for suffix, scalar, prefix in _scalars(hook.get("command")):
                    text = text_of(scalar)
                    if text is not None:
                        yield StringRef(Where.HOOK, f"{base}.command{suffix}", scalar, text, prefix=prefix)
                yield from _pairs(hook.get("environment"), f"{base}.environment", Where.HOOK)
    yield from _pairs(service.get("labels"), "labels", Where.LABEL)
    build = service.get("build")
    if isinstance(build, Mapping):
        yield from _pairs(build.get("args"), "build.args", Where.BUILD_ARG)
    for suffix, scalar, _ in _scalars(service.get("dns")):
        text = text_of(scalar)
        if text is not None:
            yield StringRef(Where.DNS, "dns" + suffix, scalar, text)
    logging = service.get("logging")
    if isinstance(logging, Mapping):
        yield from _pairs(logging.get("options"), "logging.options", Where.LOGGING)
    for name, content in svc.configs:
        text = text_of(content)
        if text is not None:
            yield StringRef(Where.CONFIG, f"configs.{name}.content", content, text)


class HostEntry(NamedTuple):
    """One `extra_hosts` entry, list (`name:ip`, `name=ip`) or mapping (`name: ip`) form."""

    name: str
    address: str
    node: Scalar
    path: str


def extra_hosts(service: Service) -> Iterator[HostEntry]:
    node = service.get("extra_hosts")
    if isinstance(node, Sequence):
        for index, item in enumerate(node.items):
            text = text_of(item)
            if text is None or not isinstance(item, Scalar):
                continue
            # `name=ip` (Compose >= 2.24.1) splits at the first `=`, else `name:ip` at the first `:`, so that
            # IPv6 addresses keep their colons (compose-go types.ExtraHosts).
            name, sep, address = text.partition("=")
            if not sep:
                name, sep, address = text.partition(":")
            if sep:
                yield HostEntry(name.strip(), address.strip().strip("[]"), item, f"extra_hosts[{index}]")
    elif isinstance(node, Mapping):
        for name, entry in node.entries.items():
            values = entry.value.items if isinstance(entry.value, Sequence) else [entry.value]
            for value in values:
                text = text_of(value)
                if text is not None and isinstance(value, Scalar):
                    yield HostEntry(name, text.strip("[]"), value, f"extra_hosts.{name}")


# Variables whose value is handed to browsers or outside clients, not used by the container to connect
# (docs/platforms.md#where-addresses-appear): public/base URLs, front-end build variables, CORS and host
# allow-lists, OAuth redirects, Kafka advertised listeners, JMX host names.
_HANDED_OUT = re.compile(
    r"^(NEXT_PUBLIC_|VITE_|REACT_APP_|NUXT_PUBLIC_|PUBLIC_|EXPO_PUBLIC_|GATSBY_|STORYBOOK_)"
    r"|(^|_)(APP|PUBLIC|SITE|BASE|EXTERNAL|ROOT|FRONTEND|WEB|NEXTAUTH|CALLBACK|REDIRECT|HOMEPAGE)_?URLS?$"
    r"|_PUBLIC_|PUBLIC_(URL|HOST|ADDRESS)|EXTERNAL|BROWSER|CLIENT_SIDE|FRONT_?END_"
    r"|CORS|ALLOWED_|ORIGINS?$|TRUSTED_|WHITE_?LIST|ALLOW_?LIST|_DOMAINS?$|^DOMAINS?$|NO_PROXY"
    r"|REDIRECT|CALLBACK|RETURN_(URL|URI|TO)|LOGOUT_UR[IL]|LOGIN_UR[IL]|ISSUER|_ISS$|AUDIENCE"
    r"|ADVERTISE|ANNOUNCE"
    r"|JMX_HOSTNAME|RMI_SERVER_HOSTNAME|VIRTUAL_HOST|SERVER_NAME|PHX_HOST|IDE_CONFIG|SITE_ADDRESS|REAL_IP"
    r"|(^|_)(DASHBOARD|ADMIN|UI|CONSOLE|PORTAL|STOREFRONT|FRONTEND|WEBAPP)_URLS?$|MYSQL_ROOT_HOST",
    re.IGNORECASE,
)


# Addresses a server hands to its clients, which connect to them.
ADVERTISED = re.compile(r"ADVERTISE|ANNOUNCE", re.IGNORECASE)


def handed_out(name: str | None) -> bool:
    """True for a variable whose value other clients use (a URL for browsers, an advertised address)."""
    return name is not None and _handed_out(name)


# Names repeat across services and files (the corpus asks ~19,000 times about ~2,800 names), and the pattern
# above is a long case-insensitive alternation: each name is matched once.
@functools.lru_cache(maxsize=8192)
def _handed_out(name: str) -> bool:
    return _HANDED_OUT.search(name) is not None


# --- loopback addresses -------------------------------------------------------------------------------------

# localhost, *.localhost, 127.0.0.0/8 and ::1 (docs/platforms.md#bridge-networks); 127.0.0.11 is Docker's
# embedded DNS, not loopback use.
_LOOPBACK = re.compile(
    r"(?<![\w.\-])(localhost|(?:[a-z0-9-]+\.)+localhost|127(?:\.\d{1,3}){3}|\[::1\]|(?<![:\w])::1)(?![\w\-]|\.\w)",
    re.IGNORECASE,
)
_SCHEME_BEFORE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*)://(?:[^/@\s]*@)?$")

SCHEME_PORTS = {
    "http": 80,
    "ws": 80,
    "https": 443,
    "wss": 443,
    "postgres": 5432,
    "postgresql": 5432,
    "postgis": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "redis": 6379,
    "rediss": 6379,
    "mongodb": 27017,
    "amqp": 5672,
    "amqps": 5671,
    "nats": 4222,
    "kafka": 9092,
    "memcached": 11211,
    "mqtt": 1883,
    "ldap": 389,
    "ldaps": 636,
    "smtp": 25,
    "ftp": 21,
    "sqlserver": 1433,
    "mssql": 1433,
    "clickhouse": 9000,
    "zookeeper": 2181,
}

# Client programs: their `--host`/`-h`/`-p` name the server they connect to, not an address to listen on.
CLIENTS = frozenset(
    {
        "psql",
        "pg_isready",
        "pg_dump",
        "pg_restore",
        "mysql",
        "mysqladmin",
        "mysqldump",
        "mariadb",
        "redis-cli",
        "mongo",
        "mongosh",
        "mongodump",
        "curl",
        "wget",
        "nc",
        "ncat",
        "telnet",
        "wait-for-it",
        "wait-for-it.sh",
        "dockerize",
        "kafka-topics",
        "kafka-console-producer",
        "kafka-console-consumer",
        "rabbitmqadmin",
        "http",
        "grpcurl",
        "sqlcmd",
        "cqlsh",
        "influx",
        "clickhouse-client",
        "nats",
        "mc",
    }
)
CLIENT_PORTS = {
    "psql": 5432,
    "pg_isready": 5432,
    "pg_dump": 5432,
    "mysql": 3306,
    "mysqladmin": 3306,
    "mariadb": 3306,
    "redis-cli": 6379,
    "mongo": 27017,
    "mongosh": 27017,
    "cqlsh": 9042,
}
_BIND_FLAG = re.compile(
    r"(?:--(?![\w.-]*advertise)[\w.-]*(?:host|bind|listen|addr|address|ip)|-b|\blisten)(?:=|\s+)['\"]?"
    r"(?:[a-z]+://)?$",
    re.IGNORECASE,
)
_BIND_NAME = re.compile(
    r"^(HOST|BIND|LISTEN|LISTENERS|LISTEN_ADDR|LISTEN_ADDRESS|BIND_ADDR|BIND_ADDRESS|FLASK_RUN_HOST|UVICORN_HOST|"
    r"GUNICORN_BIND|NUXT_HOST|NITRO_HOST|SERVER_HOST|HOST_IP|HTTP_ADDR)$"
    r"|_(BIND|LISTEN)(_|$)|^(BIND|LISTEN)_|(?<!ADVERTISED)_LISTENERS$|SERVER_ADDR(ESS)?$"
    r"|_(LISTEN_ADDR|HTTP_ADDR|BIND_ADDR|BIND_HOST|LISTEN_HOST|LISTEN_ADDRESS)$"
    r"|^(network|transport|http)\.(bind_|publish_)?host$",  # Elasticsearch/OpenSearch settings
    re.IGNORECASE,
)
# `--advertise-addr external://localhost:19092`: an address handed to clients, not one this container uses.
_ADVERTISE_FLAG = re.compile(r"--[\w.-]*advertise[\w.-]*(?:=|\s+)\S*$", re.IGNORECASE)
# Variables that name a server to connect to: a bare loopback host there is worth an (informational) finding.
_CONNECT_NAME = re.compile(r"(HOST|SERVER|SERVERS|ADDR|ADDRESS|URL|URI|DSN|ENDPOINT|BROKERS?|NODES)$", re.IGNORECASE)
_BOUND_PORT = re.compile(r"(?:^|[\s,;=/@\]]|://)(?:[\w.\-]*|\[[0-9a-f:]*\])?:(\d{2,5})\b", re.IGNORECASE)
_PORT_FLAG = re.compile(
    r"(?:--(?:port|https?-port|listen-port|grpc-port|metrics-port|admin-port)|\bPORT)(?:=|\s+)['\"]?(\d{2,5})\b"
)
_SEGMENT = re.compile(r"(?:&&|\|\||[;&|\n]|-c\s+['\"]?)")
_PORT_AFTER = re.compile(r":(\d{1,5})(?!\d)")


class Address(NamedTuple):
    """A loopback host inside a string: where it is, its port (explicit or the scheme's), and whether the
    string configures a server to listen there (bind) rather than a client to connect."""

    host: str
    port: int | None
    start: int
    end: int
    # The URL scheme before the host (`postgres`), which is evidence that the container connects to it.
    scheme: str | None
    explicit_port: bool
    bind: bool = False

    @property
    def shown(self) -> str:
        return f"{self.host}:{self.port}" if self.explicit_port else self.host


def bind_context(text: str) -> bool:
    """True when ``text`` (what precedes an address) ends with a listen flag: `--listen `, `--bind=`, `-b `."""
    return _BIND_FLAG.search(text[-40:]) is not None


def is_bind_name(name: str | None) -> bool:
    return name is not None and _is_bind_name(name)


@functools.lru_cache(maxsize=8192)
def _is_bind_name(name: str) -> bool:
    return _BIND_NAME.search(name) is not None and not _handed_out(name)


def is_connect_name(name: str | None) -> bool:
    return name is not None and _CONNECT_NAME.search(name) is not None


def bound_ports(value: str) -> Iterator[int]:
    """Ports in a listen setting: `0.0.0.0:8080`, `PLAINTEXT://:9092,CONTROLLER://0.0.0.0:29093`, `:9000`."""
    for match in _BOUND_PORT.finditer(value):
        yield int(match.group(1))


class _Segments:
    """Where each shell segment of a string starts, found once: the program for any offset is then a bisection
    and a few words, not a split of everything before it (which made long commands quadratic)."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.ends = [match.end() for match in _SEGMENT.finditer(value)]

    def program(self, start: int) -> str:
        """The program of the shell segment that contains ``start`` (`redis-cli` in `sh -c "redis-cli -h ..."`)."""
        at = bisect.bisect_right(self.ends, start) - 1
        begin = self.ends[at] if at >= 0 else 0
        words: list[str] = []
        for match in _WORD.finditer(self.value, begin, start):
            word = match.group()
            if not words and ("=" in word or word in ("exec", "sudo", "env", "time", "nohup")):
                continue
            words.append(word)
            break
        return words[0].rsplit("/", 1)[-1] if words else ""


_WORD = re.compile(r"\S+")


def _program(value: str, start: int) -> str:
    """The program of the shell segment that contains ``start`` (`redis-cli` in `sh -c "redis-cli -h ..."`)."""
    return _Segments(value).program(start)


def _first_program(value: str) -> str:
    words = value.split()
    return words[0].rsplit("/", 1)[-1] if words else ""


def loopbacks(value: str, start_at: int = 0, prefix: str = "") -> Iterator[Address]:
    """Loopback hosts in ``value`` (from ``start_at``), with their ports and whether they are bind addresses;
    ``prefix`` is the command text before ``value`` when it is one item of a list-form command."""
    segments: _Segments | None = None
    for match in _LOOPBACK.finditer(value, start_at):
        host = match.group(1)
        if host.lower() in LEGACY_DESKTOP_NAMES:
            continue  # `docker.for.mac.localhost` names the host on old Desktop: CF109, not loopback
        if host.startswith("127."):
            octets = [int(o) for o in host.split(".")]
            if host == "127.0.0.11" or any(o > 255 for o in octets):
                continue
        port: int | None = None
        explicit = False
        port_match = _PORT_AFTER.match(value, match.end())
        if port_match:
            port, explicit = int(port_match.group(1)), True
        scheme_match = _SCHEME_BEFORE.search(value[max(0, match.start() - 200) : match.start()])
        scheme = scheme_match.group(1).lower().rsplit(":", 1)[-1] if scheme_match else None
        if scheme is None and match.start() > 0 and value[match.start() - 1] == "@":
            continue  # `admin@localhost`: an e-mail address, not a host to connect to
        if port is None and scheme is not None:
            port = SCHEME_PORTS.get(scheme.split("+", 1)[0])
        head = value[max(0, match.start() - 80) : match.start()]
        before = (prefix[-80:] + head)[-80:] if len(head) < 80 else head
        if _ADVERTISE_FLAG.search(before):
            continue
        before = before[-40:]
        if segments is None:
            segments = _Segments(prefix + value)
        program = segments.program(len(prefix) + match.start())
        bind = _BIND_FLAG.search(before) is not None and program not in CLIENTS
        if port is None and program in CLIENTS:
            cut = _SEGMENT.search(value, match.end())
            rest = value[match.end() : cut.start() if cut is not None else len(value)]
            flag = re.search(r"(?:^|\s)(?:-p|--port)(?:=|\s+)(\d{1,5})\b", rest)
            port = int(flag.group(1)) if flag else CLIENT_PORTS.get(program)
        yield Address(host, port, match.start(), match.end(), scheme, explicit, bind)


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


def program_at(value: str, start: int, prefix: str = "") -> str:
    """The program of the shell segment holding ``value[start]`` (with a list-form command's earlier items)."""
    return _program(prefix + value, len(prefix) + start)


def port_flags(value: str) -> Iterator[int]:
    """Ports a server command says it listens on: `--port 8080`, `--port=8080`, `PORT=8080`."""
    if _first_program(value) in CLIENTS:
        return
    segments = _Segments(value)
    for match in _PORT_FLAG.finditer(value):
        if segments.program(match.start()) not in CLIENTS:
            yield int(match.group(1))


# --- host names and addresses ---------------------------------------------------------------------------------

HOST_ALIAS = "host.docker.internal"
# The `extra_hosts` entry that makes the alias work on Linux (docs/platforms.md#the-host-gateway-value).
GATEWAY_ENTRY = f"{HOST_ALIAS}:host-gateway"

# Desktop-only names (docs/platforms.md#old-docker-desktop-names): vpnkit's old aliases and the gateway names.
LEGACY_DESKTOP_NAMES = (
    "docker.for.mac.localhost",
    "docker.for.win.localhost",
    "docker.for.mac.host.internal",
    "docker.for.win.host.internal",
    "docker.for.mac.gateway.internal",
    "docker.for.win.gateway.internal",
    "docker.for.mac.http.internal",
    "gateway.docker.internal",
)

# docker0's usual gateway, its pre-1.x default, and the addresses Desktop used behind host.docker.internal
# (docs/platforms.md#the-docker0-bridge-address): all of them are VM addresses on VM-backed engines.
DEFAULT_BRIDGE_IPS = ("172.17.0.1", "172.17.42.1", "192.168.65.2", "192.168.65.254")
# The gateways of the networks Docker creates from its default address pools (172.17.0.0/16 ... 172.31.0.0/16):
# Compose networks get 172.18.0.1, 172.19.0.1, ... On Linux they are the machine; on VM-backed engines, the VM.
NETWORK_GATEWAY_IPS = tuple(f"172.{octet}.0.1" for octet in range(18, 32))


def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])({alternatives})(?![\w-]|\.\w)", re.IGNORECASE)


def _ip_pattern(addresses: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(a) for a in addresses)
    # Not part of a longer number (172.17.0.10) and not a CIDR (172.17.0.1/16 names a network, not a host).
    return re.compile(rf"(?<![\w.])({alternatives})(?![\w/]|\.\d)")


HOST_ALIAS_RE = _name_pattern((HOST_ALIAS,))
LEGACY_RE = _name_pattern(LEGACY_DESKTOP_NAMES)


def bridge_ip_pattern(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    return _ip_pattern(tuple(dict.fromkeys(DEFAULT_BRIDGE_IPS + NETWORK_GATEWAY_IPS + extra)))


def matches(ref: StringRef, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of each match of ``pattern`` in the value part of ``ref``."""
    for match in pattern.finditer(ref.value, ref.value_start):
        yield match.start(1), match.end(1), match.group(1)
