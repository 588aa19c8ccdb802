"""Images that use `network_mode: host` for something only a Linux host's own network gives them: LAN discovery
(mDNS, SSDP, DHCP broadcasts) or a view of the host's interfaces. On VM-backed engines "host" is the VM, whose
network is not the LAN, so leaving host mode restores the ports but not the discovery: CF101 says "Linux-only by
design" for them instead of suggesting a rewrite that would pretend.

Keys are image names without registry, tag or digest (`library/` implied), as `composefix.analysis.topology.image_name`
makes them. Each entry: the reason, and the public source that says the image needs host networking.
"""

from __future__ import annotations

from typing import NamedTuple


class HostNetworkNeed(NamedTuple):
    reason: str
    source: str
    # The need holds only when the service adds this capability (Pi-hole needs NET_ADMIN only to serve DHCP).
    capability: str | None = None


_HOME_ASSISTANT = HostNetworkNeed(
    "it discovers devices on the LAN with mDNS/SSDP multicast, which does not reach the VM",
    "https://github.com/home-assistant/home-assistant.io/issues/22534",
)
_PLEX = HostNetworkNeed(
    "LAN clients find it through GDM/SSDP discovery broadcasts, which do not reach the VM",
    "https://github.com/plexinc/pms-docker#readme",
)
_HOMEBRIDGE = HostNetworkNeed(
    "it advertises HomeKit accessories on the LAN with mDNS (Bonjour), which does not leave the VM",
    "https://github.com/homebridge/docker-homebridge#readme",
)
_ESPHOME = HostNetworkNeed(
    "it finds ESP devices on the LAN with mDNS, which does not reach the VM",
    "https://esphome.io/guides/faq/",
)

HOST_NETWORK: dict[str, HostNetworkNeed] = {
    "homeassistant/home-assistant": _HOME_ASSISTANT,
    "home-assistant/home-assistant": _HOME_ASSISTANT,
    "linuxserver/homeassistant": _HOME_ASSISTANT,
    "pihole/pihole": HostNetworkNeed(
        "with NET_ADMIN it serves DHCP, whose broadcasts on the LAN do not cross into the VM",
        "https://docs.pi-hole.net/docker/DHCP/",
        "NET_ADMIN",
    ),
    "plexinc/pms-docker": _PLEX,
    "linuxserver/plex": _PLEX,
    "homebridge/homebridge": _HOMEBRIDGE,
    "oznu/homebridge": _HOMEBRIDGE,
    "esphome/esphome": _ESPHOME,
    "prom/node-exporter": HostNetworkNeed(
        "it reports the host's network interfaces, and on a VM-backed engine the host it sees is the VM",
        "https://github.com/prometheus/node_exporter#docker",
    ),
    "prometheus/node-exporter": HostNetworkNeed(
        "it reports the host's network interfaces, and on a VM-backed engine the host it sees is the VM",
        "https://github.com/prometheus/node_exporter#docker",
    ),
}
