"""The spool sink: what the daemon calls to hand over alerts, inventory snapshots, heartbeats, health.

``emit`` stores the record in the spool (which assigns its id and sequence number) and passes the same
record to an optional mirror (the ``--output`` JSON-lines writer), so both carry the ids the collector
stores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sensor.delivery.spool import PutResult, Spool
from sensor.schema.records import Record, RecordKind

LEVEL_SEVERITY = {"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def severity_of_level(level: str | None) -> int:
    """Sigma level name -> record severity 0..4 (unknown levels count as medium)."""
    return LEVEL_SEVERITY.get((level or "").lower(), 2)


class SpoolSink:
    def __init__(self, spool: Spool, mirror: Callable[[Record], None] | None = None) -> None:
        self.spool = spool
        self.mirror = mirror

    def emit(self, kind: RecordKind | str, body: dict[str, Any], severity: int | None = None) -> Record:
        if severity is None:
            severity = severity_of_level(body.get("level")) if str(kind) == RecordKind.alert else 0
        result: PutResult = self.spool.put(kind, body, severity)
        if self.mirror is not None:
            self.mirror(result.record)
        return result.record
