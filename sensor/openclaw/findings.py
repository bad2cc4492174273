"""The findings catalogue: stable ids, severities, titles, remediation lines, evidence keys and rules.

Ids never change meaning once published (fleet history and SIEM searches key on them); add new ids,
do not reuse old ones. ``make(id, evidence=…)`` builds a ``sensor.schema.Finding`` from the catalogue.

This table is the one source of a finding's severity and evidence: ``evidence`` names the config key
paths whose ``key=value`` settings (``Install.config_settings``, the strings the rules match as
``ConfigSettings``) the scan cites, and ``rules`` the Sigma rules in detections/ that report the same
condition. Their ``level`` is written from ``severity`` by scripts/sync_findings.py; a test checks
that both agree on the real fixture installs and that every evidence key occurs in a real config.
"""

from __future__ import annotations

from dataclasses import dataclass

from sensor.schema.inventory import Finding
from sensor.schema.vocabulary import FindingId, Level


@dataclass(frozen=True)
class FindingSpec:
    id: FindingId
    severity: Level
    title: str
    remediation: str
    evidence: tuple[str, ...] = ()  # config key paths; a `*` segment stands for any one name
    rules: tuple[str, ...] = ()  # ids of the rules in detections/ for the same condition


_C, _H, _M, _L, _I = Level.critical, Level.high, Level.medium, Level.low, Level.informational

