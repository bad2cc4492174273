"""A bounded on-disk FIFO (SQLite, WAL) that each forwarder owns.

Items stay until the forwarder acknowledges them (``ack``), so a crash or a receiver outage loses
nothing: delivery is at-least-once. When the queue would exceed ``max_bytes`` the oldest items are
dropped and counted (``dropped``), the count persists across restarts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_ADD_DROPPED = "UPDATE counters SET value = value + ? WHERE name = 'dropped'"


@dataclass(frozen=True)
class QueuedItem:
    item_id: int
    payload: bytes


class ForwardQueue(Protocol):
    """What a forwarder needs from its queue."""

    def put(self, payload: bytes) -> None: ...
    def peek(self, limit: int) -> list[QueuedItem]: ...
    def ack(self, item_ids: Sequence[int]) -> None: ...
    def depth(self) -> int: ...
    def dropped(self) -> int: ...
    def close(self) -> None: ...


class SqliteForwardQueue:
    def __init__(self, path: Path, max_bytes: int = 64 * 1024 * 1024) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY AUTOINCREMENT, payload BLOB NOT NULL,"
            " size INTEGER NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
        )
        self._db.execute("INSERT OR IGNORE INTO counters VALUES ('dropped', 0)")
        row = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM items").fetchone()
        self._bytes = int(row[0])

    def put(self, payload: bytes) -> None:
        size = len(payload)
        if size > self.max_bytes:
            self._count_drop(1)
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                dropped = 0
                while self._bytes + size > self.max_bytes:
                    oldest = self._db.execute("SELECT id, size FROM items ORDER BY id LIMIT 1").fetchone()
                    if oldest is None:
                        break
                    self._db.execute("DELETE FROM items WHERE id = ?", (oldest[0],))
                    self._bytes -= int(oldest[1])
                    dropped += 1
                self._db.execute("INSERT INTO items (payload, size) VALUES (?, ?)", (payload, size))
                if dropped:
                    self._db.execute(_ADD_DROPPED, (dropped,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._bytes += size

    def peek(self, limit: int) -> list[QueuedItem]:
        with self._lock:
            rows = self._db.execute("SELECT id, payload FROM items ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [QueuedItem(int(row[0]), bytes(row[1])) for row in rows]

    def ack(self, item_ids: Sequence[int]) -> None:
        if not item_ids:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            marks = ",".join("?" * len(item_ids))
            freed = self._db.execute(
                f"SELECT COALESCE(SUM(size), 0) FROM items WHERE id IN ({marks})",  # noqa: S608 (placeholders)
                tuple(item_ids),
            ).fetchone()[0]
            self._db.execute(f"DELETE FROM items WHERE id IN ({marks})", tuple(item_ids))  # noqa: S608
            self._db.execute("COMMIT")
            self._bytes -= int(freed)

    def depth(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def bytes_used(self) -> int:
        return self._bytes

    def dropped(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT value FROM counters WHERE name = 'dropped'").fetchone()[0])

    def _count_drop(self, count: int) -> None:
        with self._lock:
            self._db.execute(_ADD_DROPPED, (count,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
