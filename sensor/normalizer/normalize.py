"""Turn source observations into ``Event`` models: one function per observation kind.

Every event is validated by the ``Event`` model (the schema is the contract) and returned as that model;
the daemon hands it to the sinks and the rule engine. Command lines are redacted here, and nowhere is a
file's content or a secret value read: a file access says who opened which path, never what it holds.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sensor.attribution.ancestry import ProcessNode
from sensor.normalizer.host import hostname, sigma_product, user_name
from sensor.schema.events import Event, EventCategory
from sensor.secrets.redact import redact_argv
from sensor.sources.observations import (
    ConnectionOpened,
    FileOpened,
    InventoryChanged,
    ListenerChanged,
    Observation,
    ProcessStarted,
)
from sensor.sources.sockets.base import SocketEntry

CurrentCmdline = Callable[[int], tuple[str, ...] | None]
Refresh = Callable[[ProcessNode], ProcessNode]


def _is_loopback(ip: str | None) -> bool:
    if not ip:
        return False
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _is_unspecified_or_public(ip: str) -> bool:
    try:
        return not ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return True


def _image(node: ProcessNode) -> str | None:
    info = node.info
    return info.exe or (info.cmdline[0] if info.cmdline else None) or info.name or None


def attribution_fields(node: ProcessNode | None, confidence: str | None = None) -> dict[str, Any]:
    if node is None:
        return {}
    a = node.attribution
    if a is None:
        return {"InAgentTree": False, "IsAgentProcess": False}
    return {
        "AgentProduct": a.product,
        "AgentRootPid": a.root_pid,
        "AgentRootImage": a.root_image,
        "IsAgentProcess": a.is_agent,
        "InAgentTree": True,
        "AttributionConfidence": confidence or a.confidence,
    }


class Normalizer:
    def __init__(self, current_cmdline: CurrentCmdline | None = None, refresh: Refresh | None = None) -> None:
        self.current_cmdline = current_cmdline
        self.refresh = refresh
        self._handlers: dict[type, Callable[[Any], dict[str, Any]]] = {
            ProcessStarted: self._process_started,
            ListenerChanged: self._listener,
            ConnectionOpened: self._connection,
            FileOpened: self._file_opened,
            InventoryChanged: self._inventory,
        }

    def envelope(self, category: EventCategory, source: str) -> dict[str, Any]:
        return {
            "EventId": uuid.uuid4().hex,
            "UtcTime": datetime.now(UTC),
            "Hostname": hostname(),
            "category": category,
            "product": sigma_product(),
            "source": source,
        }

    def normalize(self, obs: Observation) -> Event:
        fields = self._handlers[type(obs)](obs)
        return Event(**fields)

    def health(self, counters: dict[str, int]) -> Event:
        fields = self.envelope(EventCategory.sensor_health, "daemon")
        fields["Counters"] = dict(sorted(counters.items()))
        return Event(**fields)

    def _actor(self, node: ProcessNode | None, live_cmdline: bool) -> dict[str, Any]:
        if node is None:
            return {}
        if self.refresh is not None:
            node = self.refresh(node)
        info = node.info
        exec_cmdline = join_argv(info.cmdline) if info.cmdline else None
        fields: dict[str, Any] = {
            "ProcessId": info.pid,
            "Image": _image(node),
            "CommandLine": exec_cmdline,
            "CurrentDirectory": info.cwd,
            "User": user_name(info.uid),
            "ParentProcessId": info.ppid,
        }
        if live_cmdline and self.current_cmdline is not None and node.exited_at is None:
            now = self.current_cmdline(info.pid)
            if now and list(now) != list(info.cmdline):
                fields["CommandLine"] = join_argv(now)
                fields["OriginalCommandLine"] = exec_cmdline
        return fields

    def _process_started(self, obs: ProcessStarted) -> dict[str, Any]:
        fields = self.envelope(EventCategory.process_creation, obs.source)
        fields.update(self._actor(obs.node, live_cmdline=False))
        info = obs.node.info
        fields["ParentProcessId"] = info.ppid
        if obs.parent is not None:
            parent = obs.parent.info
            fields["ParentImage"] = _image(obs.parent)
            fields["ParentCommandLine"] = join_argv(parent.cmdline) if parent.cmdline else None
            fields["ParentUser"] = user_name(parent.uid)
        fields.update(attribution_fields(obs.node))
        return fields

    def _listener(self, obs: ListenerChanged) -> dict[str, Any]:
        e = obs.entry
        fields = self.envelope(EventCategory.listening_socket, obs.source)
        fields.update(self._actor(obs.node, live_cmdline=obs.opened))
        fields.update(_socket_local(e))
        fields["ListenState"] = "opened" if obs.opened else "closed"
        fields["Exposed"] = _is_unspecified_or_public(e.local_ip)
        fields.update(attribution_fields(obs.node))
        return fields

    def _connection(self, obs: ConnectionOpened) -> dict[str, Any]:
        e = obs.entry
        fields = self.envelope(EventCategory.network_connection, obs.source)
        fields.update(self._actor(obs.node, live_cmdline=True))
        fields.update({
            "Protocol": e.protocol,
            "Initiated": "true",
            "SourceIp": e.local_ip,
            "SourcePort": e.local_port,
            "DestinationIp": e.remote_ip,
            "DestinationPort": e.remote_port,
            "DestinationIsLoopback": _is_loopback(e.remote_ip),
        })
        fields.update(attribution_fields(obs.node))
        return fields

    def _file_opened(self, obs: FileOpened) -> dict[str, Any]:
        fields = self.envelope(EventCategory.file_access, obs.source)
        fields.update(self._actor(obs.node, live_cmdline=False))
        if obs.node is None and obs.pid is not None:
            fields["ProcessId"] = obs.pid
        fields.update({
            "TargetFilename": obs.path,
            "FileAccess": "open",
            "CredentialKind": obs.kind,
            "CredentialOwner": obs.owner,
        })
        fields.update(attribution_fields(obs.node, obs.confidence))
        if obs.node is not None and obs.node.attribution is not None:
            fields["AttributionConfidence"] = obs.confidence
        return fields

    def _inventory(self, obs: InventoryChanged) -> dict[str, Any]:
        fields = self.envelope(EventCategory.inventory_change, obs.source)
        fields["ChangeType"] = obs.change_type
        fields.update(obs.fields)
        return fields


def _socket_local(e: SocketEntry) -> dict[str, Any]:
    return {"Protocol": e.protocol, "LocalIp": e.local_ip, "LocalPort": e.local_port}


def join_argv(argv: tuple[str, ...] | list[str]) -> str:
    """A command line as one redacted string (space-joined, as Sigma's Linux sources give it)."""
    return " ".join(redact_argv(argv)).strip()
