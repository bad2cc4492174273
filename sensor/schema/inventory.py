"""Inventory: what `clawwatch scan` reports and what the sensor ships as a snapshot."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sensor.schema.timestamps import Timestamp
from sensor.schema.vocabulary import Grant, Level, Product


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Listener(_Model):
    address: str = Field(description="Bound address as the kernel reports it, e.g. 127.0.0.1, ::1, 0.0.0.0")
    port: int
    protocol: Literal["tcp", "udp"] = "tcp"
    pid: int | None = None
    exposed: bool = Field(description="True when bound to a non-loopback address")


class GrantEvidence(_Model):
    grant: Grant
    source: str = Field(description="Config key path (e.g. channels.slack.botToken) or file path")
    detail: str = ""
    risk: list[str] = Field(default_factory=list, description="Risk notes, e.g. 'exec mode full'")


class Credential(_Model):
    kind: str = Field(description="e.g. anthropic_api_key, slack_bot_token, google_oauth_refresh_token")
    path: str = Field(description="File holding it; for SQLite stores 'file#table/key'")
    location: str = Field(default="", description="Key path inside the file (never the value)")
    owner: str | None = None
    mode: str | None = Field(default=None, description="Octal permissions of the file, e.g. 0600")
    fingerprint: str = Field(description="Salted fingerprint (never the value)")
    length_class: str | None = Field(default=None, description="e.g. short(<24), ok")
    reference: str | None = Field(
        default=None,
        description="Set when the store holds a placeholder, not a value: env:VAR or secretref:<source>:<id>",
    )


PersistenceMechanism = Literal["systemd", "launchd", "scheduled_task", "startup_folder"]


class Persistence(_Model):
    mechanism: PersistenceMechanism
    name: str
    path: str
    role: Literal["gateway", "node", "unknown"] = "unknown"
    scope: Literal["user", "system"] = "user"
    exec_start: str | None = None
    enabled: bool | None = None


class Finding(_Model):
    id: str = Field(description="Stable id, e.g. CW-EXPOSED-NOAUTH (sensor.schema.vocabulary.FindingId; a newer "
                    "sensor may send ids this collector does not know yet)")
    severity: Level
    title: str
    evidence: str = ""
    remediation: str = ""
    install_id: str | None = None
    path: str | None = None


class Install(_Model):
    install_id: str = Field(description="Stable id: hash of host + state dir")
    product: Product
    variant: str = Field(description="e.g. 'default', 'profile:dev', 'legacy:clawdbot', 'override'")
    state_dir: str
    config_path: str | None = None
    owner: str | None = None
    version: str | None = None
    version_source: str | None = None
    layout: Literal["sqlite", "json", "unknown"] = "unknown"
    package_paths: list[str] = Field(default_factory=list)
    running: bool = False
    pids: list[int] = Field(default_factory=list)
    listeners: list[Listener] = Field(default_factory=list)
    exposed: bool = False
    exposure: dict[str, object] = Field(
        default_factory=dict,
        description="bind mode, auth mode, token length class, trustedProxies, tailscale, origins, mdns",
    )
    grants: list[Grant] = Field(default_factory=list)
    grant_evidence: list[GrantEvidence] = Field(default_factory=list)
    config_settings: list[str] = Field(
        default_factory=list,
        description="Risk-relevant settings as 'key.path=value' (enums, booleans, numbers, '*' only; no secrets)",
    )
    credentials: list[Credential] = Field(default_factory=list)
    persistence: list[Persistence] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class HostInfo(_Model):
    hostname: str
    os: str
    os_version: str = ""
    arch: str = ""
    sensor_version: str
    scanned_at: Timestamp
    is_root: bool = False


class PackageInstall(_Model):
    product: Product
    path: str
    version: str | None = None
    method: str = Field(description="npm-global, pnpm, bun, homebrew, install-cli, git, app-bundle, tools")
    owner: str | None = None


class ScanReport(_Model):
    host: HostInfo
    installs: list[Install] = Field(default_factory=list)
    packages: list[PackageInstall] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
