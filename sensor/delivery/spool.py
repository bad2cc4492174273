"""The on-disk spool: every record is stored here before any network I/O.

SQLite in WAL mode (``synchronous=NORMAL``: a committed record survives the process being killed; a power
cut may lose the last few). Bounded in bytes: when a new record does not fit, the lowest-severity, oldest
records are dropped first; if only records more severe than the new one remain, the new one is dropped.
Every drop is counted (total and per severity); the counters travel with every batch.

Records of the batch currently being sent are never evicted, so a record is either acknowledged by the
collector or counted as dropped, never both.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sensor.delivery.sequence import SequenceCounter, record_id
from sensor.schema.records import Record, RecordKind
from sensor.schema.wire import SpoolStats

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    seq INTEGER PRIMARY KEY,
    severity INTEGER NOT NULL,
    size INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS spool_evict ON spool(severity, seq);
CREATE TABLE IF NOT EXISTS spool_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_COUNTERS = ("bytes", "records", "dropped_total", "rejected_total", *(f"dropped_sev_{s}" for s in range(5)))


@dataclass(frozen=True)
class PutResult:
    record: Record
    stored: bool  # False: the spool was full of more severe records and this one was dropped
    evicted: int  # older, less severe records dropped to make room


@dataclass(frozen=True)
class SpooledBatch:
    seqs: list[int]
    payloads: list[bytes]  # each a JSON-encoded Record

    @property
    def nbytes(self) -> int:
        return sum(len(p) for p in self.payloads)


class Spool:
    def __init__(self, path: Path, host_id: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.host_id = host_id
        self.max_bytes = max_bytes
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.created_fresh = not path.exists()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        self._inflight: tuple[int, int] | None = None
        self.new_data = threading.Event()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            for key in _COUNTERS:
                self._conn.execute("INSERT OR IGNORE INTO spool_meta(key, value) VALUES (?, 0)", (key,))
            self._seq = SequenceCounter(self._conn)
        try:
            path.chmod(0o600)
        except OSError:
            pass

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- writing -----------------------------------------------------------------------------------

    def put(self, kind: RecordKind | str, body: dict[str, Any], severity: int = 0,
            created_at: datetime | None = None) -> PutResult:
        severity = min(4, max(0, int(severity)))
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                seq = self._seq.allocate()
                record = Record(record_id=record_id(self.host_id, seq), host_id=self.host_id, seq=seq,
                                kind=RecordKind(kind), created_at=created_at or datetime.now(UTC), severity=severity,
                                body=body)
                payload = orjson.dumps(record.model_dump(mode="json"))
                stored, evicted = self._make_room(len(payload), severity)
                if stored:
                    self._conn.execute("INSERT INTO spool(seq, severity, size, payload) VALUES (?, ?, ?, ?)",
                                       (seq, severity, len(payload), payload))
                    self._bump("bytes", len(payload))
                    self._bump("records", 1)
                else:
                    self._count_drops({severity: 1})
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        if stored:
            self.new_data.set()
        return PutResult(record=record, stored=stored, evicted=evicted)

    def _make_room(self, size: int, severity: int) -> tuple[bool, int]:
        """Evict what must go for ``size`` more bytes; (False, 0) if the new record is the one to drop."""
        if size > self.max_bytes:
            return False, 0
        need = self._get("bytes") + size - self.max_bytes
        if need <= 0:
            return True, 0
        lo, hi = self._inflight or (0, -1)
        victims: list[tuple[int, int, int]] = []
        freed = 0
        for seq, sev, vsize in self._conn.execute(
            "SELECT seq, severity, size FROM spool WHERE severity <= ? AND NOT (seq BETWEEN ? AND ?)"
            " ORDER BY severity, seq", (severity, lo, hi)
        ):
            victims.append((seq, sev, vsize))
            freed += vsize
            if freed >= need:
                break
        if freed < need:
            return False, 0
        self._conn.executemany("DELETE FROM spool WHERE seq = ?", [(v[0],) for v in victims])
        per_sev: dict[int, int] = {}
        for _, sev, _ in victims:
            per_sev[sev] = per_sev.get(sev, 0) + 1
        self._count_drops(per_sev)
        self._bump("bytes", -freed)
        self._bump("records", -len(victims))
        return True, len(victims)

    def _count_drops(self, per_severity: dict[int, int]) -> None:
        for sev, n in per_severity.items():
            self._bump(f"dropped_sev_{sev}", n)
            self._bump("dropped_total", n)

    def _bump(self, key: str, delta: int) -> None:
        self._conn.execute("UPDATE spool_meta SET value = value + ? WHERE key = ?", (delta, key))

    def _get(self, key: str) -> int:
        row = self._conn.execute("SELECT value FROM spool_meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    # --- shipping ----------------------------------------------------------------------------------

    def peek(self, max_records: int, max_bytes: int) -> SpooledBatch:
        """The oldest records (at least one, at most max_records, about max_bytes); marked in flight."""
        seqs: list[int] = []
        payloads: list[bytes] = []
        total = 0
        with self._lock:
            for seq, payload in self._conn.execute("SELECT seq, payload FROM spool ORDER BY seq LIMIT ?",
                                                   (max_records,)):
                if payloads and total + len(payload) > max_bytes:
                    break
                seqs.append(int(seq))
                payloads.append(bytes(payload))
                total += len(payload)
            self._inflight = (seqs[0], seqs[-1]) if seqs else None
        return SpooledBatch(seqs=seqs, payloads=payloads)

    def release(self) -> None:
        """The in-flight batch is no longer being sent (acked, rejected or to be retried)."""
        with self._lock:
            self._inflight = None

    def ack(self, seqs: Iterable[int]) -> int:
        """Delete records the collector acknowledged; returns how many were still here."""
        return self._delete(list(seqs), rejected=False)

    def reject(self, seqs: Iterable[int]) -> int:
        """Delete records the collector will never accept (counted in rejected_total)."""
        return self._delete(list(seqs), rejected=True)

    def _delete(self, seqs: list[int], rejected: bool) -> int:
        if not seqs:
            return 0
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                freed = removed = 0
                for start in range(0, len(seqs), 500):
                    chunk = seqs[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    for (size,) in self._conn.execute(
                            f"DELETE FROM spool WHERE seq IN ({marks}) RETURNING size", chunk):  # noqa: S608
                        freed += int(size)
                        removed += 1
                self._bump("bytes", -freed)
                self._bump("records", -removed)
                if rejected:
                    self._bump("rejected_total", removed)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return removed

    # --- state -------------------------------------------------------------------------------------

    def stats(self) -> SpoolStats:
        with self._lock:
            values = dict(self._conn.execute("SELECT key, value FROM spool_meta").fetchall())
        return SpoolStats(
            dropped_total=values.get("dropped_total", 0),
            rejected_total=values.get("rejected_total", 0),
            dropped_by_severity={str(s): values[f"dropped_sev_{s}"] for s in range(5)
                                 if values.get(f"dropped_sev_{s}", 0)},
            queued_records=values.get("records", 0),
            queued_bytes=values.get("bytes", 0),
        )

    def last_seq(self) -> int:
        with self._lock:
            return self._seq.last()

    def raise_seq_floor(self, next_seq: int) -> None:
        with self._lock:
            self._seq.raise_floor(next_seq)

    def __len__(self) -> int:
        with self._lock:
            return self._get("records")
