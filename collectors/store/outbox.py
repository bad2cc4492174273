"""The forwarding outbox: alerts are queued in the ingest transaction and handed on only after it committed.

Ingest calls ``enqueue`` inside its transaction for the alerts it newly stored (at or above the forwarding
level), so a rolled-back ingest leaves nothing to forward. Each collector process that forwards runs a relay
(collectors/forwarders/relay.py) that ``claim``s a batch of rows, writes them to its forwarders' disk queues and
deletes them, in one transaction. On PostgreSQL the claim locks the rows it takes and skips rows another process
holds (``FOR UPDATE SKIP LOCKED``), so processes sharing one database never take the same row; on SQLite
``BEGIN IMMEDIATE`` already serialises them. A row leaves the outbox only when its claim commits: a process that
dies between writing its disk queues and that commit leaves the rows for the next claim (at-least-once; the
receiver sees the same alert id again).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, literal, select

from collectors.store import tables

_outbox, _alerts = tables.forward_outbox, tables.alerts


@dataclass(frozen=True)
class OutboxItem:
    outbox_id: int
    record_id: str
    body: str | None  # the alert as stored in cw_alerts (None: that row is gone)


def enqueue(conn: Connection, record_ids: Sequence[str], min_rank: int, now: float | None = None) -> int:
    """Queue the stored alerts among ``record_ids`` whose level rank is at least ``min_rank``; returns how many."""
    if not record_ids:
        return 0
    queued_at = time.time() if now is None else now
    chosen = select(_alerts.c.record_id, literal(queued_at)).where(_alerts.c.record_id.in_(list(record_ids)),
                                                                    _alerts.c.level_rank >= min_rank)
    result = conn.execute(_outbox.insert().from_select(["record_id", "queued_at"], chosen))
    return max(result.rowcount or 0, 0)


def pending(conn: Connection) -> bool:
    return conn.execute(select(exists().select_from(_outbox))).scalar_one()


def claim(conn: Connection, limit: int) -> list[OutboxItem]:
    """The oldest ``limit`` rows no other transaction holds, locked until the caller's transaction ends."""
    query = (select(_outbox.c.outbox_id, _outbox.c.record_id, _alerts.c.body)
             .select_from(_outbox.outerjoin(_alerts, _alerts.c.record_id == _outbox.c.record_id))
             .order_by(_outbox.c.outbox_id).limit(limit)
             .with_for_update(of=_outbox, skip_locked=True))
    return [OutboxItem(int(row.outbox_id), str(row.record_id), row.body) for row in conn.execute(query)]


def remove(conn: Connection, outbox_ids: Sequence[int]) -> None:
    if outbox_ids:
        conn.execute(delete(_outbox).where(_outbox.c.outbox_id.in_(list(outbox_ids))))