CATALOGUE: dict[str, FindingSpec] = {
    spec.id: spec
    for spec in (
        FindingSpec(
            FindingId.INSTALL_PRESENT,
            _L,
            "OpenClaw state directory present",
            "Confirm the install is sanctioned; remove the state dir (after backing up) if not.",
            rules=("86ef8f49-c6a2-4565-a9a4-bc7a78e267bd",),  # presence/install_discovered
        ),
        FindingSpec(
            FindingId.LEGACY_INSTALL,
            _M,
            "Legacy Clawdbot/Moltbot install (unpatched, pre-rename build)",
            "Uninstall the legacy build or migrate it with `openclaw doctor --fix` on a current release.",
        ),
        FindingSpec(
            FindingId.RUNNING,
            _L,
            "OpenClaw gateway running",
            "Stop it (`openclaw gateway stop`) if the install is not sanctioned.",
        ),
        FindingSpec(
            FindingId.EXPOSED_NOAUTH,
            _C,
            "Gateway reachable from the network without authentication",
            "Set gateway.bind to loopback and gateway.auth.mode to token; restart the gateway.",
            evidence=("gateway.bind", "gateway.auth.mode"),
        ),
        FindingSpec(
            FindingId.EXPOSED,
            _H,
            "Gateway listens on (or is configured for) a non-loopback address",
            'Set gateway.bind to "loopback" and use an SSH tunnel or Tailscale Serve for remote access.',
            evidence=("gateway.bind",),
            rules=(
                "f2dc2725-3787-45c0-ae35-a33df9b0b536",  # exposure/bind_non_loopback
                "03d981e9-f084-49ec-9c4b-31d92168421b",  # exposure/gateway_listener_exposed
            ),
        ),
        FindingSpec(
            FindingId.AUTH_NONE,
            _H,
            "Gateway authentication disabled (gateway.auth.mode = none)",
            'Set gateway.auth.mode to "token" with a random token of at least 32 characters.',
            evidence=("gateway.auth.mode",),
            rules=("cf365e0f-afa2-4f49-9932-0f69c9e87463",),  # exposure/auth_none
        ),
        FindingSpec(
            FindingId.AUTH_WEAK_TOKEN,
            _M,
            "Gateway token or password too short or a placeholder",
            "Rotate to a random token of at least 32 characters (`openclaw doctor --fix` generates one).",
            evidence=("gateway.auth.token", "gateway.auth.password"),
        ),
        FindingSpec(
            FindingId.TAILSCALE_FUNNEL,
            _C,
            "Gateway published to the public internet via Tailscale Funnel",
            'Set gateway.tailscale.mode to "off" or "serve".',
            evidence=("gateway.tailscale.mode",),
            rules=("edbc6917-ce36-4b8f-a3b0-cf884d574a05",),  # exposure/tailscale_funnel_config
        ),
        FindingSpec(
            FindingId.TAILSCALE_SERVE,
            _M,
            "Gateway shared on the tailnet via Tailscale Serve",
            'Confirm the tailnet ACLs restrict who can reach it, or set gateway.tailscale.mode to "off".',
            evidence=("gateway.tailscale.mode",),
        ),
        FindingSpec(
            FindingId.ORIGINS_WILDCARD,
            _C,
            'Control UI accepts any origin (allowedOrigins contains "*")',
            "List explicit origins in gateway.controlUi.allowedOrigins.",
            evidence=("gateway.controlUi.allowedOrigins",),
            rules=("1f81568c-ad1d-468b-86b2-97a189419c1b",),  # exposure/control_ui_wildcard_origin
        ),
        FindingSpec(
            FindingId.TRUSTED_PROXIES_BROAD,
            _H,
            "gateway.trustedProxies trusts a broad network",
            "Trust only the reverse proxy's exact address.",
            evidence=("gateway.trustedProxies",),
        ),
        FindingSpec(
            FindingId.MDNS_FULL,
            _M,
            "mDNS discovery in full mode leaks CLI path and SSH port",
            'Set discovery.mdns.mode to "minimal" or "off".',
            evidence=("discovery.mdns.mode",),
        ),
        FindingSpec(
            FindingId.DANGEROUS_FLAG,
            _H,
            "A dangerous* / unsafe config flag is enabled",
            "Remove the flag from the config unless a reviewed exception exists.",
            rules=("477d4e08-962a-4535-a3cc-ffe8d27a1802",),  # exposure/dangerous_flags (the flag is the evidence)
        ),
        FindingSpec(
            FindingId.SHELL_HOST_NOSANDBOX,
            _H,
            "Agent shell (exec tool) runs directly on the host, no sandbox",
            'Set agents.defaults.sandbox.mode to "all" or restrict tools.exec to an allowlist.',
            evidence=("agents.defaults.sandbox.mode", "tools.exec.host"),
        ),
        FindingSpec(
            FindingId.SHELL_NO_APPROVAL,
            _C,
            "Agent shell runs host commands without approval (exec mode full)",
            'Set tools.exec.mode (or legacy security) to "allowlist" or "ask".',
            evidence=("tools.exec.mode", "tools.exec.security"),
            rules=("43b1a23e-98c3-41f2-bf1c-c85db0dc3386",),  # grants/exec_full_on_host
        ),
        FindingSpec(
            FindingId.ELEVATED_WILDCARD,
            _C,
            'Elevated tools allowed for anyone on a channel (allowFrom "*")',
            'Replace "*" in tools.elevated.allowFrom with explicit sender ids, or disable elevated.',
            evidence=("tools.elevated.allowFrom.*",),
            rules=("5ed24d80-f4ec-4680-a864-3f2a3f84e6e7",),  # grants/elevated_wildcard
        ),
        FindingSpec(
            FindingId.OPEN_CHANNEL,
            _H,
            "A chat channel accepts messages from anyone (open DM/group policy)",
            'Set dmPolicy to "pairing" or "allowlist" and groupPolicy to "allowlist".',
            evidence=("channels.*.dmPolicy", "channels.*.groupPolicy", "channels.*.allowFrom"),
            rules=("5e2aba4c-bbf5-4c94-9033-b5c64962e8f2",),  # exposure/open_channel_policy
        ),
        FindingSpec(
            FindingId.OPEN_CHANNEL_WITH_SHELL,
            _C,
            "Anyone who can message the bot can drive a host shell",
            "Close the channel policy or sandbox the exec tool.",
            evidence=("channels.*.dmPolicy", "channels.*.groupPolicy", "channels.*.allowFrom"),
        ),
        FindingSpec(
            FindingId.GMAIL_HOOK,
            _H,
            "Gmail is piped into the agent (hooks.gmail via gog)",
            "Confirm the mailbox integration is sanctioned; disable hooks.gmail otherwise.",
            evidence=("hooks.gmail.account", "hooks.presets"),
            rules=("ae7c72ba-cda0-47c0-aa6d-1d3de0864c87",),  # grants/gmail_granted
        ),
        FindingSpec(
            FindingId.BROWSER_EVALUATE,
            _L,
            "Browser tool can run arbitrary JavaScript (evaluateEnabled)",
            "Set browser.evaluateEnabled to false unless needed.",
            evidence=("browser.evaluateEnabled",),
        ),
        FindingSpec(
            FindingId.TOOLS_HTTP_ALLOW,
            _H,
            "gateway.tools.allow re-enables tools over HTTP /tools/invoke",
            "Remove gateway.tools.allow.",
            evidence=("gateway.tools.allow",),
        ),
        FindingSpec(
            FindingId.PLAINTEXT_CREDENTIAL,
            _M,
            "Plaintext credentials stored by the agent",
            "Move secrets to a SecretRef/keychain and rotate the exposed ones.",
        ),
        FindingSpec(
            FindingId.CREDENTIAL_PERMS,
            _H,
            "Credential file readable by other users",
            "chmod 600 the file and 700 its directory; rotate the credential.",
        ),
        FindingSpec(
            FindingId.STATE_DIR_PERMS,
            _M,
            "State directory readable or writable by other users",
            "chmod 700 the state directory.",
        ),
        FindingSpec(
            FindingId.SYMLINK_NOT_FOLLOWED,
            _M,
            "Symbolic link in an OpenClaw state dir was not followed",
            "Inspect the link; OpenClaw files should be regular files inside the state dir.",
        ),
        FindingSpec(
            FindingId.UNREADABLE,
            _L,
            "A file in the install could not be read (size, type or permissions)",
            "Inspect the file; run the scan as root to see every user's files.",
        ),
        FindingSpec(
            FindingId.CONFIG_INVALID,
            _L,
            "Config file could not be parsed (JSON5)",
            "Fix or remove the config; a broken config may hide a stale gateway.",
        ),
        FindingSpec(
            FindingId.SQLITE_UNREADABLE,
            _L,
            "OpenClaw SQLite store could not be read (locked, corrupt or too big)",
            "Re-run the scan; inspect the database if the problem persists.",
        ),
        FindingSpec(
            FindingId.PERSISTENCE,
            _M,
            "OpenClaw gateway/node registered to start automatically",
            "Remove the service (`openclaw gateway uninstall`) if the install is not sanctioned.",
            rules=(
                "6c47d52b-723a-44d1-86e5-3d10038fed4e",  # gateway/service_systemd
                "ac570d69-8ebb-4576-9113-88013d76fc2d",  # gateway/service_launchd
                "d33df2da-8030-44c5-8a54-54741177d54f",  # gateway/service_windows_task
            ),
        ),
        FindingSpec(
            FindingId.LOCK_STALE,
            _I,
            "Gateway lock file names a process that is not running",
            "No action needed; a crashed gateway leaves its lock behind.",
        ),
    )
}


def make(
    finding_id: FindingId | str,
    *,
    evidence: str = "",
    install_id: str | None = None,
    path: str | None = None,
    severity: Level | None = None,
) -> Finding:
    spec = CATALOGUE[finding_id]
    return Finding(
        id=spec.id,
        severity=severity or spec.severity,
        title=spec.title,
        evidence=evidence,
        remediation=spec.remediation,
        install_id=install_id,
        path=path,
    )
