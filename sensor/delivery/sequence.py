"""Host identity and sequence numbers.

The host id is generated once (random, 32 hex characters) and kept in ``<state_dir>/host_id``. Sequence
numbers are allocated inside the spool's SQLite transaction that stores the record, so a number is never
handed out twice, even across crashes, and every allocated number is either delivered or counted as a
drop. Record ids are ``<host_id>:<seq>``.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

from sensor.delivery.secure_file import read_private, write_private
from sensor.schema.wire import HOST_ID_PATTERN

HOST_ID_FILE = "host_id"
_HOST_ID_RE = re.compile(HOST_ID_PATTERN)


def load_or_create_host_id(state_dir: Path) -> str:
    path = state_dir / HOST_ID_FILE
    raw = read_private(path)
    if raw is not None:
        value = raw.decode("ascii", "replace").strip()
        if _HOST_ID_RE.match(value):
            return value
    value = uuid.uuid4().hex
    write_private(path, value.encode() + b"\n")
    return value


def record_id(host_id: str, seq: int) -> str:
    return f"{host_id}:{seq}"


class SequenceCounter:
    """The last allocated sequence number, kept in the spool database's ``spool_meta`` table."""

    KEY = "last_seq"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        conn.execute("INSERT OR IGNORE INTO spool_meta(key, value) VALUES (?, 0)", (self.KEY,))

    def allocate(self) -> int:
        """The next number; call inside the transaction that stores the record."""
        row = self._conn.execute(
            "UPDATE spool_meta SET value = value + 1 WHERE key = ? RETURNING value", (self.KEY,)
        ).fetchone()
        return int(row[0])

    def last(self) -> int:
        row = self._conn.execute("SELECT value FROM spool_meta WHERE key = ?", (self.KEY,)).fetchone()
        return int(row[0]) if row else 0

    def raise_floor(self, next_seq: int) -> None:
        """Never allocate below ``next_seq`` (the collector already holds numbers up to next_seq - 1)."""
        self._conn.execute("UPDATE spool_meta SET value = MAX(value, ?) WHERE key = ?",
                           (next_seq - 1, self.KEY))
