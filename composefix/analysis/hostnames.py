"""Names and addresses that mean the host: `host.docker.internal`, Docker Desktop's legacy names, the default bridge
gateways."""

from __future__ import annotations

import re

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
