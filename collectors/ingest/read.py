"""Reads the records a batch newly stored into the contract's types, once, for everything after ingest.

The envelope (``Record``) is stored as received; its body is read here into the typed record of its kind
(``sensor.schema.records.read_record``). A body that does not read (hostile, broken, or from a sensor of
another version) stays stored as received and is counted (``clawwatch_ingest_unreadable``) and logged, not
projected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from collectors import metrics
from sensor.schema.records import SensorRecord, UnreadableBody, read_record
from sensor.schema.wire import IngestBatch

log = logging.getLogger(__name__)


def read_fresh(batch: IngestBatch, inserted_seqs: Iterable[int]) -> list[tuple[str, int, SensorRecord]]:
    """(record_id, seq, typed record) of the records of ``batch`` that were newly inserted, in batch order."""
    inserted = set(inserted_seqs)
    out: list[tuple[str, int, SensorRecord]] = []
    for record in batch.records:
        if record.seq not in inserted:
            continue
        try:
            typed = read_record(record)
        except UnreadableBody as exc:
            metrics.INGEST_UNREADABLE.labels(kind=record.kind.value).inc()
            log.info("%s; stored as received, not projected", exc)
            continue
        out.append((record.record_id, record.seq, typed))
    return out
