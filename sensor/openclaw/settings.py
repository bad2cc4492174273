"""Risk-relevant config settings as ``key.path=value`` strings (``Event.ConfigSettings``).

Only enums, booleans, numbers and allow-list wildcards are emitted, never free text (a token, a host,
a path or an e-mail address never appears): string values must belong to the key's known enum, list
values contribute only their ``*`` entries (or enum members, for ``hooks.presets``).
"""

from __future__ import annotations

from typing import Any, Final

from sensor.openclaw.config import get_path
from sensor.openclaw.exposure import dangerous_flags

_ENUMS: Final[dict[str, frozenset[str]]] = {
    "gateway.mode": frozenset({"local", "remote"}),
    "gateway.bind": frozenset({"loopback", "lan", "tailnet", "custom", "auto"}),
    "gateway.auth.mode": frozenset({"token", "password", "none", "trusted-proxy"}),
    "gateway.tailscale.mode": frozenset({"off", "serve", "funnel"}),
    "tools.profile": frozenset({"minimal", "coding", "messaging", "full"}),
    "tools.exec.host": frozenset({"auto", "sandbox", "gateway", "node"}),
    "tools.exec.mode": frozenset({"deny", "allowlist", "ask", "auto", "full"}),
    "tools.exec.security": frozenset({"deny", "allowlist", "full"}),
    "tools.exec.ask": frozenset({"off", "on-miss", "always"}),
    "agents.defaults.sandbox.mode": frozenset({"off", "non-main", "all"}),
    "agents.defaults.sandbox.workspaceAccess": frozenset({"none", "ro", "rw"}),
    "agents.defaults.sandbox.docker.network": frozenset({"none", "bridge", "host"}),
    "discovery.mdns.mode": frozenset({"off", "minimal", "full"}),
}
_BOOLEANS: Final[tuple[str, ...]] = (
    "tools.elevated.enabled",
    "tools.fs.workspaceOnly",
    "tools.exec.strictInlineEval",
    "browser.enabled",
    "browser.evaluateEnabled",
    "hooks.enabled",
    "hooks.allowRequestSessionKey",
    "gateway.terminal.enabled",
    "gateway.allowRealIpFallback",
    "gateway.auth.allowTailscale",
    "gateway.http.endpoints.chatCompletions.enabled",
    "gateway.http.endpoints.responses.enabled",
)
_NUMBERS: Final[tuple[str, ...]] = ("gateway.port",)
_WILDCARD_LISTS: Final[tuple[str, ...]] = ("gateway.controlUi.allowedOrigins", "gateway.tools.allow")
_CHANNEL_POLICIES: Final[frozenset[str]] = frozenset({"open", "pairing", "allowlist", "disabled"})
_PRESETS: Final[frozenset[str]] = frozenset({"gmail"})


def _bool_or_number(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def risk_settings(config: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, allowed in _ENUMS.items():
        value = get_path(config, key)
        if isinstance(value, str) and value in allowed:
            out.append(f"{key}={value}")
    for key in (*_BOOLEANS, *_NUMBERS):
        text = _bool_or_number(get_path(config, key))
        if text is not None:
            out.append(f"{key}={text}")
    for key in _WILDCARD_LISTS:
        value = get_path(config, key)
        if isinstance(value, list):
            out.extend(f"{key}=*" for item in value if item == "*")
            if key == "gateway.tools.allow":
                out.extend(f"{key}={item}" for item in value if item in ("exec", "gateway", "read", "write"))
    elevated = get_path(config, "tools.elevated.allowFrom")
    if isinstance(elevated, dict):
        for channel, senders in elevated.items():
            if isinstance(senders, list) and "*" in senders:
                out.append(f"tools.elevated.allowFrom.{channel}=*")
    presets = get_path(config, "hooks.presets")
    if isinstance(presets, list):
        out.extend(f"hooks.presets={p}" for p in presets if p in _PRESETS)
    if isinstance(get_path(config, "hooks.gmail.account"), str):
        out.append("hooks.gmail.account=set")
    out.extend(_channel_settings(config))
    for flag in sorted(set(dangerous_flags(config))):
        if not _listed(flag, out):
            value = get_path(config, flag)
            text = _bool_or_number(value)
            if text is None:
                text = "approve-all" if value == "approve-all" else "set"
            out.append(f"{flag}={text}")
    return sorted(set(out))


def _listed(flag: str, out: list[str]) -> bool:
    return any(entry.startswith(flag + "=") for entry in out)


def _channel_settings(config: dict[str, Any]) -> list[str]:
    out: list[str] = []
    channels = get_path(config, "channels")
    if not isinstance(channels, dict):
        return out
    for name, channel in channels.items():
        if not isinstance(channel, dict) or not str(name).replace("-", "").isalnum():
            continue
        base = f"channels.{name}"
        enabled = channel.get("enabled")
        out.append(f"{base}.enabled={'false' if enabled is False else 'true'}")
        for key in ("dmPolicy", "groupPolicy"):
            if channel.get(key) in _CHANNEL_POLICIES:
                out.append(f"{base}.{key}={channel[key]}")
        allow = channel.get("allowFrom")
        if isinstance(allow, list) and "*" in allow:
            out.append(f"{base}.allowFrom=*")
    return out
