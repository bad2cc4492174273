"""Records: what the sensor hands its sinks, spools and ships to the collector.

Two forms of one record:

- ``SensorRecord``, the typed record: a discriminated union by ``kind`` (``AlertRecord``, ``InventoryRecord``,
  ``EventRecord``, ``HealthRecord``, ``HeartbeatRecord``), each with its severity and its typed body. The
  daemon builds these and its sinks take them; the collector reads each shipped record into one, once, at
  ingest (``read_record``).
- ``Record``, the envelope as shipped and stored: the spool's id and sequence number, the kind, the severity
  and the body as JSON. The collector stores it as received (nothing is lost when a body does not read, e.g.
  from a newer sensor), and projects only what reads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from sensor.schema.alerts import READ_EVENTS, Alert
from sensor.schema.events import Event
from sensor.schema.inventory import ScanReport
from sensor.schema.timestamps import Timestamp
from sensor.schema.vocabulary import Level


class RecordKind(StrEnum):
    alert = "alert"
    inventory = "inventory"
    heartbeat = "heartbeat"
    health = "health"
    event = "event"


RecordSeverity = Annotated[int, Field(ge=0, le=4, description="0 informational .. 4 critical (Level.rank); the spool "
                                                        "drops low first")]


class _TypedRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: RecordSeverity = 0
    _sparse: ClassVar[bool] = True  # unset (None) fields of the body are left out of its JSON

    def body_json(self) -> dict[str, Any]:
        """The body as the JSON object that is spooled and shipped."""
        body: BaseModel | dict[str, Any] = getattr(self, "body")  # noqa: B009 (every subclass declares it)
        if isinstance(body, BaseModel):
            return body.model_dump(mode="json", exclude_none=self._sparse)
        return body


class AlertRecord(_TypedRecord):
    kind: Literal[RecordKind.alert] = RecordKind.alert
    body: Alert

    @classmethod
    def of(cls, alert: Alert) -> AlertRecord:
        """An alert record whose severity is the alert's level."""
        return cls(body=alert, severity=alert.level.rank)


class InventoryRecord(_TypedRecord):
    kind: Literal[RecordKind.inventory] = RecordKind.inventory
    body: ScanReport
    _sparse: ClassVar[bool] = False  # a snapshot says "none" explicitly (no owner, no version)


class EventRecord(_TypedRecord):
    kind: Literal[RecordKind.event] = RecordKind.event
    body: Event

    def body_json(self) -> dict[str, Any]:
        return self.body.to_match_dict()


class HealthRecord(_TypedRecord):
    """The sensor's own counters (a ``sensor_health`` event); shipped, it is the host's heartbeat."""

    kind: Literal[RecordKind.health] = RecordKind.health
    body: Event

    def body_json(self) -> dict[str, Any]:
        return self.body.to_match_dict()


class HeartbeatRecord(_TypedRecord):
    """The protocol's bare "this host is alive" record; its body is free-form."""

    kind: Literal[RecordKind.heartbeat] = RecordKind.heartbeat
    body: dict[str, Any] = Field(default_factory=dict)


SensorRecord = Annotated[
    AlertRecord | InventoryRecord | EventRecord | HealthRecord | HeartbeatRecord, Field(discriminator="kind")
]
_SENSOR_RECORD: TypeAdapter[SensorRecord] = TypeAdapter(SensorRecord)


class Record(BaseModel):
    """The envelope as spooled, shipped and stored."""

    model_config = ConfigDict(extra="forbid")

    record_id: str = Field(description="Host-scoped unique id: '<host_id>:<seq>'")
    host_id: str
    seq: int = Field(ge=0, description="Monotonically increasing per host")
    kind: RecordKind
    created_at: Timestamp
    severity: RecordSeverity = 0
    body: dict[str, Any]


class UnreadableBody(ValueError):
    """A shipped record whose body is not what its kind says (hostile, broken, or from another version)."""


def read_record(record: Record) -> SensorRecord:
    """The typed form of a shipped record. Raises UnreadableBody, with pydantic's reasons."""
    try:
        return _SENSOR_RECORD.validate_python({"kind": record.kind, "severity": record.severity, "body": record.body},
                                              context={READ_EVENTS: True})
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'][2:])) or 'body'}: {e['msg']}"
                            for e in exc.errors(include_url=False, include_input=False)[:5])
        raise UnreadableBody(f"record {record.record_id}: {record.kind} body does not read ({reasons})") from None


def record_severity(level: str | None) -> int:
    """Record severity of a Sigma level name (unknown levels count as medium)."""
    return Level.parse(level, Level.medium).rank
