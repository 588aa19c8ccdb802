"""Loopback addresses inside a string: where they are, their port, and whether a program binds to them or connects to
them."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from composefix.analysis.hostnames import LEGACY_DESKTOP_NAMES

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
