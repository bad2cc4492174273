"""Read OpenClaw's SQLite stores without disturbing a live gateway.

Default path (files up to ``SNAPSHOT_MAX_BYTES``): read the database and its ``-wal`` as bytes through
``sensor.safeio`` (no symlinks, regular files only), apply the WAL's committed frames in memory (salts
and checksums verified, as SQLite's own recovery does), and open the image with
``sqlite3.Connection.deserialize``. Nothing is written, no lock is taken, no checkpoint happens, no
plaintext copy touches the disk, and a writer holding locks cannot make us wait.

Larger databases: ``file:<path>?mode=ro&immutable=1`` (``PRAGMA query_only``): no lock, no ``-shm``
read marks, no checkpoint; frames still only in the WAL are missed. Errors become ``SqliteReadError``
(corrupt, unreadable, not a database).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from sensor.safeio import SafeIOError, read_file, stat_entry

SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024  # database + WAL held in memory at most
BUSY_TIMEOUT_S = 0.25
MAX_ROWS = 10_000

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER = 32
_FRAME_HEADER = 24


class SqliteReadError(Exception):
    pass


def _wal_checksum(data: bytes, big_endian: bool, s1: int, s2: int) -> tuple[int, int]:
    fmt = ">" if big_endian else "<"
    words = struct.unpack(f"{fmt}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def apply_wal(db: bytes, wal: bytes) -> bytes:
    """The database image as of the last committed transaction in ``wal`` (``db`` if none)."""
    if len(wal) < _WAL_HEADER:
        return db
    magic, _version, page_size, _seq, salt1, salt2, ck1, ck2 = struct.unpack(">8I", wal[:_WAL_HEADER])
    if magic not in _WAL_MAGIC or page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        return db
    big_endian = magic & 1 == 1
    s1, s2 = _wal_checksum(wal[:24], big_endian, 0, 0)
    if (s1, s2) != (ck1, ck2):
        return db
    pages: dict[int, bytes] = {}
    committed: dict[int, bytes] = {}
    db_pages = 0
    offset = _WAL_HEADER
    frame_size = _FRAME_HEADER + page_size
    while offset + frame_size <= len(wal):
        header = wal[offset : offset + _FRAME_HEADER]
        pgno, commit_size, f_salt1, f_salt2, f_ck1, f_ck2 = struct.unpack(">6I", header)
        if (f_salt1, f_salt2) != (salt1, salt2) or pgno == 0:
            break
        page = wal[offset + _FRAME_HEADER : offset + frame_size]
        s1, s2 = _wal_checksum(header[:8], big_endian, s1, s2)
        s1, s2 = _wal_checksum(page, big_endian, s1, s2)
        if (s1, s2) != (f_ck1, f_ck2):
            break
        pages[pgno] = page
        if commit_size:
            committed.update(pages)
            pages.clear()
            db_pages = commit_size
        offset += frame_size
    if not committed:
        return db
    image = bytearray(db[: db_pages * page_size].ljust(db_pages * page_size, b"\x00"))
    for pgno, page in committed.items():
        if pgno <= db_pages:
            image[(pgno - 1) * page_size : pgno * page_size] = page
    return bytes(image)


def _snapshot_connection(base: Path, relative: PurePath) -> sqlite3.Connection:
    try:
        db = read_file(base, relative, max_bytes=SNAPSHOT_MAX_BYTES).data
    except SafeIOError as exc:
        raise SqliteReadError(f"{exc.reason}: {exc.detail}".rstrip(": ")) from exc
    wal_rel = relative.with_name(relative.name + "-wal")
    try:
        wal = read_file(base, wal_rel, max_bytes=SNAPSHOT_MAX_BYTES).data
    except SafeIOError as exc:
        if exc.reason != "missing":
            raise SqliteReadError(f"wal {exc.reason}") from exc
        wal = b""
    image = bytearray(apply_wal(db, wal))
    if len(image) < 100 or not image.startswith(b"SQLite format 3\x00"):
        raise SqliteReadError("not a SQLite database")
    image[18:20] = b"\x01\x01"  # rollback-journal mode for the in-memory image (WAL is already applied)
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(bytes(image))
    except sqlite3.Error as exc:
        conn.close()
        raise SqliteReadError(f"corrupt: {exc}") from exc
    return conn


def _immutable_connection(path: Path) -> sqlite3.Connection:
    """Big databases: ``mode=ro&immutable=1`` takes no lock and never touches ``-wal``/``-shm``; the price
    is that frames still only in the WAL are not seen (the auth stores change rarely)."""
    uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error as exc:
        raise SqliteReadError(f"open failed: {exc}") from exc
    return conn


def query(base: Path, relative: str | PurePath, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one read query on ``base/relative``; at most MAX_ROWS rows."""
    rel = PurePath(relative)
    try:
        info = stat_entry(base, rel)
    except SafeIOError as exc:
        raise SqliteReadError(exc.reason) from exc
    if info.kind != "file":
        raise SqliteReadError("symlink" if info.kind == "symlink" else "not a regular file")
    wal_size = 0
    try:
        wal_size = stat_entry(base, rel.with_name(rel.name + "-wal")).size
    except SafeIOError:
        pass
    if info.size + wal_size <= SNAPSHOT_MAX_BYTES:
        conn = _snapshot_connection(base, rel)
    else:
        conn = _immutable_connection(base / rel)
    try:
        return conn.execute(sql, tuple(params)).fetchmany(MAX_ROWS)
    except sqlite3.Error as exc:
        raise SqliteReadError(str(exc)) from exc
    finally:
        conn.close()


def table_names(base: Path, relative: str | PurePath) -> set[str]:
    rows = query(base, relative, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in rows}
