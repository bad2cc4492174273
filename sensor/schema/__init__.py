"""The contract between the sensor and the collector: the one schema for everything the sensor sees and sends.

Events, inventory, alerts, records (``records.py``), the wire protocol (``wire.py``), the shared vocabularies
(``vocabulary.py``) and time (``timestamps.py``), declared once here with pydantic and exported as JSON Schema
(``export.py``, ``schema/json``). Field names for events follow the Sigma taxonomy where it has a name; our own
names fill the gaps. This package imports nothing else of ours: both sides depend on it, it depends on neither.

Names are loaded on first use, so ``import sensor`` (and ``clawwatch --version``) does not pay for pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sensor.schema.alerts import Alert
    from sensor.schema.events import Event, EventCategory
    from sensor.schema.inventory import (
        Credential,
        Finding,
        GrantEvidence,
        HostInfo,
        Install,
        Listener,
        Persistence,
        ScanReport,
    )
    from sensor.schema.records import Record, RecordKind, SensorRecord
    from sensor.schema.vocabulary import FindingId, Grant, Level, Product

_WHERE: dict[str, str] = {
    "Alert": "alerts",
    "Event": "events",
    "EventCategory": "events",
    "Credential": "inventory",
    "Finding": "inventory",
    "GrantEvidence": "inventory",
    "HostInfo": "inventory",
    "Install": "inventory",
    "Listener": "inventory",
    "Persistence": "inventory",
    "ScanReport": "inventory",
    "Record": "records",
    "RecordKind": "records",
    "SensorRecord": "records",
    "FindingId": "vocabulary",
    "Grant": "vocabulary",
    "Level": "vocabulary",
    "Product": "vocabulary",
}

__all__ = [
    "Alert",
    "Credential",
    "Event",
    "EventCategory",
    "Finding",
    "FindingId",
    "Grant",
    "GrantEvidence",
    "HostInfo",
    "Install",
    "Level",
    "Listener",
    "Persistence",
    "Product",
    "Record",
    "RecordKind",
    "ScanReport",
    "SensorRecord",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sensor.schema' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sensor.schema.{module}"), name)
