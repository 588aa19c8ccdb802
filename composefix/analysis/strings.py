"""The strings of a service that reach a container or the engine, each with where it sits, and its `extra_hosts`
entries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import NamedTuple

from composefix.reading.document import Mapping, Node, Scalar, Sequence
from composefix.reading.project import Service, text_of


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


def matches(ref: StringRef, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of each match of ``pattern`` in the value part of ``ref``."""
    for match in pattern.finditer(ref.value, ref.value_start):
        yield match.start(1), match.end(1), match.group(1)
