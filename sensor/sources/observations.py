"""Observations: what a source reports, before the normalizer turns it into an ``Event``.

Sources attach the process node (with attribution) they resolved at the time they saw the thing, so
a process that has exited by the time the event is normalised is still described correctly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sensor.attribution.ancestry import ProcessNode
from sensor.sources.sockets.base import SocketEntry


@dataclass(frozen=True, slots=True)
class ProcessStarted:
    node: ProcessNode
    parent: ProcessNode | None
    origin: str  # "netlink" | "poll"
    source: str = "processes"


@dataclass(frozen=True, slots=True)
class ListenerChanged:
    entry: SocketEntry
    opened: bool
    node: ProcessNode | None
    source: str = "sockets"


@dataclass(frozen=True, slots=True)
class ConnectionOpened:
    entry: SocketEntry
    node: ProcessNode
    source: str = "sockets"


@dataclass(frozen=True, slots=True)
class FileOpened:
    path: str
    kind: str
    owner: str | None
    node: ProcessNode | None
    pid: int | None
    confidence: str  # "exact" (fanotify) | "best-effort" (inotify)
    source: str = "files"


@dataclass(frozen=True, slots=True)
class InventoryChanged:
    change_type: str
    fields: dict[str, Any] = field(default_factory=dict)
    source: str = "openclaw_state"


@dataclass(frozen=True, slots=True)
class InventorySnapshot:
    """The whole inventory after a change (shipped as an ``inventory`` record, not matched by rules)."""

    report: Any
    source: str = "openclaw_state"


Observation = (ProcessStarted | ListenerChanged | ConnectionOpened | FileOpened | InventoryChanged
               | InventorySnapshot)


def is_agent_related(obs: Observation) -> bool:
    """Agent-tree observations are never dropped by rate caps (they are what the sensor is for)."""
    node = getattr(obs, "node", None)
    if isinstance(obs, InventoryChanged | InventorySnapshot):
        return True
    return node is not None and node.attribution is not None


class Offer(Protocol):
    """Where a source hands its observations (the daemon's intake)."""

    def offer(self, obs: Observation) -> bool: ...
