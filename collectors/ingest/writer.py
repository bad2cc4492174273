"""Idempotent storage of a batch: insert by (host_id, seq), count duplicates, refuse rewrites, track gaps.

One transaction per batch: either every new record of the batch is stored and the host's counters move,
or nothing changes. Safe with several collector processes on one PostgreSQL (``ON CONFLICT DO NOTHING``
and relative counter updates).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, select, update

from collectors.store import tables
from collectors.store.bulk import insert_rows
from collectors.store.database import greatest
from sensor.schema.timestamps import format_utc
from sensor.schema.wire import IngestBatch


class SeqConflict(Exception):
    """A sequence number already stored with different content: the sender reused it."""

    def __init__(self, seqs: list[int]) -> None:
        super().__init__(f"{len(seqs)} sequence number(s) already stored with different content")
        self.seqs = seqs


class UnencodableBody(Exception):
    pass


@dataclass
class WriteResult:
    acked: list[int]
    inserted: int
    duplicates: int
    missing: int
    inserted_seqs: list[int] = field(default_factory=list)

    @property
    def replay(self) -> bool:
        return self.inserted == 0 and self.duplicates > 0


def _rows(batch: IngestBatch, received_at: float) -> list[dict[str, Any]]:
    rows = []
    for record in batch.records:
        try:
            body = orjson.dumps(record.body)
        except (orjson.JSONEncodeError, TypeError) as exc:
            raise UnencodableBody(f"record {record.seq}: body cannot be stored ({exc})") from None
        created_at = format_utc(record.created_at)
        digest = hashlib.sha256(
            b"%s|%d|%s|" % (record.kind.value.encode(), record.severity, created_at.encode()) + body
        ).hexdigest()
        rows.append({
            "host_id": batch.host_id, "seq": record.seq, "record_id": record.record_id,
            "kind": record.kind.value, "severity": record.severity, "created_at": created_at,
            "received_at": received_at, "digest": digest, "body": body.decode(),
        })
    return rows


def _insert_ignoring_duplicates(conn: Connection, rows: list[dict[str, Any]]) -> set[int]:
    table = tables.records
    if conn.dialect.name == "postgresql":
        return set(insert_rows(conn, table, rows, skip_conflicts_on=("host_id", "seq"), returning="seq"))
    # SQLite: the transaction holds the database's write lock (BEGIN IMMEDIATE), so "what is already there"
    # cannot change between this read and the insert; a plain executemany is much faster than RETURNING.
    seqs = [r["seq"] for r in rows]
    present = {int(seq) for (seq,) in conn.execute(
        select(table.c.seq).where(table.c.host_id == rows[0]["host_id"],
                                  table.c.seq.between(min(seqs), max(seqs))))}
    new_rows = [r for r in rows if r["seq"] not in present]
    insert_rows(conn, table, new_rows, skip_conflicts_on=("host_id", "seq"))
    return {r["seq"] for r in new_rows}


def _check_duplicates_identical(conn: Connection, host_id: str, rows: list[dict[str, Any]],
                                inserted: set[int]) -> None:
    dup_rows = {r["seq"]: r["digest"] for r in rows if r["seq"] not in inserted}
    if not dup_rows:
        return
    stored = conn.execute(select(tables.records.c.seq, tables.records.c.digest)
                          .where(tables.records.c.host_id == host_id,
                                 tables.records.c.seq.in_(list(dup_rows))))
    conflicts = sorted(int(seq) for seq, digest in stored if dup_rows.get(int(seq)) != digest)
    if conflicts:
        raise SeqConflict(conflicts)


def _host_update(dialect: str, with_spool: bool) -> Any:
    """The per-batch UPDATE of the host's delivery counters, built once per dialect and shape (a reused
    statement keeps its compiled form; building it per request was a visible share of a heartbeat's cost)."""
    hosts = tables.hosts
    values: dict[str, Any] = {
        "last_seen": bindparam("b_received_at"),
        "last_addr": bindparam("b_addr"),
        "record_count": hosts.c.record_count + bindparam("b_inserted"),
        "duplicate_count": hosts.c.duplicate_count + bindparam("b_duplicates"),
        "max_seq": greatest(dialect, hosts.c.max_seq, bindparam("b_max_seq")),
    }
    if with_spool:
        values.update({
            "spool_dropped_total": greatest(dialect, hosts.c.spool_dropped_total, bindparam("b_dropped")),
            "spool_rejected_total": greatest(dialect, hosts.c.spool_rejected_total, bindparam("b_rejected")),
            "spool_dropped_by_severity": bindparam("b_by_severity", type_=hosts.c.spool_dropped_by_severity.type),
            "spool_bytes": bindparam("b_bytes"),
            "spool_records": bindparam("b_records"),
        })
    return (update(hosts).where(hosts.c.host_id == bindparam("b_host_id")).values(**values)
            .returning(hosts.c.max_seq, hosts.c.record_count))


_HOST_UPDATES = {(dialect, with_spool): _host_update(dialect, with_spool)
                 for dialect in ("postgresql", "sqlite") for with_spool in (False, True)}


def write_batch(conn: Connection, batch: IngestBatch, received_at: float, addr: str | None) -> WriteResult:
    """Store ``batch`` inside the caller's transaction. Raises SeqConflict (caller rolls back)."""
    rows = _rows(batch, received_at)
    inserted: set[int] = _insert_ignoring_duplicates(conn, rows) if rows else set()
    _check_duplicates_identical(conn, batch.host_id, rows, inserted)
    params: dict[str, Any] = {
        "b_host_id": batch.host_id, "b_received_at": received_at, "b_addr": (addr or "")[:64],
        "b_inserted": len(inserted), "b_duplicates": len(rows) - len(inserted), "b_max_seq": max(inserted, default=0),
    }
    spool = batch.spool
    if spool is not None:
        params.update({"b_dropped": spool.dropped_total, "b_rejected": spool.rejected_total,
                       "b_by_severity": dict(spool.dropped_by_severity), "b_bytes": spool.queued_bytes,
                       "b_records": spool.queued_records})
    dialect = "postgresql" if conn.dialect.name == "postgresql" else "sqlite"
    counters = conn.execute(_HOST_UPDATES[dialect, spool is not None], params).first()
    missing = int(counters[0]) - int(counters[1]) if counters else 0
    return WriteResult(
        acked=[r["seq"] for r in rows], inserted=len(inserted), duplicates=len(rows) - len(inserted),
        missing=missing, inserted_seqs=sorted(inserted),
    )


def missing_ranges(conn: Connection, host_id: str, above: int = 0, limit: int = 100) -> list[tuple[int, int]]:
    """The gaps of one host above sequence number ``above`` as inclusive (first, last) ranges, lowest first (at
    most ``limit``). Callers pass the host's ``pruned_through_seq``: below it a missing row may be a heartbeat
    that retention pruned (collectors/store/retention.py), so only the ``missing`` counter speaks for that part."""
    rec = tables.records
    seqs = [int(s) for (s,) in conn.execute(select(rec.c.seq).where(rec.c.host_id == host_id, rec.c.seq > above)
                                            .order_by(rec.c.seq))]
    gaps: list[tuple[int, int]] = []
    expected = above + 1
    for seq in seqs:
        if seq > expected:
            gaps.append((expected, seq - 1))
            if len(gaps) >= limit:
                break
        expected = seq + 1
    return gaps
