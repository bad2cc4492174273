"""Events: one flat shape for everything the live sensor observes.

Names follow the Sigma taxonomy (process_creation, network_connection, file_event, ...) so community
rules match unchanged; fields the taxonomy lacks are ours and documented in ``OUR_CATEGORIES``.
The normalizer returns this model; the engine matches its dict view (``Event.to_match_dict``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from sensor.schema.timestamps import UtcText
from sensor.schema.vocabulary import Product


class EventCategory(StrEnum):
    # Sigma taxonomy categories
    process_creation = "process_creation"
    network_connection = "network_connection"
    file_event = "file_event"
    file_access = "file_access"
    # ours (documented in the README's rule-writing section)
    listening_socket = "listening_socket"
    inventory_change = "inventory_change"
    sensor_health = "sensor_health"


OUR_CATEGORIES: dict[str, str] = {
    "listening_socket": "A socket entered or left LISTEN state (LocalIp, LocalPort, ListenState opened|closed)",
    "file_access": "A process opened a watched credential or token file (TargetFilename, CredentialKind)",
    "inventory_change": "The OpenClaw inventory changed (ChangeType, InstallId, Grants, Exposed, ...)",
    "sensor_health": "The sensor's own counters (drops, overflows, restarts, rule errors)",
}


class Event(BaseModel):
    """One observation, normalised. Unset fields are omitted when the event is serialised."""

    model_config = ConfigDict(extra="forbid")

    # envelope
    EventId: str = Field(description="Unique id (uuid4 hex) of this event")
    UtcTime: UtcText = Field(description="RFC 3339 UTC time of the observation (YYYY-MM-DDTHH:MM:SS.ffffffZ)")
    Hostname: str
    category: EventCategory
    product: str = Field(description="Sigma logsource product: linux, macos or windows")
    service: str | None = None
    source: str = Field(default="", description="Which sensor source produced it (processes, sockets, ...)")

    # process (Sigma process_creation)
    ProcessId: int | None = None
    Image: str | None = None
    CommandLine: str | None = None
    OriginalCommandLine: str | None = Field(
        default=None, description="Exec-time command line when the process later retitled itself"
    )
    CurrentDirectory: str | None = None
    User: str | None = None
    ParentProcessId: int | None = None
    ParentImage: str | None = None
    ParentCommandLine: str | None = None
    ParentUser: str | None = None
    # Windows process facts the Sysmon taxonomy names (SigmaHQ's Windows rules test them)
    OriginalFileName: str | None = Field(default=None, description="PE original file name (Sysmon 1)")
    IntegrityLevel: str | None = Field(default=None, description="Low | Medium | High | System (Sysmon, 4688)")
    Hashes: str | None = Field(default=None, description="Sysmon's 'SHA256=...,MD5=...' list")
    LogonId: str | None = Field(default=None, description="Windows logon session id, hex (0x3e7)")

    # network (Sigma network_connection) and listeners (ours)
    Protocol: str | None = None
    Initiated: str | None = Field(default=None, description="'true' for outbound connections (Sigma)")
    SourceIp: str | None = None
    SourcePort: int | None = None
    DestinationIp: str | None = None
    DestinationPort: int | None = None
    DestinationHostname: str | None = None
    DestinationIsLoopback: bool | None = None
    LocalIp: str | None = None
    LocalPort: int | None = None
    ListenState: str | None = Field(default=None, description="opened | closed")
    Exposed: bool | None = Field(default=None, description="Listener bound to a non-loopback address")

    # files (Sigma file_event, ours file_access)
    TargetFilename: str | None = None
    FileAccess: str | None = Field(default=None, description="open | modify | create | delete")
    CredentialKind: str | None = Field(default=None, description="Catalogue kind of the watched file")
    CredentialOwner: str | None = Field(default=None, description="User whose credential it is")
    FileName: str | None = Field(
        default=None, description="SigmaHQ's Windows file_access spelling of TargetFilename (the same path)"
    )
    AccessMask: str | None = Field(default=None, description="Windows access mask of a 4663 access, hex (0x1)")

    # agent attribution (ours)
    AgentProduct: Product | None = Field(default=None, description="Set when attributed to an agent")
    AgentRootPid: int | None = Field(default=None, description="PID of the OpenClaw process at the tree root")
    AgentRootImage: str | None = None
    IsAgentProcess: bool | None = Field(default=None, description="The actor itself is an OpenClaw process")
    InAgentTree: bool | None = Field(default=None, description="The actor is OpenClaw or descends from it")
    AttributionConfidence: str | None = Field(default=None, description="exact | best-effort")

    # inventory change (ours)
    ChangeType: str | None = Field(
        default=None, description="install_added | install_removed | grant_added | grant_removed | "
        "exposure_changed | version_changed | running_changed | credential_added"
    )
    InstallId: str | None = None
    StateDir: str | None = None
    ConfigPath: str | None = None
    Grants: list[str] | None = None
    GrantsAdded: list[str] | None = None
    ConfigKeys: list[str] | None = Field(default=None, description="Config key paths that are set (no values)")
    ConfigSettings: list[str] | None = Field(
        default=None,
        description="Risk-relevant config settings in effect, one 'key.path=value' per entry; only enums, "
        "booleans, numbers and allow-list wildcards, never secrets; a list value gives one entry per element "
        "(e.g. 'gateway.tailscale.mode=funnel', 'tools.elevated.allowFrom.slack=*')",
    )
    ConfigSettingsAdded: list[str] | None = Field(
        default=None, description="Entries of ConfigSettings new in this change (all for install_added)"
    )
    BindMode: str | None = None
    AuthMode: str | None = None
    Version: str | None = None

    # sensor health (ours)
    Counters: dict[str, int] | None = None

    _fields: dict[str, Any] | None = PrivateAttr(default=None)

    def to_match_dict(self) -> dict[str, Any]:
        """The event's fields as JSON values, only those that are set: what the engine matches and what is
        written and shipped. Made once per event (an event is not changed after it is made); do not mutate."""
        if self._fields is None:
            self._fields = self.model_dump(exclude_none=True, mode="json")
        return self._fields

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Event:
        copied = super().model_copy(update=update, deep=deep)
        copied._fields = None
        return copied
