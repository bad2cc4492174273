"""The spool sink: what the daemon calls to hand over alerts, inventory snapshots, heartbeats, health.

``emit`` stores the typed record in the spool (which assigns its id and sequence number) and passes the stored
envelope to an optional mirror (the ``--output`` JSON-lines writer), so both carry the ids the collector stores.
"""

from __future__ import annotations

from collections.abc import Callable

from sensor.delivery.spool import PutResult, Spool
from sensor.schema.records import Record, SensorRecord


class SpoolSink:
    def __init__(self, spool: Spool, mirror: Callable[[Record], None] | None = None) -> None:
        self.spool = spool
        self.mirror = mirror

    def emit(self, record: SensorRecord) -> Record:
        result: PutResult = self.spool.put(record.kind, record.body_json(), record.severity)
        if self.mirror is not None:
            self.mirror(result.record)
        return result.record
