"""Ingest reads each newly stored record once into the contract's types; what does not read is counted."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY

from collectors.ingest.read import read_fresh
from sensor.schema.alerts import Alert
from sensor.schema.events import Event
from sensor.schema.records import AlertRecord, HeartbeatRecord
from sensor.schema.wire import IngestBatch

HOST = "hostread0001"
ALERT: dict[str, Any] = {"AlertId": "a1", "UtcTime": "2026-11-22T04:10:00Z", "Hostname": "lap", "rule_id": "r",
                         "title": "t", "level": "high",
                         "event": {"EventId": "e1", "UtcTime": "2026-11-22T04:10:00Z", "Hostname": "lap",
                                   "category": "process_creation", "product": "linux"}}


def _batch(*bodies: tuple[str, dict[str, Any]]) -> IngestBatch:
    return IngestBatch.model_validate({"host_id": HOST, "records": [
        {"record_id": f"{HOST}:{seq}", "host_id": HOST, "seq": seq, "kind": kind, "severity": 0,
         "created_at": "2026-11-22T04:10:00+00:00", "body": body}
        for seq, (kind, body) in enumerate(bodies, start=1)]})


def _unreadable(kind: str) -> float:
    return REGISTRY.get_sample_value("clawwatch_ingest_unreadable_total", {"kind": kind}) or 0.0


def test_fresh_records_are_read_once_into_typed_records_and_duplicates_are_not() -> None:
    batch = _batch(("alert", ALERT), ("heartbeat", {"uptime_s": 1}), ("alert", ALERT))
    read = read_fresh(batch, inserted_seqs=[1, 2])  # seq 3 was already stored: not read again
    assert [seq for _, seq, _ in read] == [1, 2]
    first, second = read[0][2], read[1][2]
    assert isinstance(first, AlertRecord) and isinstance(first.body, Alert) and isinstance(first.body.event, Event)
    assert isinstance(second, HeartbeatRecord)


def test_an_unreadable_body_is_kept_out_of_projection_and_counted() -> None:
    before = _unreadable("alert")
    read = read_fresh(_batch(("alert", {"marker": "a"}), ("alert", ALERT)), inserted_seqs=[1, 2])
    assert [record_id for record_id, _, _ in read] == [f"{HOST}:2"]
    assert _unreadable("alert") == before + 1
