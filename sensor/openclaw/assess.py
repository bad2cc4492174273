"""Findings for one install, from its exposure, grants, credentials, files and persistence."""

from __future__ import annotations

import fnmatch
from typing import Protocol

from sensor.openclaw.findings import CATALOGUE, make
from sensor.schema.inventory import Finding, Install

_SECRET_KINDS_IN_CONFIG = ("gateway_token", "gateway_password", "hooks_token")
_OPEN_MARKERS = ("dmPolicy open", "groupPolicy open", "allowFrom *")


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def cited_settings(finding_id: str, settings: list[str]) -> list[str]:
    """The ``key=value`` entries of an install's ``config_settings`` that are ``finding_id``'s evidence
    (their key is one of the catalogue's evidence key paths; ``*`` matches one segment)."""
    keys = CATALOGUE[finding_id].evidence
    return [s for s in settings if any(_key_matches(s.partition("=")[0], k) for k in keys)]


def _key_matches(key: str, pattern: str) -> bool:
    parts, wanted = key.split("."), pattern.split(".")
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True))


def _cite(finding_id: str, install: Install) -> str:
    """Evidence text naming the finding's config keys: the settings, or the keys left at their default."""
    found = cited_settings(finding_id, install.config_settings)
    if found:
        return ", ".join(found)
    return ", ".join(CATALOGUE[finding_id].evidence) + " not set (default)"


def install_findings(install: Install) -> list[Finding]:
    out: list[Finding] = []
    iid = install.install_id
    exp = install.exposure

    def add(finding_id: str, evidence: str = "", path: str | None = None) -> None:
        out.append(make(finding_id, evidence=evidence, install_id=iid, path=path or install.state_dir))

    add("CW-INSTALL-PRESENT", f"{install.product} {install.variant} owned by {install.owner or '?'}")
    if install.product != "openclaw" or install.variant.startswith("legacy"):
        add("CW-LEGACY-INSTALL", f"{install.variant} state dir")
    if install.running:
        add("CW-RUNNING", "pids " + ", ".join(str(p) for p in install.pids))
    auth_mode = str(exp.get("auth_mode", ""))
    if install.exposed:
        where = ", ".join(str(x) for x in _items(exp.get("exposed_listeners"))) or f"bind {exp.get('bind_mode')}"
        if auth_mode == "none":
            add("CW-EXPOSED-NOAUTH", f"{where}; gateway.auth.mode none")
        else:
            add("CW-EXPOSED", f"{where} (bind mode {exp.get('bind_mode')}, from {exp.get('bind_source')})")
    if auth_mode == "none" and not install.exposed:
        add("CW-AUTH-NONE", "gateway.auth.mode none")
    token_class = exp.get("token_length_class")
    password_class = exp.get("password_length_class")
    if auth_mode.startswith("token") and token_class in ("short(<24)", "placeholder", "empty"):
        add("CW-AUTH-WEAK-TOKEN", f"gateway.auth.token length class {token_class}")
    if auth_mode.startswith("password") and password_class in ("short(<24)", "placeholder", "empty"):
        add("CW-AUTH-WEAK-TOKEN", f"gateway.auth.password length class {password_class}")
    if exp.get("tailscale_mode") == "funnel":
        add("CW-TAILSCALE-FUNNEL", "gateway.tailscale.mode funnel")
    elif exp.get("tailscale_mode") == "serve":
        add("CW-TAILSCALE-SERVE", "gateway.tailscale.mode serve")
    if exp.get("allowed_origins_wildcard"):
        add("CW-ORIGINS-WILDCARD", "gateway.controlUi.allowedOrigins contains *")
    if exp.get("trusted_proxies_broad"):
        add("CW-TRUSTED-PROXIES-BROAD", "gateway.trustedProxies")
    if exp.get("mdns_mode") == "full":
        add("CW-MDNS-FULL", "discovery.mdns.mode full")
    if exp.get("tools_http_allow"):
        add("CW-TOOLS-HTTP-ALLOW", "gateway.tools.allow")
    for flag in _items(exp.get("dangerous_flags")):
        add("CW-DANGEROUS-FLAG", str(flag))
    if "tools.elevated.enabled=false" not in install.config_settings:  # any channel, webchat included
        for setting in cited_settings("CW-ELEVATED-WILDCARD", install.config_settings):
            add("CW-ELEVATED-WILDCARD", setting)
    _grant_findings(install, add)
    _credential_findings(install, add)
    for entry in install.persistence:
        add("CW-PERSISTENCE", f"{entry.mechanism} {entry.name} ({entry.role})", entry.path)
    return out


def _grant_findings(install: Install, add: _Add) -> None:
    shell_risks: list[str] = []
    open_channels: list[str] = []
    for ev in install.grant_evidence:
        if ev.grant == "shell":
            shell_risks = ev.risk
            add("CW-SHELL-HOST-NOSANDBOX", f"{_cite('CW-SHELL-HOST-NOSANDBOX', install)}: " + "; ".join(ev.risk))
            if any("no approval" in r and "default" not in r for r in ev.risk):
                add("CW-SHELL-NO-APPROVAL", _cite("CW-SHELL-NO-APPROVAL", install))
        for risk in ev.risk:
            if any(risk.endswith(marker) for marker in _OPEN_MARKERS):
                open_channels.append(risk)
        if ev.grant == "gmail":  # the hook's config keys, or the gog store the agent can drive
            add("CW-GMAIL-HOOK", ", ".join(cited_settings("CW-GMAIL-HOOK", install.config_settings)) or ev.source)
        if ev.grant == "browser" and any("evaluate" in r for r in ev.risk):
            add("CW-BROWSER-EVALUATE", _cite("CW-BROWSER-EVALUATE", install))
    for risk in open_channels:
        add("CW-OPEN-CHANNEL", risk)
    if open_channels and shell_risks:
        add("CW-OPEN-CHANNEL-WITH-SHELL", "; ".join(open_channels))


def _credential_findings(install: Install, add: _Add) -> None:
    plaintext = [c for c in install.credentials if c.reference is None]
    if plaintext:
        kinds = sorted({c.kind for c in plaintext})
        add("CW-PLAINTEXT-CREDENTIAL", f"{len(plaintext)} stored: " + ", ".join(kinds))
    flagged: set[str] = set()
    for cred in plaintext:
        path = cred.path.split("#", 1)[0]
        if cred.mode is None or path in flagged:
            continue
        try:
            mode = int(cred.mode, 8)
        except ValueError:
            continue
        if mode & 0o044:
            flagged.add(path)
            add("CW-CREDENTIAL-PERMS", f"mode {cred.mode} ({cred.kind})", path)


class _Add(Protocol):  # the signature of the local `add` helper
    def __call__(self, finding_id: str, evidence: str = "", path: str | None = None) -> None: ...
