"""The findings catalogue: stable ids, severities, titles and remediation lines.

Ids never change meaning once published (fleet history and SIEM searches key on them); add new ids,
do not reuse old ones. ``make(id, evidence=…)`` builds a ``sensor.schema.Finding`` from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sensor.schema.inventory import Finding, Severity


@dataclass(frozen=True)
class FindingSpec:
    id: str
    severity: Severity
    title: str
    remediation: str


_C, _H, _M, _L, _I = Severity.critical, Severity.high, Severity.medium, Severity.low, Severity.info

CATALOGUE: dict[str, FindingSpec] = {
    spec.id: spec
    for spec in (
        FindingSpec(
            "CW-INSTALL-PRESENT",
            _I,
            "OpenClaw state directory present",
            "Confirm the install is sanctioned; remove the state dir (after backing up) if not.",
        ),
        FindingSpec(
            "CW-LEGACY-INSTALL",
            _M,
            "Legacy Clawdbot/Moltbot install (unpatched, pre-rename build)",
            "Uninstall the legacy build or migrate it with `openclaw doctor --fix` on a current release.",
        ),
        FindingSpec(
            "CW-RUNNING",
            _L,
            "OpenClaw gateway running",
            "Stop it (`openclaw gateway stop`) if the install is not sanctioned.",
        ),
        FindingSpec(
            "CW-EXPOSED-NOAUTH",
            _C,
            "Gateway reachable from the network without authentication",
            "Set gateway.bind to loopback and gateway.auth.mode to token; restart the gateway.",
        ),
        FindingSpec(
            "CW-EXPOSED",
            _H,
            "Gateway listens on (or is configured for) a non-loopback address",
            'Set gateway.bind to "loopback" and use an SSH tunnel or Tailscale Serve for remote access.',
        ),
        FindingSpec(
            "CW-AUTH-NONE",
            _H,
            "Gateway authentication disabled (gateway.auth.mode = none)",
            'Set gateway.auth.mode to "token" with a random token of at least 32 characters.',
        ),
        FindingSpec(
            "CW-AUTH-WEAK-TOKEN",
            _M,
            "Gateway token or password too short or a placeholder",
            "Rotate to a random token of at least 32 characters (`openclaw doctor --fix` generates one).",
        ),
        FindingSpec(
            "CW-TAILSCALE-FUNNEL",
            _C,
            "Gateway published to the public internet via Tailscale Funnel",
            'Set gateway.tailscale.mode to "off" or "serve".',
        ),
        FindingSpec(
            "CW-TAILSCALE-SERVE",
            _M,
            "Gateway shared on the tailnet via Tailscale Serve",
            'Confirm the tailnet ACLs restrict who can reach it, or set gateway.tailscale.mode to "off".',
        ),
        FindingSpec(
            "CW-ORIGINS-WILDCARD",
            _C,
            'Control UI accepts any origin (allowedOrigins contains "*")',
            "List explicit origins in gateway.controlUi.allowedOrigins.",
        ),
        FindingSpec(
            "CW-TRUSTED-PROXIES-BROAD",
            _H,
            "gateway.trustedProxies trusts a broad network",
            "Trust only the reverse proxy's exact address.",
        ),
        FindingSpec(
            "CW-MDNS-FULL",
            _M,
            "mDNS discovery in full mode leaks CLI path and SSH port",
            'Set discovery.mdns.mode to "minimal" or "off".',
        ),
        FindingSpec(
            "CW-DANGEROUS-FLAG",
            _H,
            "A dangerous* / unsafe config flag is enabled",
            "Remove the flag from the config unless a reviewed exception exists.",
        ),
        FindingSpec(
            "CW-SHELL-HOST-NOSANDBOX",
            _H,
            "Agent shell (exec tool) runs directly on the host, no sandbox",
            'Set agents.defaults.sandbox.mode to "all" or restrict tools.exec to an allowlist.',
        ),
        FindingSpec(
            "CW-SHELL-NO-APPROVAL",
            _C,
            "Agent shell runs host commands without approval (exec mode full)",
            'Set tools.exec.mode (or legacy security) to "allowlist" or "ask".',
        ),
        FindingSpec(
            "CW-ELEVATED-WILDCARD",
            _C,
            'Elevated tools allowed for anyone on a channel (allowFrom "*")',
            'Replace "*" in tools.elevated.allowFrom with explicit sender ids, or disable elevated.',
        ),
        FindingSpec(
            "CW-OPEN-CHANNEL",
            _H,
            "A chat channel accepts messages from anyone (open DM/group policy)",
            'Set dmPolicy to "pairing" or "allowlist" and groupPolicy to "allowlist".',
        ),
        FindingSpec(
            "CW-OPEN-CHANNEL-WITH-SHELL",
            _C,
            "Anyone who can message the bot can drive a host shell",
            "Close the channel policy or sandbox the exec tool.",
        ),
        FindingSpec(
            "CW-GMAIL-HOOK",
            _M,
            "Gmail is piped into the agent (hooks.gmail via gog)",
            "Confirm the mailbox integration is sanctioned; disable hooks.gmail otherwise.",
        ),
        FindingSpec(
            "CW-BROWSER-EVALUATE",
            _L,
            "Browser tool can run arbitrary JavaScript (evaluateEnabled)",
            "Set browser.evaluateEnabled to false unless needed.",
        ),
        FindingSpec(
            "CW-TOOLS-HTTP-ALLOW",
            _H,
            "gateway.tools.allow re-enables tools over HTTP /tools/invoke",
            "Remove gateway.tools.allow.",
        ),
        FindingSpec(
            "CW-PLAINTEXT-CREDENTIAL",
            _M,
            "Plaintext credentials stored by the agent",
            "Move secrets to a SecretRef/keychain and rotate the exposed ones.",
        ),
        FindingSpec(
            "CW-CREDENTIAL-PERMS",
            _H,
            "Credential file readable by other users",
            "chmod 600 the file and 700 its directory; rotate the credential.",
        ),
        FindingSpec(
            "CW-STATE-DIR-PERMS",
            _M,
            "State directory readable or writable by other users",
            "chmod 700 the state directory.",
        ),
        FindingSpec(
            "CW-SYMLINK-NOT-FOLLOWED",
            _M,
            "Symbolic link in an OpenClaw state dir was not followed",
            "Inspect the link; OpenClaw files should be regular files inside the state dir.",
        ),
        FindingSpec(
            "CW-UNREADABLE",
            _L,
            "A file in the install could not be read (size, type or permissions)",
            "Inspect the file; run the scan as root to see every user's files.",
        ),
        FindingSpec(
            "CW-CONFIG-INVALID",
            _L,
            "Config file could not be parsed (JSON5)",
            "Fix or remove the config; a broken config may hide a stale gateway.",
        ),
        FindingSpec(
            "CW-SQLITE-UNREADABLE",
            _L,
            "OpenClaw SQLite store could not be read (locked, corrupt or too big)",
            "Re-run the scan; inspect the database if the problem persists.",
        ),
        FindingSpec(
            "CW-PERSISTENCE",
            _M,
            "OpenClaw gateway/node registered to start automatically",
            "Remove the service (`openclaw gateway uninstall`) if the install is not sanctioned.",
        ),
        FindingSpec(
            "CW-LOCK-STALE",
            _I,
            "Gateway lock file names a process that is not running",
            "No action needed; a crashed gateway leaves its lock behind.",
        ),
    )
}


def make(
    finding_id: str,
    *,
    evidence: str = "",
    install_id: str | None = None,
    path: str | None = None,
    severity: Severity | None = None,
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
