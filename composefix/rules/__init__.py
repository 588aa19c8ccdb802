"""The registry of rules: every rule module, listed explicitly, in code order."""

from __future__ import annotations

import difflib

from composefix.rules import (
    cf001_yaml_syntax_error,
    cf002_schema_violation,
    cf003_duplicate_key,
    cf004_missing_reference,
    cf101_host_network_mode,
    cf102_ports_ignored_in_host_mode,
    cf103_loopback_to_host,
    cf104_loopback_to_service,
    cf105_docker_bridge_ip,
    cf106_host_alias_fixed_ip,
    cf107_host_alias_needs_gateway,
    cf108_loopback_bind_published,
    cf109_desktop_legacy_hostname,
    cf110_bridge_network_mode,
    cf111_shared_namespace_conflict,
    cf201_timezone_mount,
    cf202_host_path_not_shared,
    cf203_host_device,
    cf204_gpu_reservation,
    cf205_database_bind_mount,
    cf206_elasticsearch_max_map_count,
    cf207_airplay_port,
    cf208_observes_the_vm,
    cf209_docker_socket_path,
    cf210_amd64_only_image,
    cf900_unused_suppression,
)
from composefix.rules.base import Rule

RULES: tuple[Rule, ...] = (
    cf001_yaml_syntax_error.RULE,
    cf002_schema_violation.RULE,
    cf003_duplicate_key.RULE,
    cf004_missing_reference.RULE,
    cf101_host_network_mode.RULE,
    cf102_ports_ignored_in_host_mode.RULE,
    cf103_loopback_to_host.RULE,
    cf104_loopback_to_service.RULE,
    cf105_docker_bridge_ip.RULE,
    cf106_host_alias_fixed_ip.RULE,
    cf107_host_alias_needs_gateway.RULE,
    cf108_loopback_bind_published.RULE,
    cf109_desktop_legacy_hostname.RULE,
    cf110_bridge_network_mode.RULE,
    cf111_shared_namespace_conflict.RULE,
    cf201_timezone_mount.RULE,
    cf202_host_path_not_shared.RULE,
    cf203_host_device.RULE,
    cf204_gpu_reservation.RULE,
    cf205_database_bind_mount.RULE,
    cf206_elasticsearch_max_map_count.RULE,
    cf207_airplay_port.RULE,
    cf208_observes_the_vm.RULE,
    cf209_docker_socket_path.RULE,
    cf210_amd64_only_image.RULE,
    cf900_unused_suppression.RULE,
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


class UnknownRuleError(ValueError):
    """A selector that names no rule, code prefix or rule name."""


def lookup(name_or_code: str) -> Rule:
    """The rule with this exact code or name (case-insensitive code)."""
    rule = BY_CODE.get(name_or_code.upper()) or BY_NAME.get(name_or_code.lower())
    if rule is None:
        raise UnknownRuleError(_unknown(name_or_code))
    return rule


def expand(selector: str) -> set[str]:
    """Codes matched by a code, a code prefix (`CF1`), a rule name, or `ALL`."""
    text = selector.strip()
    if text.upper() == "ALL":
        return set(BY_CODE)
    if text.lower() in BY_NAME:
        return {BY_NAME[text.lower()].code}
    codes = {code for code in BY_CODE if code.startswith(text.upper())}
    if not codes or len(text) < 2:
        raise UnknownRuleError(_unknown(text))
    return codes


def _unknown(text: str) -> str:
    choices = [*BY_CODE, *BY_NAME]
    if text[:2].upper() == "CF":
        # Letters typed for digits (CF1O1, CF1l0) are the commonest slip.
        guess = "CF" + text[2:].upper().translate(str.maketrans("OIL", "011"))
        close = [guess] if guess in BY_CODE else difflib.get_close_matches(guess, list(BY_CODE), n=1)
    else:
        close = difflib.get_close_matches(text.lower(), choices, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown rule `{text}`{hint}; `composefix rules` lists them"
