"""What an install can touch, in the fixed ``GRANTS`` vocabulary, each with evidence and risk notes.

Defaults matter: with no sandbox config the exec tool runs on the host (sandbox ``off`` is the default,
``tools.exec.host: auto`` resolves to the gateway, 2026.9 host mode defaults to ``full``) and the
browser tool is on with ``evaluateEnabled``. So a fresh onboard already grants ``shell``,
``filesystem`` and ``browser``. Evidence is a config key path or a file, never a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sensor.openclaw.config import get_path
from sensor.schema.inventory import Credential, GrantEvidence
from sensor.schema.vocabulary import GRANTS, Grant

# channels.<name> in the config -> the grant it gives (any other channel: other_channels)
NAMED_CHANNELS: dict[str, Grant] = {
    grant.value: grant
    for grant in (Grant.slack, Grant.telegram, Grant.discord, Grant.whatsapp, Grant.signal, Grant.imessage,
                  Grant.msteams)
}
_CHANNEL_META_KEYS = frozenset({"defaults", "default", "enabled"})
_NO_EXEC_PROFILES = frozenset({"minimal", "messaging"})
_NO_FS_PROFILES = frozenset({"minimal", "messaging"})
_MODEL_KINDS = frozenset(
    {
        "anthropic_api_key",
        "openai_api_key",
        "gemini_api_key",
        "openrouter_api_key",
        "model_api_key",
        "model_oauth_token",
        "claude_code_oauth",
        "codex_auth",
        "qwen_oauth",
        "minimax_oauth",
    }
)


@dataclass
class GrantFacts:
    """Non-config facts the grant rules need (from the state dir and the credential scan)."""

    credentials: list[Credential] = field(default_factory=list)
    whatsapp_session_dir: str | None = None
    slack_plugin_dir: str | None = None
    gog_store: str | None = None


def _denied(config: dict[str, Any], tool: str, groups: Iterable[str]) -> str | None:
    deny = get_path(config, "tools.deny")
    if isinstance(deny, list):
        for item in deny:
            if item == tool or item in groups:
                return f"tools.deny contains {item!r}"
    return None


def _agent_overrides(config: dict[str, Any], dotted: str) -> list[tuple[str, Any]]:
    """(key path, value) of per-agent overrides, new layout (agents.entries.<id>) and old (agents.list[])."""
    out: list[tuple[str, Any]] = []
    entries = get_path(config, "agents.entries")
    if isinstance(entries, dict):
        for agent_id, agent in entries.items():
            if isinstance(agent, dict):
                value = get_path(agent, dotted)
                if value is not None:
                    out.append((f"agents.entries.{agent_id}.{dotted}", value))
    listed = get_path(config, "agents.list")
    if isinstance(listed, list):
        for index, agent in enumerate(listed):
            if isinstance(agent, dict):
                value = get_path(agent, dotted)
                if value is not None:
                    out.append((f"agents.list.{index}.{dotted}", value))
    return out


def _shell(config: dict[str, Any]) -> GrantEvidence | None:
    profile = get_path(config, "tools.profile")
    allow = get_path(config, "tools.allow")
    allowed_explicitly = isinstance(allow, list) and any(a in ("exec", "group:runtime") for a in allow)
    if profile in _NO_EXEC_PROFILES and not allowed_explicitly:
        return None
    if _denied(config, "exec", ("group:runtime",)):
        return None
    exec_mode = get_path(config, "tools.exec.mode")
    security = get_path(config, "tools.exec.security")
    if exec_mode == "deny" or security == "deny":
        return None
    host = get_path(config, "tools.exec.host")
    sandbox = get_path(config, "agents.defaults.sandbox.mode")
    agent_sandboxes = [(k, v) for k, v in _agent_overrides(config, "sandbox.mode") if v != "all"]
    sandboxed = sandbox == "all" and host in (None, "auto", "sandbox") and not agent_sandboxes
    if sandboxed:
        return None
    risk: list[str] = []
    if sandbox in (None, "off"):
        risk.append("sandbox off" + (" (default)" if sandbox is None else ""))
    elif sandbox == "non-main":
        risk.append("sandbox only for non-main sessions")
    risk.extend(f"{k}={v}" for k, v in agent_sandboxes)
    risk.append(f"exec host {host}" if host else "exec host auto -> gateway (default)")
    if exec_mode == "full" or security == "full":
        risk.append("exec mode full: no approval")
    elif exec_mode is None and security is None:
        risk.append("exec mode default (full on 2026.9 hosts: no approval)")
    if get_path(config, "tools.exec.ask") == "off":
        risk.append("exec ask off")
    if get_path(config, "tools.elevated.enabled") is True:
        risk.append("elevated tools enabled")
    if profile:
        risk.append(f"tools.profile {profile}")
    source = next(
        (
            k
            for k in (
                "tools.exec.host",
                "tools.exec.mode",
                "tools.exec.security",
                "agents.defaults.sandbox.mode",
                "tools.profile",
            )
            if get_path(config, k) is not None
        ),
        "default (tools.exec, sandbox off)",
    )
    return GrantEvidence(grant=Grant.shell, source=source, detail="exec tool runs commands on the host", risk=risk)


def _filesystem(config: dict[str, Any]) -> GrantEvidence | None:
    profile = get_path(config, "tools.profile")
    if profile in _NO_FS_PROFILES or _denied(config, "read", ("group:fs",)):
        return None
    risk = []
    if get_path(config, "tools.fs.workspaceOnly") is False:
        risk.append("tools.fs.workspaceOnly=false: whole filesystem")
    if get_path(config, "agents.defaults.sandbox.mode") in (None, "off"):
        risk.append("sandbox off: host filesystem")
    source = (
        "tools.fs.workspaceOnly"
        if get_path(config, "tools.fs") is not None
        else ("tools.profile" if profile else "default (read/write/edit tools)")
    )
    return GrantEvidence(grant=Grant.filesystem, source=source, detail="read/write/edit tools", risk=risk)


def _browser(config: dict[str, Any]) -> GrantEvidence | None:
    if get_path(config, "browser.enabled") is False or _denied(config, "browser", ("group:ui",)):
        return None
    risk = []
    if get_path(config, "browser.evaluateEnabled") is not False:
        risk.append("browser evaluate enabled (arbitrary JavaScript)")
    profiles = get_path(config, "browser.profiles")
    if isinstance(profiles, dict):
        for name, prof in profiles.items():
            if isinstance(prof, dict) and prof.get("driver") == "existing-session":
                risk.append(f"browser.profiles.{name} attaches to the user's real browser session")
    if get_path(config, "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork") is True:
        risk.append("browser may reach private networks")
    source = "browser.enabled" if get_path(config, "browser.enabled") is not None else "default (browser.enabled)"
    return GrantEvidence(grant=Grant.browser, source=source, detail="managed browser tool", risk=risk)


def _channel_risks(path: str, channel: dict[str, Any]) -> list[str]:
    risk = []
    scopes: list[tuple[str, dict[str, Any]]] = [(path, channel)]
    accounts = channel.get("accounts")
    if isinstance(accounts, dict):
        scopes.extend((f"{path}.accounts.{k}", v) for k, v in accounts.items() if isinstance(v, dict))
    for scope_path, scope in list(scopes):
        dm = scope.get("dm")
        if isinstance(dm, dict):  # older shape: channels.<ch>.dm.{policy, allowFrom}
            scopes.append((f"{scope_path}.dm", {"dmPolicy": dm.get("policy"), "allowFrom": dm.get("allowFrom")}))
    for scope_path, scope in scopes:
        if scope.get("dmPolicy") == "open":
            risk.append(f"{scope_path}.dmPolicy open")
        if scope.get("groupPolicy") == "open":
            risk.append(f"{scope_path}.groupPolicy open")
        allow = scope.get("allowFrom")
        if isinstance(allow, list) and "*" in allow:
            risk.append(f"{scope_path}.allowFrom *")
        if scope.get("userToken"):
            risk.append(f"{scope_path}.userToken: acts as the user")
    return risk


def _channels(config: dict[str, Any]) -> list[GrantEvidence]:
    out: list[GrantEvidence] = []
    channels = get_path(config, "channels")
    if not isinstance(channels, dict):
        return out
    elevated = get_path(config, "tools.elevated.allowFrom")
    for name, channel in channels.items():
        if name in _CHANNEL_META_KEYS or not isinstance(channel, dict) or channel.get("enabled") is False:
            continue
        grant = NAMED_CHANNELS.get(name, Grant.other_channels)
        path = f"channels.{name}"
        risk = _channel_risks(path, channel)
        if isinstance(elevated, dict) and isinstance(elevated.get(name), list) and "*" in elevated[name]:
            risk.append(f"tools.elevated.allowFrom.{name} *")
        secret_keys = [
            k for k in ("botToken", "appToken", "userToken", "signingSecret", "token", "appPassword") if k in channel
        ]
        source = f"{path}.{secret_keys[0]}" if secret_keys else path
        detail = name if grant == Grant.other_channels else f"{name} channel configured"
        out.append(GrantEvidence(grant=grant, source=source, detail=detail, risk=risk))
    return out


def _gmail(config: dict[str, Any], facts: GrantFacts, shell: bool) -> GrantEvidence | None:
    account = get_path(config, "hooks.gmail.account")
    presets = get_path(config, "hooks.presets")
    hooks_on = get_path(config, "hooks.enabled") is True
    if hooks_on and (account or (isinstance(presets, list) and "gmail" in presets)):
        risk = ["Gmail hook via gog (gog gmail watch serve)"]
        if get_path(config, "hooks.gmail.allowUnsafeExternalContent") is True:
            risk.append("hooks.gmail.allowUnsafeExternalContent")
        if get_path(config, "hooks.allowRequestSessionKey") is True:
            risk.append("hooks.allowRequestSessionKey")
        source = "hooks.gmail.account" if account else "hooks.presets"
        return GrantEvidence(grant=Grant.gmail, source=source, detail="mail is fed to the agent", risk=risk)
    if facts.gog_store and shell:
        return GrantEvidence(
            grant=Grant.gmail,
            source=facts.gog_store,
            detail="gogcli authorised; agent can run gog",
            risk=["gog skill via exec"],
        )
    return None


def grants_for(config: dict[str, Any], facts: GrantFacts) -> list[GrantEvidence]:
    """All grants with evidence, in vocabulary order (several evidences per grant possible)."""
    evidence: list[GrantEvidence] = []
    shell = _shell(config)
    for item in (shell, _filesystem(config), _browser(config)):
        if item is not None:
            evidence.append(item)
    evidence.extend(_channels(config))
    granted = {e.grant for e in evidence}
    if "slack" not in granted and facts.slack_plugin_dir:
        evidence.append(
            GrantEvidence(grant=Grant.slack, source=facts.slack_plugin_dir, detail="Slack plugin installed")
        )
    if "whatsapp" not in granted and facts.whatsapp_session_dir:
        evidence.append(
            GrantEvidence(grant=Grant.whatsapp, source=facts.whatsapp_session_dir, detail="linked WhatsApp session")
        )
    gmail = _gmail(config, facts, shell is not None)
    if gmail is not None:
        evidence.append(gmail)
    model_creds = sorted({(c.kind, c.path) for c in facts.credentials if c.kind in _MODEL_KINDS})
    if model_creds:
        path = model_creds[0][1]
        evidence.append(
            GrantEvidence(grant=Grant.model_api_keys, source=path,
                          detail=", ".join(sorted({k for k, _ in model_creds})))
        )
    elif isinstance(get_path(config, "models.providers"), dict) and any(
        isinstance(p, dict) and p.get("apiKey") for p in get_path(config, "models.providers").values()
    ):
        evidence.append(GrantEvidence(grant=Grant.model_api_keys, source="models.providers", detail="provider apiKey"))
    order = {name: i for i, name in enumerate(GRANTS)}
    return sorted(evidence, key=lambda e: order.get(e.grant, len(order)))


def grant_names(evidence: Iterable[GrantEvidence]) -> list[Grant]:
    names = {e.grant for e in evidence}
    return [g for g in GRANTS if g in names]
