"""Typed records: a discriminated union by kind, read once from the shipped envelope."""

from __future__ import annotations

from typing import Any

import pytest

from sensor.schema.alerts import Alert
from sensor.schema.events import Event
from sensor.schema.inventory import ScanReport
from sensor.schema.records import (
    AlertRecord,
    EventRecord,
    HealthRecord,
    HeartbeatRecord,
    InventoryRecord,
    Record,
    UnreadableBody,
    read_record,
)

EVENT: dict[str, Any] = {"EventId": "e1", "UtcTime": "2026-11-22T04:10:00Z", "Hostname": "lap",
                         "category": "process_creation", "product": "linux", "Image": "/usr/bin/bash"}
ALERT: dict[str, Any] = {"AlertId": "a1", "UtcTime": "2026-11-22T04:10:00Z", "Hostname": "lap", "rule_id": "r",
                         "title": "t", "level": "high", "event": EVENT}
REPORT: dict[str, Any] = {"host": {"hostname": "lap", "os": "linux", "sensor_version": "0",
                                   "scanned_at": "2026-11-22T04:10:00Z"}, "installs": []}


def envelope(kind: str, body: dict[str, Any], severity: int = 0) -> Record:
    return Record.model_validate({"record_id": "h0000001:1", "host_id": "h0000001", "seq": 1, "kind": kind,
                                  "created_at": "2026-11-22T04:10:00Z", "severity": severity, "body": body})


@pytest.mark.parametrize(("kind", "body", "typed", "body_type"), [
    ("alert", ALERT, AlertRecord, Alert),
    ("inventory", REPORT, InventoryRecord, ScanReport),
    ("event", EVENT, EventRecord, Event),
    ("health", {**EVENT, "category": "sensor_health", "Counters": {"drops": 0}}, HealthRecord, Event),
    ("heartbeat", {"uptime_s": 1}, HeartbeatRecord, dict),
])
def test_each_kind_reads_into_its_typed_record(kind: str, body: dict[str, Any], typed: type, body_type: type) -> None:
    record = read_record(envelope(kind, body, 3))
    assert isinstance(record, typed) and isinstance(record.body, body_type) and record.severity == 3


def test_a_shipped_alerts_event_is_read_into_an_event_and_a_partial_one_stays_as_sent() -> None:
    record = read_record(envelope("alert", ALERT))
    assert isinstance(record, AlertRecord) and isinstance(record.body.event, Event)
    assert record.body.event.Image == "/usr/bin/bash"
    partial = {"category": "process_creation", "Image": "/usr/bin/bash"}
    record = read_record(envelope("alert", {**ALERT, "event": partial}))
    assert isinstance(record, AlertRecord) and record.body.event == partial


def test_a_body_that_is_not_its_kind_is_unreadable_with_the_reason() -> None:
    with pytest.raises(UnreadableBody, match=r"record h0000001:1: alert body does not read \(.*AlertId"):
        read_record(envelope("alert", {"marker": "a"}))
    with pytest.raises(UnreadableBody, match="inventory"):
        read_record(envelope("inventory", {"host": "nope"}))


def test_records_written_by_the_sensor_carry_severity_and_json_bodies() -> None:
    alert = Alert.model_validate({**ALERT, "level": "critical"})
    record = AlertRecord.of(alert)
    assert record.severity == 4
    assert record.body_json()["UtcTime"] == "2026-11-22T04:10:00.000000Z"
    assert "status" not in record.body_json()  # unset fields are left out
    snapshot = InventoryRecord(body=ScanReport.model_validate(REPORT)).body_json()
    assert snapshot["host"]["os_version"] == "" and snapshot["installs"] == []
