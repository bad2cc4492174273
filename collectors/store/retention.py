"""Heartbeat retention: liveness records older than a horizon are deleted; inventory and alerts are kept.

The sensor's heartbeat is its health report (kind ``health``, shipped every 5 minutes by default); kind
``heartbeat`` is the protocol's bare form. Either only says "this host was alive at T, with these
counters", and the host row already keeps the latest time (``cw_hosts.last_seen``) and the delivery
counters. Kept forever they would be most of the database: at 100,000 hosts every 5 minutes that is 28.8
million rows a day (``bench_fleet.py`` measures the bytes per heartbeat). Inventory snapshots and alerts
are never pruned; a host's timeline shows its health reports of the retention window.

Deletion runs in batches (one short transaction each, index ``cw_records_kind_received``), so ingest is
never held up for long. Each host remembers the highest sequence number pruned (``pruned_through_seq``):
its delivery counters stay exact (they are counters, not row counts), and the listing of missing ranges
starts above that number, so a pruned heartbeat is never reported as lost.
"""

from __future__ import annotations

import time
from collections import defaultdict

from sqlalchemy import Update, bindparam, delete, select, update

from collectors.store import tables
from collectors.store.database import Store, greatest

DEFAULT_DAYS = 7.0
BATCH = 5000
KINDS = ("heartbeat", "health")

_records = tables.records
# No ORDER BY: any batch of old rows will do (a round deletes them all), and sorting would cost every batch a
# pass over the whole backlog on a first run against a large database.
_OLDEST = (select(_records.c.host_id, _records.c.seq)
           .where(_records.c.kind.in_(KINDS), _records.c.received_at < bindparam("cutoff"))
           .limit(bindparam("batch")))
_DELETE = delete(_records).where(_records.c.host_id == bindparam("b_host_id"), _records.c.seq == bindparam("b_seq"))


def _watermark(dialect: str) -> Update:
    hosts = tables.hosts
    return (update(hosts).where(hosts.c.host_id == bindparam("b_host_id"))
            .values(pruned_through_seq=greatest(dialect, hosts.c.pruned_through_seq, bindparam("b_seq"))))


_WATERMARKS = {dialect: _watermark(dialect) for dialect in ("postgresql", "sqlite")}


def prune_heartbeats(store: Store, older_than_s: float, *, now: float | None = None, batch: int = BATCH) -> int:
    """Delete heartbeat and health records received more than ``older_than_s`` seconds ago; returns how many."""
    cutoff = (time.time() if now is None else now) - older_than_s
    watermark = _WATERMARKS["postgresql" if store.dialect == "postgresql" else "sqlite"]
    pruned = 0
    while True:
        with store.engine.begin() as conn:
            rows = conn.execute(_OLDEST, {"cutoff": cutoff, "batch": batch}).all()
            if not rows:
                return pruned
            conn.execute(_DELETE, [{"b_host_id": host_id, "b_seq": seq} for host_id, seq in rows])
            highest: dict[str, int] = defaultdict(int)
            for host_id, seq in rows:
                highest[host_id] = max(highest[host_id], int(seq))
            conn.execute(watermark, [{"b_host_id": host_id, "b_seq": seq} for host_id, seq in highest.items()])
        pruned += len(rows)
        if len(rows) < batch:
            return pruned
