"""The one schema for everything the sensor sees (events, inventory, alerts, shipped records).

Declared once here with pydantic and exported as JSON Schema (see ``export.py`` and ``schema/json``).
Field names for events follow the Sigma taxonomy where it has a name; our own names fill the gaps.
"""

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
    Severity,
)
from sensor.schema.records import Record, RecordKind

__all__ = [
    "Alert",
    "Credential",
    "Event",
    "EventCategory",
    "Finding",
    "GrantEvidence",
    "HostInfo",
    "Install",
    "Listener",
    "Persistence",
    "Record",
    "RecordKind",
    "ScanReport",
    "Severity",
]
