"""The vocabularies both sides share, declared once: Sigma levels, product names, grants, finding ids.

Every other module (sensor, collector, console, CLI) takes its names from here. Wire compatibility:
``Level`` accepts the spelling older sensors used for findings (``info``) and any letter case, and
normalises it; everything else is written exactly as declared.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Sigma's level names, lowest first (also the severity of findings and the rank of records)."""

    informational = "informational"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @classmethod
    def _missing_(cls, value: object) -> Level | None:
        if not isinstance(value, str):
            return None
        text = value.strip().lower()
        if text == "info":  # the findings' spelling before the vocabulary was shared
            return cls.informational
        return cls.__members__.get(text)

    @property
    def rank(self) -> int:
        """0 informational .. 4 critical."""
        return _LEVEL_RANK[self]

    @classmethod
    def parse(cls, text: object, default: Level) -> Level:
        """The level a (possibly hostile) value names, or ``default`` when it names none."""
        return cls._missing_(text) or default


_LEVEL_RANK: dict[Level, int] = {level: rank for rank, level in enumerate(Level)}


class Product(StrEnum):
    """What the agent has been called: OpenClaw, and before its renames Clawdbot and Moltbot."""

    openclaw = "openclaw"
    clawdbot = "clawdbot"
    moltbot = "moltbot"

    @property
    def display_name(self) -> str:
        return _DISPLAY_NAMES[self]


_DISPLAY_NAMES: dict[Product, str] = {
    Product.openclaw: "OpenClaw",
    Product.clawdbot: "Clawdbot",
    Product.moltbot: "Moltbot",
}


class Grant(StrEnum):
    """What an install can reach. The declaration order is the display order (and the collector's bit order:
    add new grants at the end)."""

    shell = "shell"
    filesystem = "filesystem"
    browser = "browser"
    slack = "slack"
    gmail = "gmail"
    telegram = "telegram"
    discord = "discord"
    whatsapp = "whatsapp"
    signal = "signal"
    imessage = "imessage"
    msteams = "msteams"
    other_channels = "other_channels"
    model_api_keys = "model_api_keys"


GRANTS: tuple[Grant, ...] = tuple(Grant)


class FindingId(StrEnum):
    """Stable finding ids: an id never changes meaning once published (fleet history and SIEM searches key on
    them); add new ids, do not reuse old ones. Severities, titles and remediation: sensor/openclaw/findings.py."""

    INSTALL_PRESENT = "CW-INSTALL-PRESENT"
    LEGACY_INSTALL = "CW-LEGACY-INSTALL"
    RUNNING = "CW-RUNNING"
    EXPOSED_NOAUTH = "CW-EXPOSED-NOAUTH"
    EXPOSED = "CW-EXPOSED"
    AUTH_NONE = "CW-AUTH-NONE"
    AUTH_WEAK_TOKEN = "CW-AUTH-WEAK-TOKEN"  # noqa: S105 (a finding id, not a secret)
    TAILSCALE_FUNNEL = "CW-TAILSCALE-FUNNEL"
    TAILSCALE_SERVE = "CW-TAILSCALE-SERVE"
    ORIGINS_WILDCARD = "CW-ORIGINS-WILDCARD"
    TRUSTED_PROXIES_BROAD = "CW-TRUSTED-PROXIES-BROAD"
    MDNS_FULL = "CW-MDNS-FULL"
    DANGEROUS_FLAG = "CW-DANGEROUS-FLAG"
    SHELL_HOST_NOSANDBOX = "CW-SHELL-HOST-NOSANDBOX"
    SHELL_NO_APPROVAL = "CW-SHELL-NO-APPROVAL"
    ELEVATED_WILDCARD = "CW-ELEVATED-WILDCARD"
    OPEN_CHANNEL = "CW-OPEN-CHANNEL"
    OPEN_CHANNEL_WITH_SHELL = "CW-OPEN-CHANNEL-WITH-SHELL"
    GMAIL_HOOK = "CW-GMAIL-HOOK"
    BROWSER_EVALUATE = "CW-BROWSER-EVALUATE"
    TOOLS_HTTP_ALLOW = "CW-TOOLS-HTTP-ALLOW"
    PLAINTEXT_CREDENTIAL = "CW-PLAINTEXT-CREDENTIAL"
    CREDENTIAL_PERMS = "CW-CREDENTIAL-PERMS"
    STATE_DIR_PERMS = "CW-STATE-DIR-PERMS"
    SYMLINK_NOT_FOLLOWED = "CW-SYMLINK-NOT-FOLLOWED"
    UNREADABLE = "CW-UNREADABLE"
    CONFIG_INVALID = "CW-CONFIG-INVALID"
    SQLITE_UNREADABLE = "CW-SQLITE-UNREADABLE"
    PERSISTENCE = "CW-PERSISTENCE"
    LOCK_STALE = "CW-LOCK-STALE"
